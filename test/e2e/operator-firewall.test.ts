/**
 * The workspace firewall end to end: the operator under its own
 * ServiceAccount, with Cilium off, then on without the Cilium API, then with
 * the real Cilium CRD from the pinned github.com/cilium/cilium module, then
 * off again. Its own control plane, since it installs and switches the CRDs.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../support/render.js';
import { eventually, OperatorHarness, reconciled, settled, workspaceYaml, type Operator } from '../support/operator-harness.js';
import { CILIUM_NETWORK_POLICY_CRD, ciliumPolicy } from '../support/cilium.js';
import { BASELINE_POLICY_NAME } from '../../lib/workspace/firewall.js';
import type { K8sObject } from '../../lib/platform/platform-chart.js';

const h = new OperatorHarness();
const { k, kOk, json, exists, owned, condition } = h;
const NS = 'workspace-system';
let op: Operator;

async function platformWithCilium(enabled: boolean) {
  op = await h.reconfigure(op, [`cilium.enabled=${enabled}`], `op-cilium-${enabled}-${Date.now()}`);
}

const storedPolicies = (kind: string, id: string): K8sObject[] =>
  json(['get', kind, '-n', NS, '-l', `platform.aileron.io/workspace-id=${id}`]).items;

beforeAll(async () => {
  await h.start();
  await platformWithCilium(false);
});
afterAll(async () => {
  if (process.env.AILERON_DEBUG) process.stderr.write(`${h.logs().join('\n')}\n`);
  await h.stop();
});

test('Cilium off: a default-deny baseline, then ingress and egress NetworkPolicies, then the workloads', async () => {
  kOk(['apply', '-f', '-'], workspaceYaml('ws-a', 'fw-a', NS));
  await eventually('deployments', () => owned('deployment', 'fw-a').length === 3);
  const baseline = json(['get', 'networkpolicy', BASELINE_POLICY_NAME, '-n', NS]);
  expect(baseline.spec).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'aileron-workspace' } }, policyTypes: ['Ingress', 'Egress'] });
  expect(owned('networkpolicy', 'fw-a')).toEqual(['networkpolicy.networking.k8s.io/workspace-fw-a-browser', 'networkpolicy.networking.k8s.io/workspace-fw-a-workspace']);
  // What the API server stored is what Cilium would enforce.
  const stored = [...storedPolicies('networkpolicy', 'fw-a'), baseline];
  expect(ciliumPolicy(stored).parsed.filter((p) => p.error)).toEqual([]);
});

test('Cilium on but its API absent: Degraded with the API server\'s words, no new pods, old policies kept', async () => {
  await platformWithCilium(true);
  kOk(['apply', '-f', '-'], workspaceYaml('ws-b', 'fw-b', NS));
  const degraded = await eventually('Degraded', () => condition('ws-b', 'Degraded')?.status === 'True' && condition('ws-b', 'Degraded'));
  expect(degraded.reason).toBe('ApplyFailed');
  expect(degraded.message).toContain('apply CiliumNetworkPolicy workspace-system/workspace-fw-b-');
  expect(degraded.message).toMatch(/404 page not found|the server could not find the requested resource/);
  expect(degraded.message).toContain('install Cilium, or set cilium.enabled=false');
  // Fail closed: the policy was refused, so nothing that runs pods was created.
  expect(owned('deployment', 'fw-b')).toEqual([]);
  const events = json(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=ws-b']).items;
  expect(events.map((e: { reason: string; message: string }) => [e.reason, e.message])).toContainEqual(['ApplyFailed', degraded.message]);
  // ws-a cannot get its new policy either: its old NetworkPolicies stay in force meanwhile.
  await eventually('ws-a Degraded', () => condition('ws-a', 'Degraded')?.reason === 'ApplyFailed');
  expect(owned('networkpolicy', 'fw-a')).toHaveLength(2);
});

test('with the real Cilium CRD installed, the operator recovers and the NetworkPolicies give way', async () => {
  kOk(['apply', '--server-side', '--validate=strict', '-f', CILIUM_NETWORK_POLICY_CRD]);
  await eventually('the CRD established', () =>
    (json(['get', 'crd', 'ciliumnetworkpolicies.cilium.io']).status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Established' && c.status === 'True'),
  );
  for (const id of ['fw-a', 'fw-b']) {
    await eventually(`${id} policies`, () => owned('ciliumnetworkpolicy', id).length === 2, 60_000);
  }
  await eventually('fw-b deployments', () => owned('deployment', 'fw-b').length === 3);
  await eventually('ws-b no longer Degraded', () => condition('ws-b', 'Degraded')?.status === 'False');
  await eventually('fw-a NetworkPolicies pruned', () => owned('networkpolicy', 'fw-a').length === 0);
  expect(h.status('ws-b').firewall.workspace.enforcedBy).toBe('CiliumNetworkPolicy');
  // The stored objects, as the real CRD kept them, parse with Cilium's own code.
  const parsed = ciliumPolicy([...storedPolicies('ciliumnetworkpolicy', 'fw-a'), ...storedPolicies('ciliumnetworkpolicy', 'fw-b')]).parsed;
  expect(parsed).toHaveLength(4);
  expect(parsed.filter((p) => p.error)).toEqual([]);
});

test('what `aileron-k8s workspace` prints passes the real CRD with strict field validation', () => {
  const cli = spawnSync(process.execPath, [join(ROOT, 'build', 'aileron-k8s.cjs'), 'workspace', '--set', 'cilium.enabled=true', '--set', 'kubernetes.serviceType=NodePort', join(ROOT, 'examples', 'workspace.yaml')], { encoding: 'utf8' });
  expect(cli.status).toBe(0);
  const res = k(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], cli.stdout);
  expect(res.stderr).toBe('');
  expect(res.stdout).toContain('ciliumnetworkpolicy.cilium.io/workspace-my-workspace-browser created (server dry run)');
});

test('an allowedDomains change reaches the policy, and observedGeneration follows, with two writes and no LIST', async () => {
  const before = await settled(op);
  kOk(['patch', 'workspace', 'ws-b', '-n', NS, '--type=merge', '-p', '{"spec":{"firewall":{"workspace":{"allowedDomains":["docs.example.org"]}}}}']);
  await eventually('toFQDNs updated', () =>
    JSON.stringify(json(['get', 'ciliumnetworkpolicy', 'workspace-fw-b-workspace', '-n', NS]).spec.egress).includes('docs.example.org'),
  );
  const ws = json(['get', 'workspace', 'ws-b', '-n', NS]);
  await eventually('observedGeneration', () => h.status('ws-b').observedGeneration === ws.metadata.generation);
  expect(h.status('ws-b').firewall.workspace.effectiveAllowedDomains).toContain('docs.example.org');
  // What changed is one policy and the status: the operator writes those two and lists nothing.
  const after = await settled(op);
  expect({ writes: after.write - before.write, lists: after.list - before.list }).toEqual({ writes: 2, lists: 0 });
});

test('a restarted operator rewrites nothing, even listing every kind (Cilium policies too) one object per page', async () => {
  await settled(op);
  op.proc.kill('SIGTERM');
  await op.exited;
  op = await h.startOperator(`op-restarted-${Date.now()}`, { LIST_PAGE_SIZE: '1' });
  await reconciled(op, json(['get', 'workspaces', '-A']).items.length);
  const after = await settled(op);
  expect(op.logs.filter((l) => l.includes('applied desired state') || l.includes('"level":"error"'))).toEqual([]);
  expect(after.write).toBe(0);
  expect(storedPolicies('ciliumnetworkpolicy', 'fw-b').length).toBeGreaterThan(1);
});

test('turning the browser off removes its Deployment and its policy', async () => {
  kOk(['patch', 'workspace', 'ws-b', '-n', NS, '--type=merge', '-p', '{"spec":{"browser":{"enabled":false}}}']);
  await eventually('browser gone', () => !exists('deployment', 'workspace-browser-fw-b') && !exists('ciliumnetworkpolicy', 'workspace-fw-b-browser'));
  expect(owned('ciliumnetworkpolicy', 'fw-b')).toEqual(['ciliumnetworkpolicy.cilium.io/workspace-fw-b-workspace']);
});

test('a Workspace in another namespace: its policies are cleaned up through the finalizer', async () => {
  kOk(['apply', '-f', '-'], workspaceYaml('ws-c', 'fw-c', 'ws-owners', `  targetNamespace: ${NS}\n`));
  await eventually('policies and deployments', () => owned('ciliumnetworkpolicy', 'fw-c').length === 2 && owned('deployment', 'fw-c').length === 3);
  kOk(['delete', 'workspace', 'ws-c', '-n', 'ws-owners', '--wait=false']);
  await eventually('Workspace gone', () => k(['get', 'workspace', 'ws-c', '-n', 'ws-owners']).status !== 0);
  for (const kind of ['ciliumnetworkpolicy', 'deployment', 'service', 'ingress', 'secret']) expect([kind, owned(kind, 'fw-c')]).toEqual([kind, []]);
});

test('Cilium off again, with its CRD still installed: NetworkPolicies replace the CiliumNetworkPolicies', async () => {
  await platformWithCilium(false);
  // A restarted operator re-applies every Workspace it finds.
  for (const id of ['fw-a', 'fw-b']) {
    await eventually(`${id} back on NetworkPolicy`, () => owned('networkpolicy', id).length >= 1 && owned('ciliumnetworkpolicy', id).length === 0, 60_000);
  }
  expect(h.status('ws-a').firewall.workspace.enforcedBy).toBe('NetworkPolicy');
  expect(condition('ws-a', 'Degraded')?.status).toBe('False');
  const denied = op.logs.filter((l) => l.includes('forbidden'));
  expect(denied).toEqual([]);
});
