/**
 * Workspace sign-in as the operator builds it, under its own ServiceAccount on
 * a control plane of its own: with workspaceAuth on, every workspace pod gets
 * the proxy and every Service port leads to it; a missing platform Secret
 * fails the Workspace before anything is published, and heals when the Secret
 * appears; with workspaceAuth off, the proxies and their Secrets go.
 */
import { eventually, OperatorHarness, workspaceYaml, type Operator } from '../support/operator-harness.js';
import { AUTH_METRICS_PORT_NAME, AUTH_PROXY_PORT_NAME } from '../../lib/workspace/auth-proxy.js';
import type { Loose } from '../support/render.js';

const h = new OperatorHarness();
const { k, kOk, json, owned, status, condition } = h;
const NS = 'workspace-system';
let op: Operator | undefined;

/** A platform change reaches the operator as a config-checksum roll: new config, then a new operator pod. */
async function platform(set: string[]) {
  h.applyPlatform(set);
  await restartOperator();
}

async function restartOperator() {
  op = await h.replaceOperator(op, `op-auth-${Date.now()}`);
}

const deployment = (c: string, id: string) => json(['get', 'deployment', `workspace-${c}-${id}`, '-n', NS]);
const containers = (c: string, id: string) => (deployment(c, id).spec.template.spec.containers as Loose[]).map((x) => x.name);
const targetPorts = (c: string, id: string) => (json(['get', 'service', `workspace-${c}-${id}`, '-n', NS]).spec.ports as Loose[]).map((p) => [p.name, p.targetPort]);
const secretData = (name: string, ns: string) => json(['get', 'secret', name, '-n', ns]).data as Record<string, string>;

beforeAll(async () => {
  await h.start();
  await platform([]);
});
afterAll(async () => {
  if (process.env.AILERON_DEBUG) process.stderr.write(`${h.logs().join('\n')}\n`);
  await h.stop();
});

test('auth on: each pod runs the proxy for its owner, every public Service port leads to it, status keeps the URLs', async () => {
  kOk(['apply', '-f', '-'], workspaceYaml('ws-auth', 'auth-a', NS));
  const s = await eventually('Running', () => status('ws-auth').phase === 'Running' && status('ws-auth'), 60_000);
  for (const c of ['runtime', 'browser', 'canvas']) expect([c, containers(c, 'auth-a')]).toEqual([c, [c, 'auth-proxy']]);
  const proxy = (deployment('runtime', 'auth-a').spec.template.spec.containers as Loose[]).find((x) => x.name === 'auth-proxy');
  expect(proxy.args).toContain('--allowed-group=user-123');
  // The proxy's metrics port too: the operator reads activity there (the firewall lets only the operator in).
  const metrics = [AUTH_METRICS_PORT_NAME, AUTH_METRICS_PORT_NAME];
  expect(targetPorts('runtime', 'auth-a')).toEqual([['terminal', AUTH_PROXY_PORT_NAME], ['http', AUTH_PROXY_PORT_NAME], metrics]);
  // CDP stays on its own port, reachable only from the workspace's pods.
  expect(targetPorts('browser', 'auth-a')).toEqual([['webrtc', AUTH_PROXY_PORT_NAME], ['cdp', 'cdp'], metrics]);
  // The proxies' credentials are the platform's, copied next to them.
  const copied = secretData('workspace-auth-a-auth', NS);
  const platformSecret = secretData('aileron-workspace-auth', 'aileron');
  expect([copied['client-secret'], copied['cookie-secret']]).toEqual([platformSecret['client-secret'], platformSecret['cookie-secret']]);
  expect(Buffer.from(copied['sign_in.html'], 'base64').toString()).toContain('http://auth.aileron.local/oauth2/start');
  expect(s.components.runtime.externalUrl).toBe('http://workspace-runtime-auth-a.aileron.local');
});

test('a missing platform Secret fails the Workspace before anything is published, and it heals when the Secret is back', async () => {
  const saved = json(['get', 'secret', 'aileron-workspace-auth', '-n', 'aileron']);
  kOk(['delete', 'secret', 'aileron-workspace-auth', '-n', 'aileron']);
  await restartOperator(); // no credentials cached
  kOk(['apply', '-f', '-'], workspaceYaml('ws-nosecret', 'auth-b', NS));
  await eventually('Failed', () => condition('ws-nosecret', 'Degraded')?.reason === 'AuthCredentialsMissing', 30_000);
  expect(status('ws-nosecret').phase).toBe('Failed');
  expect(condition('ws-nosecret', 'Degraded')?.message).toContain('aileron/aileron-workspace-auth');
  expect(owned('deployment', 'auth-b')).toEqual([]);
  expect(owned('service', 'auth-b')).toEqual([]);

  delete saved.metadata.resourceVersion;
  delete saved.metadata.uid;
  kOk(['create', '-f', '-'], JSON.stringify(saved));
  // The operator retries with backoff and reads the Secret again once its minute of caching is over.
  await eventually('Running once the Secret is back', () => status('ws-nosecret').phase === 'Running', 150_000);
  expect(containers('runtime', 'auth-b')).toEqual(['runtime', 'auth-proxy']);
}, 200_000);

test('auth off: the proxies and their Secrets go, and the component ports are the Service ports again', async () => {
  await platform(['workspaceAuth.enabled=false']);
  await eventually('no proxy', () => containers('runtime', 'auth-a').length === 1, 60_000);
  for (const c of ['runtime', 'browser', 'canvas']) expect([c, containers(c, 'auth-a')]).toEqual([c, [c]]);
  expect(targetPorts('runtime', 'auth-a')).toEqual([['terminal', 'terminal'], ['http', 'http']]);
  await eventually('proxy Secret pruned', () => k(['get', 'secret', 'workspace-auth-a-auth', '-n', NS]).status !== 0, 30_000);
  await eventually('Running', () => status('ws-auth').phase === 'Running', 60_000);
});
