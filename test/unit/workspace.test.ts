import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadValues, type ValuesSources } from '../../lib/values/load.js';
import { workspacePlatform } from '../../lib/workspace/platform.js';
import { desiredState } from '../../lib/workspace/workspace-chart.js';
import { WorkspaceError, type WorkspaceResource } from '../../lib/workspace/model.js';
import { firewallStatus } from '../../lib/workspace/firewall.js';
import { validateWorkspace } from '../../lib/workspace/validate.js';
import { toYamlDocuments } from '../../lib/render/write.js';
import { exampleFile, find, podSpecOf, ROOT, TEST_AUTH, type Loose } from '../support/render.js';
import type { K8sObject } from '../../lib/platform/platform-chart.js';
import { kubeconform } from '../support/tools.js';

const example = (): WorkspaceResource => validateWorkspace(parse(readFileSync(join(ROOT, 'examples', 'workspace.yaml'), 'utf8')));
const platformFor = (sources: ValuesSources = {}) => workspacePlatform(loadValues(sources));
const TURN = { username: 'aileron', credential: 'turn-secret' };
const render = (ws = example(), sources: ValuesSources = {}) => desiredState({ ...ws, metadata: { ...ws.metadata, uid: 'uid-1' } }, platformFor(sources), { turn: TURN, auth: TEST_AUTH });
const withSpec = (patch: object): WorkspaceResource => {
  const ws = example();
  return { ...ws, spec: { ...ws.spec, ...patch } as WorkspaceResource['spec'] };
};

describe('the upstream example Workspace', () => {
  const { objects, workspace } = render();

  test('runtime, browser and canvas each get a Deployment, Service and Ingress in the target namespace', () => {
    for (const c of ['runtime', 'browser', 'canvas']) {
      for (const kind of ['Deployment', 'Service', 'Ingress']) expect(find(objects, kind, `workspace-${c}-my-workspace`, 'workspace-system')).toBeDefined();
    }
  });

  test('ports: runtime 3002/3004 with /ws/terminal on 3004, browser 6080/9223, canvas 3003/3013; the sign-in proxy\'s metrics on 4181', () => {
    const ports = (c: string) => ((find(objects, 'Service', `workspace-${c}-my-workspace`).spec as Loose).ports as Loose[]).map((p) => p.port);
    expect(ports('runtime')).toEqual([3004, 3002, 4181]);
    expect(ports('browser')).toEqual([6080, 9223, 4181]);
    expect(ports('canvas')).toEqual([3013, 3003, 4181]);
    const paths = ((find(objects, 'Ingress', 'workspace-runtime-my-workspace').spec as Loose).rules[0].http.paths as Loose[]).map((p) => [p.path, p.backend.service.port.name]);
    expect(paths).toEqual([
      ['/ws/terminal', 'terminal'],
      ['/', 'http'],
    ]);
    // CDP controls the browser: never public.
    expect(JSON.stringify(find(objects, 'Ingress', 'workspace-browser-my-workspace').spec)).not.toContain('cdp');
  });

  test('hosts and URLs come from the routing patterns', () => {
    expect((find(objects, 'Ingress', 'workspace-browser-my-workspace').spec as Loose).rules[0].host).toBe('workspace-browser-my-workspace.aileron.local');
    expect(workspace.components.canvas.externalUrl).toBe('http://workspace-canvas-my-workspace.aileron.local');
    expect(workspace.components.runtime.internalUrl).toBe('http://workspace-runtime-my-workspace.workspace-system.svc.cluster.local:3002');
  });

  test('a per-workspace PVC, mounted at workspacePath by runtime and canvas, canvas pinned to the runtime node', () => {
    const pvc = find(objects, 'PersistentVolumeClaim', 'workspace-runtime-pvc-my-workspace');
    expect(pvc.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    expect(pvc.metadata).not.toHaveProperty('ownerReferences'); // kept on delete by default
    for (const c of ['runtime', 'canvas']) {
      const spec = (find(objects, 'Deployment', `workspace-${c}-my-workspace`).spec as Loose).template.spec;
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'workspace', mountPath: '/workspace' });
      expect(spec.volumes).toContainEqual({ name: 'workspace', persistentVolumeClaim: { claimName: 'workspace-runtime-pvc-my-workspace' } });
    }
    const canvas = (find(objects, 'Deployment', 'workspace-canvas-my-workspace').spec as Loose).template.spec;
    expect(canvas.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
  });

  test('resources default to kubernetes.workspaceDefaults; restricted securityContext', () => {
    const spec = (find(objects, 'Deployment', 'workspace-browser-my-workspace').spec as Loose).template.spec;
    expect(spec.containers[0].resources).toEqual({ requests: { cpu: '1000m', memory: '1Gi' }, limits: { cpu: '2000m', memory: '2Gi' } });
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('runtime env carries the spec envVars and git settings', () => {
    const env = (find(objects, 'Deployment', 'workspace-runtime-my-workspace').spec as Loose).template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([{ name: 'NODE_ENV', value: 'production' }, { name: 'GIT_URL', value: 'https://github.com/example/repo.git' }, { name: 'GIT_BRANCH', value: 'main' }]));
  });

  test('the browser gets neko TURN settings from the CoTURN values, credentials through a Secret', () => {
    const env = Object.fromEntries(
      ((find(objects, 'Deployment', 'workspace-browser-my-workspace').spec as Loose).template.spec.containers[0].env as Loose[]).map((e) => [e.name, e.value ?? e.valueFrom]),
    );
    expect(JSON.parse(env.NEKO_WEBRTC_ICESERVERS_BACKEND)).toEqual([
      { urls: ['turn:192.168.65.3:30478?transport=udp', 'turn:192.168.65.3:30478?transport=tcp'], username: '$(TURN_USERNAME)', credential: '$(TURN_CREDENTIAL)' },
    ]);
    expect(env.TURN_CREDENTIAL).toEqual({ secretKeyRef: { name: 'workspace-browser-my-workspace-turn', key: 'credential' } });
    expect((find(objects, 'Secret', 'workspace-browser-my-workspace-turn').stringData as Loose).credential).toBe('turn-secret');
  });

  test('objects in the Workspace namespace are owned by it', () => {
    expect(find(objects, 'Deployment', 'workspace-runtime-my-workspace').metadata).toMatchObject({
      ownerReferences: [{ kind: 'Workspace', name: 'ws-example', uid: 'uid-1', controller: true }],
    });
  });

  test('every object passes kubeconform -strict (with and without Cilium, https)', () => {
    const all = [...objects, ...render(example(), { files: [exampleFile('prod')] }).objects];
    const res = kubeconform([], toYamlDocuments(all));
    expect(res.stdout + res.stderr).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });
});

describe('namespaces', () => {
  test('targetNamespace defaults to kubernetes.defaultNamespace', () => {
    const ws = example();
    const { targetNamespace: _t, ...spec } = ws.spec;
    expect(desiredState({ ...ws, spec: spec as WorkspaceResource['spec'] }, platformFor(), { auth: TEST_AUTH }).workspace.namespace).toBe('workspace-system');
  });

  test('a namespace that is not allowed is an error naming spec.targetNamespace', () => {
    let error: unknown;
    try {
      render(withSpec({ targetNamespace: 'team-z' }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as WorkspaceError).field).toBe('spec.targetNamespace');
    expect((error as WorkspaceError).reason).toBe('NamespaceNotAllowed');
  });

  test('across namespaces nothing is owned (the finalizer cleans up)', () => {
    const ws = withSpec({ targetNamespace: 'team-b' });
    const { objects } = render(ws, { set: ['kubernetes.allowedNamespaces={workspace-system,team-b}'] });
    expect(objects.every((o) => o.metadata.namespace === 'team-b' && !('ownerReferences' in o.metadata))).toBe(true);
  });
});

describe('workspace sign-in', () => {
  const proxyOf = (objects: K8sObject[], component: string) =>
    (podSpecOf(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `workspace-${component}-my-workspace`)!).containers as Loose[]).find((c) => c.name === 'auth-proxy');

  test('each component\'s proxy lets in the owner, and routes its public paths to the component on loopback', () => {
    const { objects } = render();
    expect(proxyOf(objects, 'runtime').args).toEqual(expect.arrayContaining(['--allowed-group=user-123', '--upstream=http://127.0.0.1:3004/ws/terminal', '--upstream=http://127.0.0.1:3002/']));
    expect(proxyOf(objects, 'browser').args.filter((a: string) => a.startsWith('--upstream='))).toEqual(['--upstream=http://127.0.0.1:6080/']);
    expect(proxyOf(objects, 'canvas').args.filter((a: string) => a.startsWith('--upstream='))).toEqual(['--upstream=http://127.0.0.1:3013/ws', '--upstream=http://127.0.0.1:3003/']);
    // No admin group by default; with one, its realm role gets in too.
    expect(proxyOf(objects, 'runtime').args.some((a: string) => a.startsWith('--allowed-role='))).toBe(false);
    expect(proxyOf(render(example(), { set: ['workspaceAuth.adminGroup=ops'] }).objects, 'runtime').args).toContain('--allowed-role=aileron-workspace-admin');
  });

  test('https makes the cookie Secure; it is always on the base domain', () => {
    const args = proxyOf(render(example(), { files: [exampleFile('prod')] }).objects, 'runtime').args as string[];
    expect(args).toEqual(expect.arrayContaining(['--cookie-secure=true', '--cookie-domain=.example.com', '--cookie-httponly=true', '--cookie-samesite=lax']));
  });

  test.each([['a comma', 'alice,bob'], ['a quote', '"alice"'], ['a line break', 'alice\nbob'], ['a space', 'alice bob']])(
    'an ownerId with %s is refused naming spec.ownerId, before any object exists',
    (_what, ownerId) => {
      expect(() => render(withSpec({ ownerId }))).toThrow(/^spec\.ownerId: /);
    },
  );

  test('without the platform\'s proxy credentials nothing is rendered; with auth off there is no proxy', () => {
    const ws = { ...example(), metadata: { ...example().metadata, uid: 'uid-1' } };
    expect(() => desiredState(ws, platformFor(), { turn: TURN })).toThrow(/aileron\/aileron-workspace-auth/);
    const { objects } = desiredState(ws, platformFor({ set: ['workspaceAuth.enabled=false'] }), { turn: TURN });
    expect(proxyOf(objects, 'runtime')).toBeUndefined();
    expect(objects.some((o) => o.metadata.name === 'workspace-my-workspace-auth')).toBe(false);
  });
});

describe('components and operations', () => {
  test('a disabled browser is absent, with its firewall and TURN Secret', () => {
    const { objects } = render(withSpec({ browser: { enabled: false } }));
    expect(objects.some((o) => o.metadata.name.startsWith('workspace-browser-'))).toBe(false);
    expect(objects.some((o) => o.metadata.name === 'workspace-my-workspace-browser')).toBe(false);
  });

  test('restart triggers become a pod template annotation, the latest one winning', () => {
    const { objects } = render(withSpec({ operations: { restartWorkspaceAt: '2026-04-09T10:00:00Z', restartRuntimeAt: '2026-04-10T10:00:00Z' } }));
    const ann = (name: string) => (find(objects, 'Deployment', name).spec as Loose).template.metadata.annotations;
    expect(ann('workspace-runtime-my-workspace')).toEqual({ 'platform.aileron.io/restarted-at': '2026-04-10T10:00:00Z' });
    expect(ann('workspace-canvas-my-workspace')).toEqual({ 'platform.aileron.io/restarted-at': '2026-04-09T10:00:00Z' });
  });

  test('bandwidth: the platform default on every pod, the spec\'s own where set, none by default', () => {
    const bandwidth = (objects: K8sObject[], c: string) => {
      const a = (find(objects, 'Deployment', `workspace-${c}-my-workspace`).spec as Loose).template.metadata.annotations ?? {};
      return [a['kubernetes.io/ingress-bandwidth'], a['kubernetes.io/egress-bandwidth']];
    };
    expect(bandwidth(render().objects, 'runtime')).toEqual([undefined, undefined]);
    const set = ['kubernetes.workspaceDefaults.bandwidth.ingress=100M', 'kubernetes.workspaceDefaults.bandwidth.egress=20M'];
    const defaults = render(example(), { set }).objects;
    for (const c of ['runtime', 'browser', 'canvas']) expect(bandwidth(defaults, c)).toEqual(['100M', '20M']);
    expect(bandwidth(render(withSpec({ bandwidth: { egress: '1G' } }), { set }).objects, 'browser')).toEqual(['100M', '1G']);
    expect(() => render(withSpec({ bandwidth: { ingress: '500' } }))).toThrow('spec.bandwidth.ingress: 500 is outside what the kubelet accepts (1k to 1P bits per second)');
  });

  test('spec resources win over the defaults', () => {
    const { objects } = render(withSpec({ runtime: { resources: { limits: { cpu: '4', memory: '8Gi' } } } }));
    expect((find(objects, 'Deployment', 'workspace-runtime-my-workspace').spec as Loose).template.spec.containers[0].resources).toEqual({ limits: { cpu: '4', memory: '8Gi' } });
  });

  test('knowledge bases mount at /knowledge/<alias> with subPath kbId and readOnly honoured', () => {
    const { objects } = render(withSpec({ knowledgeBases: [{ kbId: 'kb-1', alias: 'docs' }, { kbId: 'kb-2', alias: 'notes', readOnly: false }] }));
    const spec = (find(objects, 'Deployment', 'workspace-runtime-my-workspace').spec as Loose).template.spec;
    expect(spec.containers[0].volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'knowledge-bases', mountPath: '/knowledge/docs', subPath: 'kb-1', readOnly: true },
        { name: 'knowledge-bases', mountPath: '/knowledge/notes', subPath: 'kb-2', readOnly: false },
      ]),
    );
    expect(spec.volumes).toContainEqual({ name: 'knowledge-bases', persistentVolumeClaim: { claimName: 'knowledge-bases-pvc' } });
  });
});

describe('TLS on workspace hosts', () => {
  test('https with a wildcard in ingress.tls uses that Secret', () => {
    const tls = (find(render(example(), { files: [exampleFile('prod')] }).objects, 'Ingress', 'workspace-canvas-my-workspace').spec as Loose).tls;
    expect(tls).toEqual([{ hosts: ['workspace-canvas-my-workspace.example.com'], secretName: 'aileron-tls' }]);
  });

  test('https with a cert-manager issuer gets a certificate per Ingress', () => {
    const { objects } = render(example(), { set: ['publicRouting.scheme=https', 'ingress.workspaceTls.clusterIssuer=letsencrypt'] });
    const ing = find(objects, 'Ingress', 'workspace-runtime-my-workspace');
    expect(ing.metadata.annotations!['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
    expect((ing.spec as Loose).tls).toEqual([{ hosts: ['workspace-runtime-my-workspace.aileron.local'], secretName: 'workspace-runtime-my-workspace-tls' }]);
  });

  test('http has no TLS', () => {
    expect((find(render().objects, 'Ingress', 'workspace-runtime-my-workspace').spec as Loose).tls).toBeUndefined();
  });
});

describe("Gateway mode on the chart's own Gateway", () => {
  test("the workspace's routes attach to its https listener, with the request timeout off for WebSockets, and no Ingress", () => {
    const { objects } = render(example(), { files: [exampleFile('gateway-own')] });
    expect(objects.filter((o) => o.kind === 'Ingress')).toEqual([]);
    const route = find(objects, 'HTTPRoute', 'workspace-runtime-my-workspace', 'workspace-system').spec as Loose;
    expect(route.parentRefs).toEqual([{ name: 'aileron', namespace: 'aileron', sectionName: 'https' }]);
    expect(route.hostnames).toEqual(['workspace-runtime-my-workspace.example.com']);
    expect((route.rules as Loose[]).map((r) => r.timeouts)).toEqual([{ request: '0s' }, { request: '0s' }]);
    // Owner-only access holds as with an Ingress: every port the route names leads to the sign-in proxy.
    const service = find(objects, 'Service', 'workspace-runtime-my-workspace').spec as Loose;
    const routed = (route.rules as Loose[]).map((r) => r.backendRefs[0].port);
    expect((service.ports as Loose[]).filter((p) => routed.includes(p.port)).map((p) => p.targetPort)).toEqual(['auth', 'auth']);
  });

  test('requestTimeout "" leaves timeouts to the implementation; a shared Gateway is kept beside ours', () => {
    const set = ['gatewayAPI.requestTimeout=', 'gatewayAPI.parentRefs[0].name=edge', 'gatewayAPI.parentRefs[0].namespace=edge'];
    const route = find(render(example(), { files: [exampleFile('gateway-own')], set }).objects, 'HTTPRoute', 'workspace-canvas-my-workspace').spec as Loose;
    expect((route.rules as Loose[]).map((r) => r.timeouts)).toEqual([undefined, undefined]);
    expect(route.parentRefs).toEqual([{ name: 'edge', namespace: 'edge' }, { name: 'aileron', namespace: 'aileron', sectionName: 'https' }]);
  });
});

describe('firewall (what it means is tested with Cilium\'s own code in firewall-matrix.test.ts)', () => {
  const cilium = { set: ['cilium.enabled=true'] };
  const policy = (objects: ReturnType<typeof render>['objects'], group: string) => find(objects, 'CiliumNetworkPolicy', `workspace-my-workspace-${group}`).spec as Loose;

  test('Cilium: ingress, egress and an egressDeny that wins over both', () => {
    const spec = policy(render(example(), cilium).objects, 'workspace');
    expect(Object.keys(spec).sort()).toEqual(['egress', 'egressDeny', 'endpointSelector', 'ingress']);
    expect(spec.egressDeny[0].toCIDRSet.map((c: Loose) => c.cidr)).toEqual(expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16', 'fc00::/7']));
  });

  test('the platform pods really carry the labels the policy selects', async () => {
    const { render: renderPlatform } = await import('../support/render.js');
    const manager = find(renderPlatform(), 'Deployment', 'aileron-workspace-manager');
    expect((manager.spec as Loose).template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'aileron', 'app.kubernetes.io/instance': 'aileron', 'app.kubernetes.io/component': 'workspace-manager' });
  });

  test('toFQDNs = defaults ∪ spec domains, and status reports them', () => {
    const { objects, workspace } = render(example(), cilium);
    const fqdns = policy(objects, 'browser').egress.find((r: Loose) => r.toFQDNs).toFQDNs.map((x: Loose) => x.matchName);
    expect(fqdns).toEqual(['github.com', 'google.com', 'googleapis.com', 'gstatic.com']);
    expect(firewallStatus(workspace.firewall.browser, platformFor(cilium)).effectiveAllowedDomains).toEqual(fqdns);
  });

  test('the TURN host: IPv4 as /32, IPv6 as /128, carved out of the deny', () => {
    for (const [host, cidr] of [['192.168.65.3', '192.168.65.3/32'], ['2001:db8::7', '2001:db8::7/128']]) {
      const spec = policy(render(example(), { set: ['cilium.enabled=true', `coturn.host=${host}`] }).objects, 'browser');
      expect(spec.egress.find((r: Loose) => r.toCIDR).toCIDR).toEqual([cidr]);
    }
    const deny = policy(render(example(), cilium).objects, 'browser').egressDeny[0].toCIDRSet;
    expect(deny.find((c: Loose) => c.cidr === '192.168.0.0/16')).toEqual({ cidr: '192.168.0.0/16', except: ['192.168.65.3/32'] });
    expect(policy(render(example(), cilium).objects, 'workspace').egressDeny[0].toCIDRSet.find((c: Loose) => c.cidr === '192.168.0.0/16')).toEqual({ cidr: '192.168.0.0/16' });
  });

  test('without Cilium: ingress and egress NetworkPolicies; status says domains are not enforced', () => {
    const { objects, workspace } = render();
    const np = find(objects, 'NetworkPolicy', 'workspace-my-workspace-workspace').spec as Loose;
    expect(np.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(firewallStatus(workspace.firewall.workspace, platformFor())).toEqual({
      networkAccessEnabled: true,
      domainAccessMode: 'specific',
      effectiveAllowedDomains: ['*'],
      enforcedBy: 'NetworkPolicy',
    });
  });
});

describe('aileron-k8s workspace input checks', () => {
  test.each([
    [{ spec: { workspaceId: 'ok' } }, 'spec.ownerId'],
    [{ spec: { workspaceId: 'Bad_Id', ownerId: 'u' } }, 'spec.workspaceId'],
    [{ spec: { workspaceId: 'ok', ownerId: 'u', firewall: { browser: { domainAccessMode: 'some' } } } }, 'spec.firewall.browser.domainAccessMode'],
  ])('%j is refused naming %s', (body, field) => {
    let error: unknown;
    try {
      validateWorkspace({ apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', metadata: { name: 'w' }, ...body });
    } catch (err) {
      error = err;
    }
    expect((error as WorkspaceError).field).toBe(field);
  });
});
