/**
 * Who can reach whom, decided by Cilium's own code: every policy the platform
 * and two workspaces render (CiliumNetworkPolicy or NetworkPolicy, the
 * namespace baseline, the platform's NetworkPolicies) is parsed by Cilium's
 * Parse()/ParseNetworkPolicy(), and each flow is matched with Cilium's
 * EndpointSelector against the labels of the real rendered pods
 * (test/cilium). The threat model in the README is this file in prose.
 */
import { loadValues } from '../../lib/values/load.js';
import { workspacePlatform } from '../../lib/workspace/platform.js';
import { desiredState } from '../../lib/workspace/workspace-chart.js';
import { baselinePolicy } from '../../lib/workspace/firewall.js';
import type { WorkspaceResource } from '../../lib/workspace/model.js';
import type { K8sObject } from '../../lib/platform/platform-chart.js';
import { WORKSPACE_MANAGER_PORT } from '../../lib/components/workspace-manager.js';
import { KEYCLOAK_HTTP_PORT } from '../../lib/components/keycloak.js';
import { POSTGRES_PORT } from '../../lib/components/postgres.js';
import { REDIS_PORT } from '../../lib/components/redis.js';
import fc from 'fast-check';
import type { JsonObject } from '../../lib/values/merge.js';
import { render, TEST_AUTH } from '../support/render.js';
import { AUTH_METRICS_PORT, AUTH_PROXY_PORT } from '../../lib/workspace/auth-proxy.js';
import { validValues } from '../support/arbitrary-values.js';
import { ciliumPolicy, namespaceLabels, podEndpoints, type Endpoint, type Flow } from '../support/cilium.js';

const NS = 'workspace-system';
const TURN = { username: 'u', credential: 'c' };

function workspace(name: string, id: string, spec: object = {}): WorkspaceResource {
  return {
    apiVersion: 'platform.aileron.io/v1alpha1',
    kind: 'Workspace',
    metadata: { name, namespace: NS, uid: `uid-${id}`, generation: 1 },
    spec: { workspaceId: id, ownerId: 'user-1', ...spec } as WorkspaceResource['spec'],
  };
}

const EXTRA_PODS: Record<string, Endpoint> = {
  'ingress-controller': {
    namespace: 'ingress-nginx',
    labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
  },
  'other-pod-in-ingress-namespace': { namespace: 'ingress-nginx', labels: { app: 'acme-solver' } },
  // Envoy Gateway's proxy, as its controller labels it, and a neighbour.
  'envoy-proxy': {
    namespace: 'envoy-gateway-system',
    labels: { 'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway' },
  },
  'other-pod-in-envoy-namespace': { namespace: 'envoy-gateway-system', labels: { 'control-plane': 'envoy-gateway' } },
  'kube-dns': { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
  'pod-elsewhere': { namespace: 'default', labels: { app: 'shell' } },
  'pod-in-workspace-namespace': { namespace: NS, labels: { app: 'shell' } },
};

/** The platform and two workspaces (alpha with `spec`, beta plain), as Cilium sees them. */
function cluster(set: string[], spec: object = {}) {
  const values = loadValues({ set });
  const platform = workspacePlatform(values);
  const objects: K8sObject[] = [
    ...render({ set }),
    ...desiredState(workspace('ws-alpha', 'alpha', spec), platform, { turn: TURN, auth: TEST_AUTH }).objects,
    ...desiredState(workspace('ws-beta', 'beta'), platform, { turn: TURN, auth: TEST_AUTH }).objects,
    baselinePolicy(NS),
  ];
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy' || o.kind === 'CiliumNetworkPolicy');
  const endpoints = { ...podEndpoints(objects, namespaceLabels), ...EXTRA_PODS };
  for (const ep of Object.values(endpoints)) ep.namespaceLabels ??= namespaceLabels(ep.namespace);
  return { policies, endpoints };
}

type Row = [string, Flow, boolean];

/** Runs every flow through Cilium's code at once; a failure names the flow and Cilium's reason. */
function expectFlows(world: ReturnType<typeof cluster>, rows: Row[]) {
  const { parsed, verdicts } = ciliumPolicy(world.policies, world.endpoints, rows.map(([, f]) => f));
  expect(parsed.filter((p) => p.error)).toEqual([]);
  const wrong = rows
    .map(([what, , expected], i) => ({ what, expected, got: verdicts![i] }))
    .filter((r) => r.got.allowed !== r.expected)
    .map((r) => `${r.what}: expected ${r.expected ? 'allowed' : 'denied'}, Cilium says ${r.got.why}`);
  expect(wrong).toEqual([]);
}

const RUNTIME = 'workspace-runtime-alpha';
const BROWSER = 'workspace-browser-alpha';
const CANVAS = 'workspace-canvas-alpha';
const OTHER_RUNTIME = 'workspace-runtime-beta';
const MANAGER = 'aileron-workspace-manager';

const PROXY = AUTH_PROXY_PORT;

/**
 * Ingress to workspace pods with workspace auth (the default): outside sources reach each pod's authenticating
 * proxy, never a component port; the workspace's own pods reach everything. Same with Cilium and NetworkPolicy.
 */
const ingressRows: Row[] = [
  ['ingress controller → runtime proxy', { from: 'ingress-controller', to: RUNTIME, port: PROXY }, true],
  ['ingress controller → browser proxy', { from: 'ingress-controller', to: BROWSER, port: PROXY }, true],
  ['ingress controller → canvas proxy', { from: 'ingress-controller', to: CANVAS, port: PROXY }, true],
  ['ingress controller → runtime http, past the proxy', { from: 'ingress-controller', to: RUNTIME, port: 3002 }, false],
  ['ingress controller → runtime terminal, past the proxy', { from: 'ingress-controller', to: RUNTIME, port: 3004 }, false],
  ['ingress controller → browser webrtc, past the proxy', { from: 'ingress-controller', to: BROWSER, port: 6080 }, false],
  ['ingress controller → canvas, past the proxy', { from: 'ingress-controller', to: CANVAS, port: 3003 }, false],
  ['ingress controller → browser CDP', { from: 'ingress-controller', to: BROWSER, port: 9223 }, false],
  ['another pod of the ingress namespace → runtime proxy', { from: 'other-pod-in-ingress-namespace', to: RUNTIME, port: PROXY }, false],
  ['workspace manager → runtime proxy', { from: MANAGER, to: RUNTIME, port: PROXY }, true],
  ['workspace manager → runtime http, past the proxy', { from: MANAGER, to: RUNTIME, port: 3002 }, false],
  ['workspace manager → browser CDP', { from: MANAGER, to: BROWSER, port: 9223 }, false],
  ['frontend → runtime proxy', { from: 'aileron-frontend', to: RUNTIME, port: PROXY }, false],
  // The proxies' request counts (activity, for idle stops): the operator alone.
  ['workspace operator → runtime proxy metrics', { from: 'aileron-workspace-operator', to: RUNTIME, port: AUTH_METRICS_PORT }, true],
  ['workspace operator → browser proxy metrics', { from: 'aileron-workspace-operator', to: BROWSER, port: AUTH_METRICS_PORT }, true],
  ['workspace operator → runtime proxy, past its metrics', { from: 'aileron-workspace-operator', to: RUNTIME, port: PROXY }, false],
  ['workspace operator → runtime terminal', { from: 'aileron-workspace-operator', to: RUNTIME, port: 3004 }, false],
  ['ingress controller → runtime proxy metrics', { from: 'ingress-controller', to: RUNTIME, port: AUTH_METRICS_PORT }, false],
  ['workspace manager → runtime proxy metrics', { from: MANAGER, to: RUNTIME, port: AUTH_METRICS_PORT }, false],
  ['another workspace → runtime proxy metrics', { from: OTHER_RUNTIME, to: RUNTIME, port: AUTH_METRICS_PORT }, false],
  ['a pod in another namespace → runtime proxy', { from: 'pod-elsewhere', to: RUNTIME, port: PROXY }, false],
  ['a non-workspace pod of the workspace namespace → runtime proxy', { from: 'pod-in-workspace-namespace', to: RUNTIME, port: PROXY }, false],
  ['another workspace → runtime proxy', { from: OTHER_RUNTIME, to: RUNTIME, port: PROXY }, false],
  ['another workspace → runtime terminal', { from: OTHER_RUNTIME, to: RUNTIME, port: 3004 }, false],
  ['own runtime → own browser CDP', { from: RUNTIME, to: BROWSER, port: 9223 }, true],
  ['own runtime → own canvas', { from: RUNTIME, to: CANVAS, port: 3013 }, true],
  ['own browser → own runtime', { from: BROWSER, to: RUNTIME, port: 3002 }, true],
];

/** The same with workspace auth turned off: the component ports are the public ones. */
const openIngressRows: Row[] = [
  ['ingress controller → runtime http', { from: 'ingress-controller', to: RUNTIME, port: 3002 }, true],
  ['ingress controller → runtime terminal', { from: 'ingress-controller', to: RUNTIME, port: 3004 }, true],
  ['ingress controller → browser webrtc', { from: 'ingress-controller', to: BROWSER, port: 6080 }, true],
  ['ingress controller → canvas', { from: 'ingress-controller', to: CANVAS, port: 3003 }, true],
  ['ingress controller → browser CDP', { from: 'ingress-controller', to: BROWSER, port: 9223 }, false],
  ['ingress controller → runtime on another port', { from: 'ingress-controller', to: RUNTIME, port: 22 }, false],
  ['another pod of the ingress namespace → runtime', { from: 'other-pod-in-ingress-namespace', to: RUNTIME, port: 3002 }, false],
  ['workspace manager → runtime http', { from: MANAGER, to: RUNTIME, port: 3002 }, true],
  ['workspace manager → browser CDP', { from: MANAGER, to: BROWSER, port: 9223 }, false],
  ['frontend → runtime', { from: 'aileron-frontend', to: RUNTIME, port: 3002 }, false],
  ['keycloak → runtime', { from: 'aileron-keycloak', to: RUNTIME, port: 3002 }, false],
  ['a pod in another namespace → runtime terminal', { from: 'pod-elsewhere', to: RUNTIME, port: 3004 }, false],
  ['a pod in another namespace → browser CDP', { from: 'pod-elsewhere', to: BROWSER, port: 9223 }, false],
  ['a non-workspace pod of the workspace namespace → runtime', { from: 'pod-in-workspace-namespace', to: RUNTIME, port: 3002 }, false],
  ['another workspace → runtime terminal', { from: OTHER_RUNTIME, to: RUNTIME, port: 3004 }, false],
  ['another workspace → browser CDP', { from: OTHER_RUNTIME, to: BROWSER, port: 9223 }, false],
  ['own runtime → own browser CDP', { from: RUNTIME, to: BROWSER, port: 9223 }, true],
  ['own runtime → own canvas', { from: RUNTIME, to: CANVAS, port: 3013 }, true],
  ['own browser → own runtime', { from: BROWSER, to: RUNTIME, port: 3002 }, true],
];

/** Egress between pods: same with Cilium and NetworkPolicy. */
const podEgressRows: Row[] = [
  ['runtime → workspace manager API', { from: RUNTIME, to: MANAGER, port: WORKSPACE_MANAGER_PORT }, true],
  ['runtime → Keycloak', { from: RUNTIME, to: 'aileron-keycloak', port: KEYCLOAK_HTTP_PORT }, true],
  ['runtime → PostgreSQL', { from: RUNTIME, to: 'aileron-postgres', port: POSTGRES_PORT }, false],
  ['runtime → Redis', { from: RUNTIME, to: 'aileron-redis', port: REDIS_PORT }, false],
  ['runtime → the operator', { from: RUNTIME, to: 'aileron-workspace-operator', port: 8080 }, false],
  ['runtime → another workspace', { from: RUNTIME, to: OTHER_RUNTIME, port: 3002 }, false],
  ['runtime → a pod elsewhere', { from: RUNTIME, to: 'pod-elsewhere', port: 80 }, false],
  ['runtime → cluster DNS', { from: RUNTIME, to: 'kube-dns', port: 53, protocol: 'UDP', dnsQuery: 'aileron-workspace-manager.aileron.svc.cluster.local' }, true],
  ['runtime → the kube-apiserver', { from: RUNTIME, toEntity: 'kube-apiserver', port: 443 }, false],
  ['runtime → a node (kubelet)', { from: RUNTIME, toEntity: 'remote-node', port: 10250 }, false],
  ['runtime → cloud metadata', { from: RUNTIME, toIP: '169.254.169.254', port: 80 }, false],
  ['runtime → a private address', { from: RUNTIME, toIP: '10.20.30.40', port: 443 }, false],
  ['browser → TURN host, NodePort', { from: BROWSER, toIP: '192.168.65.3', port: 30478, protocol: 'UDP' }, true],
  ['browser → TURN host, coturn port', { from: BROWSER, toIP: '192.168.65.3', port: 3478, protocol: 'UDP' }, true],
  ['browser → TURN host, relay port', { from: BROWSER, toIP: '192.168.65.3', port: 50000, protocol: 'UDP' }, true],
  ['browser → TURN host, ssh', { from: BROWSER, toIP: '192.168.65.3', port: 22 }, false],
  ['browser → the TURN host\'s neighbour', { from: BROWSER, toIP: '192.168.65.4', port: 3478, protocol: 'UDP' }, false],
  ['runtime → TURN host (only the browser uses TURN)', { from: RUNTIME, toIP: '192.168.65.3', port: 3478, protocol: 'UDP' }, false],
];

const ciliumOn = ['cilium.enabled=true'];

describe('with Cilium', () => {
  test('who reaches workspace pods, and what workspace pods reach inside the cluster', () => {
    expectFlows(cluster(ciliumOn), [...ingressRows, ...podEgressRows]);
  });

  test('"specific": the allowed names on the web ports, through the DNS proxy; nothing private, whatever a name resolves to', () => {
    const world = cluster(ciliumOn, { firewall: { workspace: { allowedDomains: ['*.example.com', 'metadata.google.internal'] } } });
    expectFlows(world, [
      ['a default domain on 443', { from: RUNTIME, toIP: '140.82.112.3', toName: 'github.com', port: 443 }, true],
      ['a default domain on 22', { from: RUNTIME, toIP: '140.82.112.3', toName: 'github.com', port: 22 }, false],
      ['a name not allowed', { from: RUNTIME, toIP: '93.184.216.34', toName: 'exfil.attacker.net', port: 443 }, false],
      ['an address without a name', { from: RUNTIME, toIP: '1.1.1.1', port: 443 }, false],
      ['*.example.com matches one label', { from: RUNTIME, toIP: '93.184.216.34', toName: 'api.example.com', port: 443 }, true],
      ['*.example.com does not match the apex', { from: RUNTIME, toIP: '93.184.216.34', toName: 'example.com', port: 443 }, false],
      ['*.example.com does not match two labels', { from: RUNTIME, toIP: '93.184.216.34', toName: 'a.b.example.com', port: 443 }, false],
      ['an allowed name resolving to cloud metadata', { from: RUNTIME, toIP: '169.254.169.254', toName: 'metadata.google.internal', port: 80 }, false],
      ['an allowed name resolving to a private address', { from: RUNTIME, toIP: '10.0.0.5', toName: 'api.example.com', port: 443 }, false],
      ['an allowed name resolving to CGNAT', { from: RUNTIME, toIP: '100.64.1.1', toName: 'api.example.com', port: 443 }, false],
      ['an allowed name resolving to IPv6 unique-local', { from: RUNTIME, toIP: 'fd00::1', toName: 'api.example.com', port: 443 }, false],
      ['DNS: an allowed name', { from: RUNTIME, to: 'kube-dns', port: 53, protocol: 'UDP', dnsQuery: 'api.github.com' }, true],
      ['DNS: a cluster name', { from: RUNTIME, to: 'kube-dns', port: 53, protocol: 'UDP', dnsQuery: 'aileron-keycloak.aileron.svc.cluster.local' }, true],
      ['DNS: a name not allowed (no DNS exfiltration)', { from: RUNTIME, to: 'kube-dns', port: 53, protocol: 'UDP', dnsQuery: 'c2VjcmV0.attacker.net' }, false],
      ['the browser has its own list', { from: BROWSER, toIP: '142.250.1.1', toName: 'google.com', port: 443 }, true],
      ['the browser does not get the runtime list', { from: BROWSER, toIP: '160.79.104.10', toName: 'api.anthropic.com', port: 443 }, false],
    ]);
  });

  test('"all": the internet on any port, never private, metadata, loopback or multicast', () => {
    const world = cluster(ciliumOn, { firewall: { workspace: { domainAccessMode: 'all' } } });
    expectFlows(world, [
      ['a public address on any port', { from: RUNTIME, toIP: '1.1.1.1', port: 22 }, true],
      ['a public IPv6 address', { from: RUNTIME, toIP: '2606:4700::1111', port: 443 }, true],
      ['DNS: any name', { from: RUNTIME, to: 'kube-dns', port: 53, protocol: 'UDP', dnsQuery: 'anything.example.org' }, true],
      ['cloud metadata', { from: RUNTIME, toIP: '169.254.169.254', port: 80 }, false],
      ['RFC 1918', { from: RUNTIME, toIP: '172.16.5.5', port: 443 }, false],
      ['CGNAT', { from: RUNTIME, toIP: '100.100.100.200', port: 80 }, false],
      ['loopback', { from: RUNTIME, toIP: '127.0.0.1', port: 80 }, false],
      ['multicast', { from: RUNTIME, toIP: '239.1.1.1', port: 5353, protocol: 'UDP' }, false],
      ['IPv6 loopback', { from: RUNTIME, toIP: '::1', port: 80 }, false],
      ['IPv6 link-local', { from: RUNTIME, toIP: 'fe80::1', port: 80 }, false],
      ['IPv4-mapped IPv6 of metadata', { from: RUNTIME, toIP: '::ffff:169.254.169.254', port: 80 }, false],
      ['still no other workspace', { from: RUNTIME, to: OTHER_RUNTIME, port: 3002 }, false],
    ]);
  });

  test('networkAccessEnabled false: cluster DNS names only, no internet', () => {
    const world = cluster(ciliumOn, { firewall: { workspace: { networkAccessEnabled: false } } });
    expectFlows(world, [
      ['DNS: a public name', { from: RUNTIME, to: 'kube-dns', port: 53, protocol: 'UDP', dnsQuery: 'github.com' }, false],
      ['DNS: a cluster name', { from: RUNTIME, to: 'kube-dns', port: 53, protocol: 'UDP', dnsQuery: 'aileron-workspace-manager.aileron.svc.cluster.local' }, true],
      ['a default domain', { from: RUNTIME, toIP: '140.82.112.3', toName: 'github.com', port: 443 }, false],
      ['the platform still', { from: RUNTIME, to: MANAGER, port: WORKSPACE_MANAGER_PORT }, true],
    ]);
  });

  test('workspace auth off: the component ports are the public ones', () => {
    expectFlows(cluster([...ciliumOn, 'workspaceAuth.enabled=false']), openIngressRows);
  });

  test('serviceType NodePort opens the proxy port, and only that, to any source', () => {
    const world = cluster([...ciliumOn, 'kubernetes.serviceType=NodePort']);
    expectFlows(world, [
      ['the internet → runtime proxy', { fromIP: '203.0.113.9', to: RUNTIME, port: PROXY }, true],
      ['a node → runtime proxy', { fromEntity: 'remote-node', to: RUNTIME, port: PROXY }, true],
      ['the internet → runtime http, past the proxy', { fromIP: '203.0.113.9', to: RUNTIME, port: 3002 }, false],
      ['a node → runtime terminal, past the proxy', { fromEntity: 'remote-node', to: RUNTIME, port: 3004 }, false],
      ['the internet → browser CDP', { fromIP: '203.0.113.9', to: BROWSER, port: 9223 }, false],
      ['another workspace → runtime (a pod is not a NodePort client)', { from: OTHER_RUNTIME, to: RUNTIME, port: PROXY }, false],
    ]);
    const open = cluster([...ciliumOn, 'kubernetes.serviceType=NodePort', 'workspaceAuth.enabled=false']);
    expectFlows(open, [
      ['auth off: the internet → runtime http', { fromIP: '203.0.113.9', to: RUNTIME, port: 3002 }, true],
      ['auth off: the internet → browser CDP', { fromIP: '203.0.113.9', to: BROWSER, port: 9223 }, false],
    ]);
  });

  test('with nameOverride and another release, the policies still find the platform pods', () => {
    const world = cluster([...ciliumOn, 'nameOverride=ws', 'fullnameOverride=platform']);
    expectFlows(world, [
      ['runtime → workspace manager API', { from: RUNTIME, to: 'platform-workspace-manager', port: WORKSPACE_MANAGER_PORT }, true],
      ['workspace manager → runtime', { from: 'platform-workspace-manager', to: RUNTIME, port: PROXY }, true],
      ['runtime → PostgreSQL', { from: RUNTIME, to: 'platform-postgres', port: POSTGRES_PORT }, false],
    ]);
  });

  test('a TURN host given as IPv6 is a /128 exception, not a block', () => {
    const world = cluster([...ciliumOn, 'coturn.host=fd00::10']);
    expectFlows(world, [
      ['browser → TURN over IPv6', { from: BROWSER, toIP: 'fd00::10', port: 3478, protocol: 'UDP' }, true],
      ['browser → its neighbour', { from: BROWSER, toIP: 'fd00::11', port: 3478, protocol: 'UDP' }, false],
    ]);
  });

  test('a workspace pod whose own policy is missing reaches nothing and nothing reaches it (the baseline)', () => {
    const world = cluster(ciliumOn);
    world.policies = world.policies.filter((p) => !p.metadata.name.startsWith('workspace-alpha-'));
    expectFlows(world, [
      ['ingress controller → runtime', { from: 'ingress-controller', to: RUNTIME, port: PROXY }, false],
      ['runtime → DNS', { from: RUNTIME, to: 'kube-dns', port: 53, protocol: 'UDP' }, false],
      ['runtime → a public address', { from: RUNTIME, toIP: '1.1.1.1', port: 443 }, false],
      ['the other workspace is unaffected', { from: 'ingress-controller', to: OTHER_RUNTIME, port: PROXY }, true],
    ]);
  });
});

/** Gateway mode: the Gateway's data plane takes the ingress controller's place, and the ingress controller loses it. */
const gatewayRows = (source: Omit<Flow, 'to' | 'port'>): Row[] => [
  ['the Gateway → runtime proxy', { ...source, to: RUNTIME, port: PROXY }, true],
  ['the Gateway → browser proxy', { ...source, to: BROWSER, port: PROXY }, true],
  ['the Gateway → runtime terminal, past the proxy', { ...source, to: RUNTIME, port: 3004 }, false],
  ['the Gateway → browser CDP', { ...source, to: BROWSER, port: 9223 }, false],
  ['ingress-nginx, retired here → runtime proxy', { from: 'ingress-controller', to: RUNTIME, port: PROXY }, false],
  ['another pod of the Envoy Gateway namespace → runtime proxy', { from: 'other-pod-in-envoy-namespace', to: RUNTIME, port: PROXY }, false],
  ['workspace manager → runtime proxy', { from: MANAGER, to: RUNTIME, port: PROXY }, true],
  ['a pod in another namespace → runtime proxy', { from: 'pod-elsewhere', to: RUNTIME, port: PROXY }, false],
];
const GATEWAY = ['gatewayAPI.enabled=true', 'gatewayAPI.parentRefs[0].name=public', 'gatewayAPI.parentRefs[0].namespace=gateway-system'];

describe('Gateway mode: the data plane is the source', () => {
  test("Envoy Gateway's proxies (the defaults), with Cilium and with NetworkPolicy", () => {
    expectFlows(cluster([...GATEWAY, ...ciliumOn]), gatewayRows({ from: 'envoy-proxy' }));
    expectFlows(cluster(GATEWAY), gatewayRows({ from: 'envoy-proxy' }));
  });

  test("Cilium's own Gateway: the \"ingress\" entity, and no pod in its place", () => {
    expectFlows(cluster([...GATEWAY, ...ciliumOn, 'gatewayAPI.implementation=cilium']), [
      ...gatewayRows({ fromEntity: 'ingress' }),
      ["Envoy Gateway's labels, unused here → runtime proxy", { from: 'envoy-proxy', to: RUNTIME, port: PROXY }, false],
    ]);
  });
});

describe('without Cilium (NetworkPolicy, as Cilium itself enforces it)', () => {
  test('the same ingress and in-cluster egress as with Cilium', () => {
    expectFlows(cluster([]), [...ingressRows, ...podEgressRows.filter(([what]) => !what.includes('kube-apiserver'))]);
    expectFlows(cluster(['workspaceAuth.enabled=false']), openIngressRows);
  });

  test('"specific" keeps to the web ports of public addresses; private and metadata stay closed', () => {
    expectFlows(cluster([]), [
      ['a public address on 443', { from: RUNTIME, toIP: '140.82.112.3', port: 443 }, true],
      ['a public address on 22', { from: RUNTIME, toIP: '140.82.112.3', port: 22 }, false],
      ['cloud metadata', { from: RUNTIME, toIP: '169.254.169.254', port: 80 }, false],
      ['a private address', { from: RUNTIME, toIP: '192.168.1.1', port: 443 }, false],
      ['IPv6 unique-local', { from: RUNTIME, toIP: 'fd00::1', port: 443 }, false],
    ]);
  });

  test('"all" and networkAccessEnabled false', () => {
    expectFlows(cluster([], { firewall: { workspace: { domainAccessMode: 'all' } } }), [
      ['a public address on any port', { from: RUNTIME, toIP: '1.1.1.1', port: 22 }, true],
      ['cloud metadata', { from: RUNTIME, toIP: '169.254.169.254', port: 80 }, false],
    ]);
    expectFlows(cluster([], { firewall: { workspace: { networkAccessEnabled: false } } }), [
      ['a public address', { from: RUNTIME, toIP: '140.82.112.3', port: 443 }, false],
      ['the platform', { from: RUNTIME, to: MANAGER, port: WORKSPACE_MANAGER_PORT }, true],
    ]);
  });
});

describe('every policy the platform and the operator can emit parses with Cilium', () => {
  const domain = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/), fc.constantFrom('com', 'io', 'internal')).map(([a, b]) => `${a}.${b}`);
  const group = fc.record(
    {
      networkAccessEnabled: fc.boolean(),
      domainAccessMode: fc.constantFrom('specific', 'all'),
      allowedDomains: fc.array(fc.oneof(domain, domain.map((d) => `*.${d}`)), { maxLength: 4 }),
    },
    { requiredKeys: [] },
  );
  const spec = fc.record(
    {
      browser: fc.record({ enabled: fc.boolean() }),
      canvas: fc.record({ enabled: fc.boolean() }),
      firewall: fc.record({ workspace: group, browser: group }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  );

  test('200 random values sets and Workspaces: no policy Cilium refuses', () => {
    const policies: K8sObject[] = [];
    fc.assert(
      fc.property(validValues, spec, fc.integer({ min: 0, max: 1000 }), (overlay, s, n) => {
        const values = loadValues({ overlays: [overlay as JsonObject] });
        const platform = workspacePlatform(values);
        const ns = values.kubernetes.defaultNamespace;
        const ws = { ...workspace(`ws-${n}`, `w${n}`, { ...s, targetNamespace: ns }), metadata: { name: `ws-${n}`, namespace: ns, uid: `u${n}` } };
        const objects = [...render({ overlays: [overlay as JsonObject] }), ...desiredState(ws, platform, { turn: TURN, auth: TEST_AUTH }).objects, baselinePolicy(ns)];
        policies.push(...objects.filter((o) => o.kind === 'NetworkPolicy' || o.kind === 'CiliumNetworkPolicy'));
      }),
      { numRuns: 200, seed: 8 },
    );
    const { parsed } = ciliumPolicy(policies);
    expect(parsed).toHaveLength(policies.length);
    expect(new Set(parsed.map((p) => p.kind))).toEqual(new Set(['NetworkPolicy', 'CiliumNetworkPolicy']));
    expect(parsed.filter((p) => p.error)).toEqual([]);
  });
});
