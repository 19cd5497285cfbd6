import { join } from 'node:path';
import { cluster, k, kOk } from '../support/cluster.js';

const json = (args: string[]) => JSON.parse(kOk([...args, '-o', 'json']));
import { tool } from '../support/tools.js';
import { CHART } from '../support/helm.js';

// The chart on the real control plane: install, upgrade, test, uninstall.
const REL = 'helmrel';
const NS = 'helm-platform';
const BASE = ['--set', 'kubernetes.allowedNamespaces={helm-ws}', '--set', 'kubernetes.defaultNamespace=helm-ws', '--set', 'coturn.nodePort=30483'];
const helm = (...args: string[]) => tool('helm', [...args, '--kubeconfig', cluster().kubeconfig]);
const secretValue = (name: string, key: string) =>
  Buffer.from(kOk(['get', 'secret', name, '-n', NS, '-o', `jsonpath={.data.${key}}`]), 'base64').toString();

test('helm install, as the README says, into a namespace that warns and enforces restricted: no warning, strong credentials', () => {
  kOk(['create', 'namespace', NS]);
  kOk(['label', 'namespace', NS, 'pod-security.kubernetes.io/enforce=restricted', 'pod-security.kubernetes.io/warn=restricted']);
  const res = helm('install', REL, CHART, '-n', NS, ...BASE);
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  expect(res.stdout).toContain('Frontend:          http://aileron.local');
  expect(res.stdout).toContain(`kubectl get pods -n ${REL}-turn    (CoTURN`);
  expect(res.stdout).not.toContain('does not enforce Pod Security "restricted"');
  expect(kOk(['get', 'deployment', `${REL}-aileron-workspace-manager`, '-n', NS, '-o', 'jsonpath={.metadata.name}'])).toBe(`${REL}-aileron-workspace-manager`);
  expect(kOk(['get', 'role', `${REL}-aileron-workspace-manager`, '-n', 'helm-ws', '-o', 'jsonpath={.rules[0].resources[0]}'])).toBe('workspaces');
  expect(secretValue(`${REL}-aileron-postgres`, 'postgres-password')).toMatch(/^[A-Za-z0-9]{32}$/);
});

test('the installed release runs: every Deployment and StatefulSet available, CoTURN in its own namespace, the bootstrap Job complete', () => {
  for (const [kind, ns] of [['deployment', NS], ['statefulset', NS], ['deployment', `${REL}-turn`]]) {
    for (const name of kOk(['get', kind, '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}']).split(' ').filter(Boolean)) {
      kOk(['rollout', 'status', `${kind}/${name}`, '-n', ns, '--timeout=90s']);
    }
  }
  expect(kOk(['get', 'deployment', '-n', `${REL}-turn`, '-o', 'jsonpath={.items[*].metadata.name}'])).toBe(`${REL}-aileron-coturn`);
  kOk(['wait', '--for=condition=complete', `job/${REL}-aileron-postgres-bootstrap`, '-n', NS, '--timeout=90s']);
  // The claims of the StatefulSets and the knowledge bases are bound to volumes.
  const phases = kOk(['get', 'pvc', '-n', NS, '-o', 'jsonpath={.items[*].status.phase}']).split(' ');
  expect(phases.length).toBeGreaterThanOrEqual(3);
  expect(new Set(phases)).toEqual(new Set(['Bound']));
});

test('helm upgrade with changed values changes the objects and keeps the credentials', () => {
  const before = secretValue(`${REL}-aileron-postgres`, 'postgres-password');
  const cookieBefore = secretValue(`${REL}-aileron-workspace-auth`, 'cookie-secret');
  const checksumBefore = kOk(['get', 'deployment', `${REL}-aileron-workspace-manager`, '-n', NS, '-o', 'jsonpath={.spec.template.metadata.annotations.checksum/config}']);
  const res = helm('upgrade', REL, CHART, '-n', NS, ...BASE, '--set', 'publicRouting.baseDomain=upgraded.example.com', '--set', 'frontend.replicaCount=2');
  expect(res.status).toBe(0);
  expect(kOk(['get', 'ingress', `${REL}-aileron`, '-n', NS, '-o', 'jsonpath={.spec.rules[*].host}'])).toBe(
    'upgraded.example.com workspace-manager.upgraded.example.com keycloak.upgraded.example.com auth.upgraded.example.com',
  );
  expect(kOk(['get', 'deployment', `${REL}-aileron-frontend`, '-n', NS, '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
  expect(kOk(['get', 'pdb', `${REL}-aileron-frontend`, '-n', NS, '-o', 'jsonpath={.spec.maxUnavailable}'])).toBe('1');
  // The config changed, so the pods that read it roll; the password did not.
  expect(kOk(['get', 'deployment', `${REL}-aileron-workspace-manager`, '-n', NS, '-o', 'jsonpath={.spec.template.metadata.annotations.checksum/config}'])).not.toBe(checksumBefore);
  expect(secretValue(`${REL}-aileron-postgres`, 'postgres-password')).toBe(before);
  // Signed-in users stay signed in: the workspace cookie's key is kept too.
  expect(secretValue(`${REL}-aileron-workspace-auth`, 'cookie-secret')).toBe(cookieBefore);
  // A new ReplicaSet rolls out the new config, and the frontend runs its second replica.
  kOk(['rollout', 'status', `deployment/${REL}-aileron-workspace-manager`, '-n', NS, '--timeout=90s']);
  const sets = json(['get', 'replicasets', '-n', NS, '-l', 'app.kubernetes.io/component=workspace-manager']).items as Array<{ status: { replicas: number } }>;
  expect(sets.length).toBe(2);
  expect(sets.map((r) => r.status.replicas).sort()).toEqual([0, 1]);
  kOk(['rollout', 'status', `deployment/${REL}-aileron-frontend`, '-n', NS, '--timeout=90s']);
});

test('the frontend\'s PodDisruptionBudget refuses a second eviction while a replacement starts; a drain waits for it', () => {
  // Replacement pods take 5 s to become Ready, as real containers take time to start (kwok's pod-ready stage
  // honours this annotation; see scripts/install-tools.sh). The annotation rolls the pods once.
  const res = helm('upgrade', REL, CHART, '-n', NS, '--reuse-values', '--set', 'frontend.podAnnotations.pod-ready\\.stage\\.kwok\\.x-k8s\\.io/delay=5s');
  expect(res.status).toBe(0);
  kOk(['rollout', 'status', `deployment/${REL}-aileron-frontend`, '-n', NS, '--timeout=90s']);
  kOk(['wait', '--for=jsonpath={.status.disruptionsAllowed}=1', `pdb/${REL}-aileron-frontend`, '-n', NS, '--timeout=60s']);
  const pods = json(['get', 'pods', '-n', NS, '-l', 'app.kubernetes.io/component=frontend', '--field-selector=status.phase=Running']).items as Array<{ metadata: { name: string }; spec: { nodeName: string } }>;
  expect(pods).toHaveLength(2);
  // The replicas prefer different nodes (anti-affinity with two or more).
  expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(2);
  const evict = (pod: string) =>
    k(['create', '--raw', `/api/v1/namespaces/${NS}/pods/${pod}/eviction`, '-f', '-'], JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: NS } }));
  expect(evict(pods[0].metadata.name).status).toBe(0);
  const second = evict(pods[1].metadata.name);
  expect(second.status).not.toBe(0);
  expect(second.stderr).toContain('disruption budget');
  // A drain evicts through the same API: it waits until the replacement is Ready, then goes on.
  kOk(['drain', pods[1].spec.nodeName, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout=90s', `--pod-selector=app.kubernetes.io/instance=${REL}`]);
  kOk(['uncordon', pods[1].spec.nodeName]);
  kOk(['rollout', 'status', `deployment/${REL}-aileron-frontend`, '-n', NS, '--timeout=90s']);
  expect(json(['get', 'deployment', `${REL}-aileron-frontend`, '-n', NS]).status.availableReplicas).toBe(2);
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
  // CoTURN's namespace holds nothing of the user's: it goes with the release.
  const turn = k(['get', 'namespace', `${REL}-turn`, '-o', 'jsonpath={.status.phase}']);
  expect(turn.status === 0 ? turn.stdout : 'gone').toMatch(/^(Terminating|gone)$/);
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
  // --create-namespace labels nothing: the notes say how to enforce what every platform pod passes.
  expect(install.stdout).toContain('NOTE: namespace helm-crd does not enforce Pod Security "restricted"');
  expect(install.stdout).toContain('kubectl label namespace helm-crd --overwrite pod-security.kubernetes.io/enforce=restricted');
  expect(helm('upgrade', 'crdowner', CHART, '-n', 'helm-crd', ...owned).status).toBe(0);
  expect(kOk(['get', crd, '-o', 'jsonpath={.metadata.annotations.helm\\.sh/resource-policy}'])).toBe('keep');
  expect(helm('uninstall', 'crdowner', '-n', 'helm-crd').status).toBe(0);
  expect(kOk(['get', crd, '-o', 'jsonpath={.metadata.name}'])).toBe('workspaces.platform.aileron.io');
});

test("a release from before CoTURN's own namespace upgrades as the README says, on its NodePort, with its TURN credential", () => {
  const [rel, ns] = ['turnmove', 'helm-turnmove'];
  const set = [
    '-f', join(CHART, '..', '..', 'test', 'values', 'minimal.yaml'), '--set', 'coturn.enabled=true', '--set', 'coturn.nodePort=30484',
    '--set', `kubernetes.allowedNamespaces={${ns}-ws}`, '--set', `kubernetes.defaultNamespace=${ns}-ws`,
  ];
  kOk(['create', 'namespace', `${ns}-ws`]); // minimal.yaml leaves workspace namespaces to the user
  // Where an earlier version ran it: in the release namespace.
  const install = helm('install', rel, CHART, '-n', ns, '--create-namespace', ...set, '--set', `coturn.namespace=${ns}`);
  expect([install.status, install.stderr]).toEqual([0, '']);
  const credential = (namespace: string) =>
    Buffer.from(kOk(['get', 'secret', `${rel}-aileron-coturn`, '-n', namespace, '-o', 'jsonpath={.data.credential}']), 'base64').toString();
  const before = credential(ns);
  kOk(['delete', 'service', '-n', ns, `${rel}-aileron-coturn`]);
  const upgrade = helm('upgrade', rel, CHART, '-n', ns, ...set);
  expect([upgrade.status, upgrade.stderr]).toEqual([0, '']);
  expect(credential(`${rel}-turn`)).toBe(before);
  expect(json(['get', 'service', `${rel}-aileron-coturn`, '-n', `${rel}-turn`]).spec.ports[0].nodePort).toBe(30484);
  expect(k(['get', 'deployment', `${rel}-aileron-coturn`, '-n', ns]).status).not.toBe(0);
  kOk(['wait', '--for=delete', 'pod', '-n', ns, '-l', 'app.kubernetes.io/component=coturn', '--timeout=2m']);
  // Labelling warns about any running pod that "restricted" would refuse: none does.
  const label = k(['label', 'namespace', ns, '--overwrite', 'pod-security.kubernetes.io/enforce=restricted']);
  expect([label.status, label.stderr]).toEqual([0, '']);
  expect(helm('uninstall', rel, '-n', ns).status).toBe(0);
});
