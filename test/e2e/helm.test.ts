import { join } from 'node:path';
import { cluster, k, kOk } from '../support/cluster.js';
import { tool } from '../support/tools.js';
import { CHART } from '../support/helm.js';

// The chart on the real control plane: install, upgrade, test, uninstall.
const REL = 'helmrel';
const NS = 'helm-platform';
const BASE = ['--set', 'kubernetes.allowedNamespaces={helm-ws}', '--set', 'kubernetes.defaultNamespace=helm-ws', '--set', 'coturn.nodePort=30483'];
const helm = (...args: string[]) => tool('helm', [...args, '--kubeconfig', cluster().kubeconfig]);
const secretValue = (name: string, key: string) =>
  Buffer.from(kOk(['get', 'secret', name, '-n', NS, '-o', `jsonpath={.data.${key}}`]), 'base64').toString();

test('helm install works and generates strong credentials', () => {
  const res = helm('install', REL, CHART, '-n', NS, '--create-namespace', ...BASE);
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  expect(res.stdout).toContain('Frontend:          http://aileron.local');
  expect(kOk(['get', 'deployment', `${REL}-aileron-workspace-manager`, '-n', NS, '-o', 'jsonpath={.metadata.name}'])).toBe(`${REL}-aileron-workspace-manager`);
  expect(kOk(['get', 'role', `${REL}-aileron-workspace-manager`, '-n', 'helm-ws', '-o', 'jsonpath={.rules[0].resources[0]}'])).toBe('workspaces');
  expect(secretValue(`${REL}-aileron-postgres`, 'postgres-password')).toMatch(/^[A-Za-z0-9]{32}$/);
});

test('helm upgrade with changed values changes the objects and keeps the credentials', () => {
  const before = secretValue(`${REL}-aileron-postgres`, 'postgres-password');
  const checksumBefore = kOk(['get', 'deployment', `${REL}-aileron-workspace-manager`, '-n', NS, '-o', 'jsonpath={.spec.template.metadata.annotations.checksum/config}']);
  const res = helm('upgrade', REL, CHART, '-n', NS, ...BASE, '--set', 'publicRouting.baseDomain=upgraded.example.com', '--set', 'frontend.replicaCount=2');
  expect(res.status).toBe(0);
  expect(kOk(['get', 'ingress', `${REL}-aileron`, '-n', NS, '-o', 'jsonpath={.spec.rules[*].host}'])).toBe(
    'upgraded.example.com workspace-manager.upgraded.example.com keycloak.upgraded.example.com',
  );
  expect(kOk(['get', 'deployment', `${REL}-aileron-frontend`, '-n', NS, '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
  expect(kOk(['get', 'pdb', `${REL}-aileron-frontend`, '-n', NS, '-o', 'jsonpath={.spec.maxUnavailable}'])).toBe('1');
  // The config changed, so the pods that read it roll; the password did not.
  expect(kOk(['get', 'deployment', `${REL}-aileron-workspace-manager`, '-n', NS, '-o', 'jsonpath={.spec.template.metadata.annotations.checksum/config}'])).not.toBe(checksumBefore);
  expect(secretValue(`${REL}-aileron-postgres`, 'postgres-password')).toBe(before);
});

test('helm test runs its hook pod through real pod phases, checking the manager and Keycloak through their Services', () => {
  // kwok runs the pod on a simulated node and completes it (test/cluster/kwok/stages.yaml): helm sees it
  // scheduled, admitted under the namespace's Pod Security, and Succeeded. The curls themselves need real
  // containers; what they call is checked in the hook Helm recorded.
  const res = helm('test', REL, '-n', NS, '--timeout', '60s');
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  expect(res.stdout).toMatch(/TEST SUITE:\s+aileron-test|TEST SUITE:\s+\S+-aileron-test/);
  expect(res.stdout).toContain('Phase:          Succeeded');
  const hooks = helm('get', 'hooks', REL, '-n', NS).stdout;
  expect(hooks).toContain(`http://${REL}-aileron-workspace-manager:3001/health`);
  expect(hooks).toContain(`http://${REL}-aileron-keycloak:9000/health/ready`);
});

test('helm uninstall removes the release and keeps data and namespaces', () => {
  const res = helm('uninstall', REL, '-n', NS);
  expect(res.status).toBe(0);
  expect(k(['get', 'deployment', `${REL}-aileron-workspace-manager`, '-n', NS]).status).not.toBe(0);
  expect(k(['get', 'clusterrole', `${REL}-aileron-workspace-operator`]).status).not.toBe(0);
  // Kept on purpose: the knowledge-base volume, the workspace namespaces, the CRD.
  expect(kOk(['get', 'pvc', 'knowledge-bases-pvc', '-n', NS, '-o', 'jsonpath={.metadata.name}'])).toBe('knowledge-bases-pvc');
  expect(kOk(['get', 'namespace', 'helm-ws', '-o', 'jsonpath={.metadata.name}'])).toBe('helm-ws');
  expect(kOk(['get', 'crd', 'workspaces.platform.aileron.io', '-o', 'jsonpath={.metadata.name}'])).toBe('workspaces.platform.aileron.io');
});

test('crds.upgradeWithRelease: an existing CRD is adopted by the release, upgraded with it, and kept on uninstall', () => {
  const crd = 'crd/workspaces.platform.aileron.io';
  // The adoption step the README gives for a CRD that crds/ (or kubectl) created earlier.
  kOk(['annotate', crd, '--overwrite', 'meta.helm.sh/release-name=crdowner', 'meta.helm.sh/release-namespace=helm-crd']);
  kOk(['label', crd, '--overwrite', 'app.kubernetes.io/managed-by=Helm']);
  const owned = [
    '--skip-crds', '--set', 'crds.upgradeWithRelease=true', '-f', join(CHART, '..', '..', 'test', 'values', 'minimal.yaml'),
    '--set', 'kubernetes.allowedNamespaces={helm-crd}', '--set', 'kubernetes.defaultNamespace=helm-crd',
  ];
  const install = helm('install', 'crdowner', CHART, '-n', 'helm-crd', '--create-namespace', ...owned);
  expect(install.stderr).toBe('');
  expect(install.status).toBe(0);
  expect(helm('upgrade', 'crdowner', CHART, '-n', 'helm-crd', ...owned).status).toBe(0);
  expect(kOk(['get', crd, '-o', 'jsonpath={.metadata.annotations.helm\\.sh/resource-policy}'])).toBe('keep');
  expect(helm('uninstall', 'crdowner', '-n', 'helm-crd').status).toBe(0);
  expect(kOk(['get', crd, '-o', 'jsonpath={.metadata.name}'])).toBe('workspaces.platform.aileron.io');
});
