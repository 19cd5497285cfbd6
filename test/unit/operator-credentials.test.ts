import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inClusterCredentials, simpleKubeconfig } from '../../operator/credentials.js';
import { microTime } from '../../operator/leader.js';
import { resourcePath } from '../../operator/kube.js';

const dir = mkdtempSync(join(tmpdir(), 'aileron-credentials-'));
const kubeconfig = (name: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}) => {
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
      clusters: [{ name: 'k', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': Buffer.from('CA').toString('base64'), ...cluster } }],
      users: [{ name: 'u', user }],
    }),
  );
  return path;
};

describe('operator credentials', () => {
  test('a token kubeconfig: the server, its CA and a bearer header', async () => {
    const c = simpleKubeconfig(kubeconfig('token', { token: 'abc' }))!;
    expect(c.server.href).toBe('https://10.0.0.1:6443/');
    expect(c.tls.ca?.toString()).toBe('CA');
    expect(await c.headers()).toEqual({ Authorization: 'Bearer abc' });
  });

  test('client certificates from files relative to the kubeconfig, and the TLS overrides', async () => {
    writeFileSync(join(dir, 'client.crt'), 'CERT');
    writeFileSync(join(dir, 'client.key'), 'KEY');
    const c = simpleKubeconfig(kubeconfig('cert', { 'client-certificate': 'client.crt', 'client-key': 'client.key' }, { 'insecure-skip-tls-verify': true, 'tls-server-name': 'api' }))!;
    expect([c.tls.cert?.toString(), c.tls.key?.toString(), c.tls.rejectUnauthorized, c.tls.servername]).toEqual(['CERT', 'KEY', false, 'api']);
    expect(await c.headers()).toEqual({});
  });

  test('exec plugins, auth providers and proxies are left to client-node', () => {
    expect(simpleKubeconfig(kubeconfig('exec', { exec: { command: 'aws' } }))).toBeUndefined();
    expect(simpleKubeconfig(kubeconfig('proxy', { token: 'abc' }, { 'proxy-url': 'http://proxy:3128' }))).toBeUndefined();
  });

  test('in the cluster: the service host (IPv6 bracketed), its CA, and the token re-read from its file', async () => {
    writeFileSync(join(dir, 'ca.crt'), 'CLUSTER-CA');
    writeFileSync(join(dir, 'token'), 'first\n');
    const c = inClusterCredentials({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    expect(c.server.host).toBe('[fd00::1]');
    expect(c.tls.ca?.toString()).toBe('CLUSTER-CA');
    expect(await c.headers()).toEqual({ Authorization: 'Bearer first' });
  });

  test('REST paths and Lease times as the API server takes them', () => {
    expect(resourcePath({ apiVersion: 'v1', plural: 'secrets', namespace: 'ns', name: 's' })).toBe('/api/v1/namespaces/ns/secrets/s');
    expect(resourcePath({ apiVersion: 'platform.aileron.io/v1alpha1', plural: 'workspaces', namespace: 'ns', name: 'w', subresource: 'status' })).toBe(
      '/apis/platform.aileron.io/v1alpha1/namespaces/ns/workspaces/w/status',
    );
    expect(resourcePath({ apiVersion: 'cilium.io/v2', plural: 'ciliumnetworkpolicies' })).toBe('/apis/cilium.io/v2/ciliumnetworkpolicies');
    expect(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05.678000Z');
  });
});
