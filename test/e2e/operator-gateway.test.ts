/**
 * The operator in Gateway API mode, under its own ServiceAccount, on a control plane of its own with the real
 * Gateway API CRDs: a Workspace's public components get HTTPRoutes (no Ingress), with the same hosts; switching
 * the platform back to Ingresses replaces them and leaves no route behind, and back again.
 */
import { eventually, OperatorHarness, workspaceYaml, type Operator } from '../support/operator-harness.js';
import type { Loose } from '../support/render.js';

const h = new OperatorHarness();
const { kOk, json, owned } = h;
const NS = 'workspace-system';
const GATEWAY = ['gatewayAPI.enabled=true', 'gatewayAPI.parentRefs[0].name=public', 'gatewayAPI.parentRefs[0].namespace=gateway-system'];
let op: Operator;

beforeAll(async () => {
  await h.start();
  op = await h.reconfigure(op, GATEWAY);
});
afterAll(async () => {
  if (process.env.AILERON_DEBUG) process.stderr.write(`${h.logs().join('\n')}\n`);
  await h.stop();
});

test('Gateway API mode: an HTTPRoute per public component on the Gateway, the same hosts and paths, no Ingress', async () => {
  kOk(['apply', '-f', '-'], workspaceYaml('ws-gw', 'gw', NS));
  await eventually('routes', () => owned('httproute', 'gw').length === 3);
  expect(owned('ingress', 'gw')).toEqual([]);
  const runtime = json(['get', 'httproute', 'workspace-runtime-gw', '-n', NS]).spec;
  expect(runtime.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway-system' }]);
  expect(runtime.hostnames).toEqual(['workspace-runtime-gw.aileron.local']);
  expect(runtime.rules.map((r: Loose) => [r.matches[0].path.value, r.backendRefs[0].name, r.backendRefs[0].port])).toEqual([
    ['/ws/terminal', 'workspace-runtime-gw', 3004],
    ['/', 'workspace-runtime-gw', 3002],
  ]);
  // Status URLs are the hosts, whichever kind routes them.
  await eventually('status URL', () => json(['get', 'workspace', 'ws-gw', '-n', NS]).status?.components?.runtime?.externalUrl === 'http://workspace-runtime-gw.aileron.local');
});

test('switching to Ingresses replaces the routes and leaves none behind; and back', async () => {
  op = await h.reconfigure(op, []);
  await eventually('ingresses, no routes', () => owned('ingress', 'gw').length === 3 && owned('httproute', 'gw').length === 0);
  op = await h.reconfigure(op, GATEWAY);
  await eventually('routes, no ingresses', () => owned('httproute', 'gw').length === 3 && owned('ingress', 'gw').length === 0);
});
