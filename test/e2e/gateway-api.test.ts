import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyServerSide, k, kOk, synthToDir, waitForCrd } from '../support/cluster.js';
import { GATEWAY_API_CRDS } from '../support/gateway-api.js';
import { helmTemplate } from '../support/helm.js';
import { exampleFile, type Loose } from '../support/render.js';

// Gateway mode against the real Gateway API CRDs (standard channel, from the pinned module): what synth and
// helm render is accepted by their schemas and CEL rules, server-side, with strict field validation.
const NS = 'gateway-platform';
const files = [exampleFile('gateway-api')];
// Workspace namespaces of its own, and no TURN NodePort: other test releases share this cluster.
const overlay = { kubernetes: { allowedNamespaces: ['gateway-ws'], defaultNamespace: 'gateway-ws' }, coturn: { enabled: false } };
const set = ['kubernetes.allowedNamespaces={gateway-ws}', 'kubernetes.defaultNamespace=gateway-ws', 'coturn.enabled=false'];

beforeAll(() => {
  // Every file of the standard channel, as its install applies them (CRDs, and the policy guarding their upgrades).
  kOk(['apply', '--server-side', ...readdirSync(GATEWAY_API_CRDS).filter((f) => f.endsWith('.yaml')).flatMap((f) => ['-f', join(GATEWAY_API_CRDS, f)])]);
  waitForCrd('httproutes.gateway.networking.k8s.io');
});

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
