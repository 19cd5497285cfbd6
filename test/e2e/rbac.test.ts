import { applyServerSide, asServiceAccount, k, kOk, synthToDir, waitForCrd } from '../support/cluster.js';
import { CILIUM_NETWORK_POLICY_CRD } from '../support/cilium.js';

// Acting as the operator's and the manager's ServiceAccounts (tokens from the
// TokenRequest API), `kubectl auth can-i` must allow exactly what each needs
// (the upstream chart's RBAC tables, narrowed to where workspaces live) and
// deny the rest.
const NS = 'rbac-system';
const WS = ['rbac-ws-a', 'rbac-ws-b'];
const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

let operator: ReturnType<typeof asServiceAccount>;
let manager: ReturnType<typeof asServiceAccount>;

beforeAll(() => {
  // Its own TURN NodePort: releases of other test files share this cluster.
  const set = [`kubernetes.allowedNamespaces={${WS.join(',')}}`, `kubernetes.defaultNamespace=${WS[0]}`, 'coturn.nodePort=30481'];
  const dir = synthToDir({ set }, 'rbac', NS);
  const res = applyServerSide(dir);
  if (res.status !== 0) throw new Error(res.stderr);
  kOk(['create', 'namespace', 'rbac-elsewhere']);
  // The real Cilium CRD: without the resource type, can-i would answer "no" whatever the rules say.
  kOk(['apply', '--server-side', '-f', CILIUM_NETWORK_POLICY_CRD]);
  waitForCrd('ciliumnetworkpolicies.cilium.io');
  operator = asServiceAccount(NS, 'rbac-aileron-workspace-operator');
  manager = asServiceAccount(NS, 'rbac-aileron-workspace-manager');
});

/** `kubectl auth can-i`; `type/sub` is a subresource (kubectl would read it as a name). */
function canIArgs(verb: string, resource: string, namespace?: string): string[] {
  const [type, sub] = resource.split('/');
  return ['auth', 'can-i', verb, type, ...(sub ? [`--subresource=${sub}`] : []), ...(namespace ? ['-n', namespace] : ['--all-namespaces'])];
}

/** `kubectl auth can-i` on one object by name (`TYPE/NAME`: what resourceNames grant). */
const canOn = (as: typeof operator, verb: string, resource: string, name: string, namespace: string) => {
  const res = as(['auth', 'can-i', verb, `${resource}/${name}`, '-n', namespace]);
  if (res.status !== 0 && res.stdout.trim() !== 'no') throw new Error(res.stderr);
  return res.stdout.trim() === 'yes';
};

const can = (as: typeof operator, verb: string, resource: string, namespace?: string) => {
  const res = as(canIArgs(verb, resource, namespace));
  if (res.status !== 0 && res.stdout.trim() !== 'no') throw new Error(res.stderr);
  return res.stdout.trim() === 'yes';
};

describe('workspace operator (least privilege)', () => {
  test.each([
    ['get', 'workspaces.platform.aileron.io'],
    ['list', 'workspaces.platform.aileron.io'],
    ['watch', 'workspaces.platform.aileron.io'],
    ['update', 'workspaces.platform.aileron.io'],
    ['patch', 'workspaces.platform.aileron.io'],
    ['patch', 'workspaces.platform.aileron.io/status'],
    ['update', 'workspaces.platform.aileron.io/finalizers'],
    ['create', 'events'],
    ['get', 'namespaces'],
  ])('cluster-wide: %s %s', (verb, resource) => {
    expect(can(operator, verb, resource)).toBe(true);
  });

  test.each([
    ['services'],
    ['persistentvolumeclaims'],
    ['secrets'],
    ['deployments.apps'],
    ['ingresses.networking.k8s.io'],
    // Both policy kinds whatever cilium.enabled says: the baseline is a NetworkPolicy, and a mode switch deletes the other kind.
    ['networkpolicies.networking.k8s.io'],
    ['ciliumnetworkpolicies.cilium.io'],
  ])('every verb on %s in each workspace namespace', (resource) => {
    for (const ns of WS) for (const verb of ALL) expect([ns, verb, can(operator, verb, resource, ns)]).toEqual([ns, verb, true]);
  });

  test.each([
    ['get', 'secrets', 'kube-system'],
    ['list', 'secrets', undefined],
    ['get', 'secrets', 'rbac-elsewhere'],
    ['create', 'deployments.apps', 'kube-system'],
    ['delete', 'configmaps', 'kube-system'],
    ['create', 'services', 'rbac-elsewhere'],
    ['list', 'deployments.apps', undefined],
    ['get', 'pods', WS[0]],
    ['create', 'pods', WS[0]],
    ['create', 'statefulsets.apps', WS[0]],
    ['list', 'secrets', NS],
    ['create', 'workspaces.platform.aileron.io', WS[0]],
    ['delete', 'workspaces.platform.aileron.io', WS[0]],
    ['create', 'namespaces', undefined],
    ['get', 'nodes', undefined],
    ['create', 'daemonsets.apps', WS[0]],
    ['create', 'clusterroles.rbac.authorization.k8s.io', undefined],
    ['create', 'rolebindings.rbac.authorization.k8s.io', WS[0]],
    ['create', 'customresourcedefinitions.apiextensions.k8s.io', undefined],
    ['create', 'serviceaccounts', WS[0]],
    ['create', 'pods/exec', WS[0]],
  ])('cannot %s %s in %s', (verb, resource, namespace) => {
    expect(can(operator, verb, resource, namespace)).toBe(false);
  });

  test('in its own namespace: its Lease, and only by name the platform ConfigMap and the Secret it copies', () => {
    expect(can(operator, 'update', 'leases.coordination.k8s.io', NS)).toBe(true);
    expect(can(operator, 'update', 'leases.coordination.k8s.io', 'rbac-elsewhere')).toBe(false);
    expect(can(operator, 'delete', 'leases.coordination.k8s.io', NS)).toBe(false);
    expect(canOn(operator, 'get', 'configmaps', 'rbac-aileron-platform-config', NS)).toBe(true);
    expect(canOn(operator, 'get', 'secrets', 'rbac-aileron-workspace-auth', NS)).toBe(true);
    expect(canOn(operator, 'get', 'secrets', 'rbac-aileron-postgres', NS)).toBe(false);
  });

  test("in CoTURN's namespace: the TURN credential, by name, and nothing else", () => {
    expect(canOn(operator, 'get', 'secrets', 'rbac-aileron-coturn', 'rbac-turn')).toBe(true);
    expect(canOn(operator, 'get', 'secrets', 'rbac-aileron-coturn', NS)).toBe(false);
    expect(can(operator, 'list', 'secrets', 'rbac-turn')).toBe(false);
    expect(can(operator, 'get', 'pods', 'rbac-turn')).toBe(false);
    expect(can(operator, 'patch', 'deployments.apps', 'rbac-turn')).toBe(false);
  });

  test('a namespace added at upgrade is granted there', () => {
    expect(can(operator, 'create', 'deployments.apps', 'rbac-ws-c')).toBe(false);
    const dir = synthToDir({ set: [`kubernetes.allowedNamespaces={${[...WS, 'rbac-ws-c'].join(',')}}`, `kubernetes.defaultNamespace=${WS[0]}`, 'coturn.nodePort=30481'] }, 'rbac', NS);
    const res = applyServerSide(dir);
    if (res.status !== 0) throw new Error(res.stderr);
    expect(can(operator, 'create', 'deployments.apps', 'rbac-ws-c')).toBe(true);
  });
});

describe('workspace manager (Role per allowed namespace)', () => {
  test('every verb on workspaces in each allowed namespace', () => {
    for (const ns of WS) for (const verb of ALL) expect([ns, verb, can(manager, verb, 'workspaces.platform.aileron.io', ns)]).toEqual([ns, verb, true]);
  });

  test('nothing outside the allowed namespaces', () => {
    expect(can(manager, 'create', 'workspaces.platform.aileron.io', 'rbac-elsewhere')).toBe(false);
    expect(can(manager, 'list', 'workspaces.platform.aileron.io')).toBe(false);
  });

  test.each([
    ['create', 'deployments.apps'],
    ['get', 'deployments.apps'],
    ['get', 'secrets'],
    ['create', 'pods'],
    ['patch', 'workspaces.platform.aileron.io/status'],
    ['update', 'workspaces.platform.aileron.io/finalizers'],
  ])('cannot %s %s in an allowed namespace', (verb, resource) => {
    expect(can(manager, verb, resource, WS[0])).toBe(false);
  });
});

test('nothing but the operator (and the control plane) can patch workspaces/status', () => {
  const bindings = JSON.parse(kOk(['get', 'clusterrolebindings,rolebindings', '-A', '-o', 'json'])).items as Array<{
    subjects?: Array<{ kind: string; name: string; namespace?: string }>;
  }>;
  const accounts = new Set(
    bindings.flatMap((b) => (b.subjects ?? []).filter((s) => s.kind === 'ServiceAccount').map((s) => `${s.namespace}/${s.name}`)),
  );
  const allowed = [...accounts].filter((sa) => {
    const [ns, name] = sa.split('/');
    const res = k([...canIArgs('patch', 'workspaces.platform.aileron.io/status'), `--as=system:serviceaccount:${ns}:${name}`]);
    return res.stdout.trim() === 'yes';
  });
  // kube-system accounts are the control plane's own controllers (the garbage collector patches anything).
  expect(allowed.filter((sa) => !sa.endsWith('-workspace-operator') && !sa.startsWith('kube-system/'))).toEqual([]);
  expect(allowed).toContain(`${NS}/rbac-aileron-workspace-operator`);
});
