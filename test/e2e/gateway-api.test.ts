import { applyServerSide, k, kOk, synthToDir } from '../support/cluster.js';
import { installGatewayApiCrds } from '../support/gateway-api.js';
import { helmTemplate } from '../support/helm.js';
import { exampleFile, type Loose } from '../support/render.js';

// Gateway mode against the real Gateway API CRDs (standard channel, from the pinned module): what synth and
// helm render is accepted by their schemas and CEL rules, server-side, with strict field validation.
const NS = 'gateway-platform';
const files = [exampleFile('gateway-api')];
// Workspace namespaces of its own, and no TURN NodePort: other test releases share this cluster.
const overlay = { kubernetes: { allowedNamespaces: ['gateway-ws'], defaultNamespace: 'gateway-ws' }, coturn: { enabled: false } };
const set = ['kubernetes.allowedNamespaces={gateway-ws}', 'kubernetes.defaultNamespace=gateway-ws', 'coturn.enabled=false'];

beforeAll(installGatewayApiCrds);

test("synth's HTTPRoutes are accepted and stored as rendered", () => {
  const res = applyServerSide(synthToDir({ files, set }, 'gw', NS));
  expect([res.status, res.stderr]).toEqual([0, '']);
  const stored = JSON.parse(kOk(['get', 'httproutes', '-n', NS, '-o', 'json'])).items as Loose[];
  expect(stored.map((r) => [r.metadata.name, r.spec.hostnames[0], r.spec.parentRefs[0].name]).sort()).toEqual([
    ['gw-aileron-frontend', 'example.com', 'public'],
    ['gw-aileron-keycloak', 'keycloak.example.com', 'public'],
    ['gw-aileron-workspace-auth', 'auth.example.com', 'public'],
    ['gw-aileron-workspace-manager', 'workspace-manager.example.com', 'public'],
  ]);
});

test("helm's are accepted the same way (server-side dry run)", () => {
  const routes = helmTemplate({ files, overlay, release: 'gw', namespace: NS }).filter((o) => o.kind === 'HTTPRoute');
  expect(routes).toHaveLength(4);
  const res = k(['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=aileron-k8s', '-f', '-'], routes.map((r) => JSON.stringify(r)).join('\n'));
  expect([res.status, res.stderr]).toEqual([0, '']);
});

test('the CRD really validates: a Service backend without its port is refused by its CEL rule', () => {
  const route = JSON.parse(kOk(['get', 'httproute', 'gw-aileron-frontend', '-n', NS, '-o', 'json']));
  delete route.spec.rules[0].backendRefs[0].port;
  const res = k(['apply', '--server-side', '--dry-run=server', '--field-manager=aileron-k8s', '-f', '-'], JSON.stringify({ ...route, metadata: { name: 'no-port', namespace: NS } }));
  expect(res.status).not.toBe(0);
  expect(res.stderr).toContain('Must have port for Service reference');
});

describe("the chart's own Gateway (gatewayAPI.createGateway)", () => {
  const OWN = 'gateway-own';
  const own = [exampleFile('gateway-own')];

  test('synth renders a Gateway the CRD accepts: HTTPS for *.<baseDomain> with the wildcard Secret, HTTP only redirecting', () => {
    const res = applyServerSide(synthToDir({ files: own, set }, 'gwo', OWN));
    expect([res.status, res.stderr]).toEqual([0, '']);
    const gateway = JSON.parse(kOk(['get', 'gateway', 'gwo-aileron', '-n', OWN, '-o', 'json'])) as Loose;
    expect(gateway.spec.gatewayClassName).toBe('envoy-gateway');
    const listeners = Object.fromEntries((gateway.spec.listeners as Loose[]).map((l) => [l.name, l]));
    expect(listeners.https).toMatchObject({ port: 443, protocol: 'HTTPS', hostname: '*.example.com', tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'wildcard-example-com' }] } });
    // Routes attach from the release and the workspace namespaces only: a route elsewhere cannot claim a platform host.
    expect(listeners.https.allowedRoutes.namespaces).toEqual({
      from: 'Selector',
      selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [OWN, 'gateway-ws'] }] },
    });
    expect(listeners.http.allowedRoutes.namespaces).toEqual({ from: 'Same' });
    const redirect = JSON.parse(kOk(['get', 'httproute', 'gwo-aileron-https-redirect', '-n', OWN, '-o', 'json'])) as Loose;
    expect(redirect.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gwo-aileron', sectionName: 'http' }]);
    expect(redirect.spec.rules[0].filters).toEqual([{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }]);
    // Every platform route rides the HTTPS listener, with the request timeout off for WebSockets.
    const frontend = JSON.parse(kOk(['get', 'httproute', 'gwo-aileron-frontend', '-n', OWN, '-o', 'json'])) as Loose;
    expect(frontend.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gwo-aileron', namespace: OWN, sectionName: 'https' }]);
    expect(frontend.spec.rules[0].timeouts).toEqual({ request: '0s' });
  });

  test("helm's Gateway is the same object, accepted the same way", () => {
    const objects = helmTemplate({ files: own, overlay, release: 'gwo', namespace: OWN }).filter((o) => o.kind === 'Gateway' || o.kind === 'HTTPRoute');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Gateway/gwo-aileron',
      'HTTPRoute/gwo-aileron-frontend',
      'HTTPRoute/gwo-aileron-https-redirect',
      'HTTPRoute/gwo-aileron-keycloak',
      'HTTPRoute/gwo-aileron-workspace-auth',
      'HTTPRoute/gwo-aileron-workspace-manager',
    ]);
    const res = k(['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=aileron-k8s', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
    expect([res.status, res.stderr]).toEqual([0, '']);
  });

  test('why values refuse an HTTPS Gateway without a certificate: the CRD refuses the listener too', () => {
    const gateway = JSON.parse(kOk(['get', 'gateway', 'gwo-aileron', '-n', OWN, '-o', 'json'])) as Loose;
    const https = (gateway.spec.listeners as Loose[]).find((l) => l.name === 'https')!;
    delete https.tls.certificateRefs;
    const res = k(['apply', '--server-side', '--dry-run=server', '--field-manager=aileron-k8s', '-f', '-'], JSON.stringify({ ...gateway, metadata: { name: 'no-cert', namespace: OWN } }));
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('certificateRefs or options must be specified when mode is Terminate');
  });
});
