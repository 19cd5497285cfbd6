import { join } from 'node:path';
import { loadCredentials } from '../../operator/credentials.js';
import { Kube } from '../../operator/kube.js';
import { Metrics } from '../../operator/metrics.js';
import { FINALIZER, updateFinalizers, workspaceRef } from '../../operator/reconcile/finalizers.js';
import { kOk, waitForCrd } from '../support/cluster.js';
import { ROOT } from '../support/render.js';
import { completeWorkspaceYaml } from '../support/workspace-manifests.js';

// The finalizer update is conditional on the resourceVersion it was computed from. On the real API server, from
// a stale copy of the Workspace: one conflict, one fresh read, and the update lands without undoing the change
// made meanwhile (not the same stale request sent again and again).
const NS = 'finalizer-conflict';
let kube: Kube;
let metrics: Metrics;

const requests = async () => Object.fromEntries((await metrics.apiRequests.get()).values.map((v) => [v.labels.verb, v.value]));
const read = () => JSON.parse(kOk(['get', 'workspace', 'ws-stale', '-n', NS, '-o', 'json']));

beforeAll(async () => {
  kOk(['create', 'namespace', NS]);
  kOk(['apply', '--server-side', '-f', join(ROOT, 'charts', 'aileron', 'crds', 'platform.aileron.io_workspaces.yaml')]);
  waitForCrd();
  metrics = new Metrics();
  kube = new Kube(await loadCredentials({ KUBECONFIG: process.env.AILERON_KUBECONFIG }), 1e9, 1e9, metrics);
});

afterAll(() => {
  kOk(['delete', 'namespace', NS, '--wait=false']);
});

test('a finalizer added from a stale copy: one conflict, one fresh read, and the change made meanwhile is kept', async () => {
  kOk(['apply', '-f', '-'], completeWorkspaceYaml('ws-stale', 'stale', NS));
  const stale = read();
  // Someone else adds a finalizer of their own after the operator's copy was taken.
  kOk(['patch', 'workspace', 'ws-stale', '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/theirs"]}}']);

  const result = await updateFinalizers(kube, stale, (current) => (current.includes(FINALIZER) ? undefined : [...current, FINALIZER]));

  expect(result).toEqual({ kind: 'continue', value: true });
  expect(read().metadata.finalizers).toEqual(['example.com/theirs', FINALIZER]);
  // The stale patch, the read, the patch that landed.
  expect(await requests()).toEqual({ write: 2, read: 1 });
  // Removing it the same way leaves theirs.
  const removed = await updateFinalizers(kube, read(), (current) => current.filter((f) => f !== FINALIZER));
  expect(removed.kind).toBe('continue');
  expect(read().metadata.finalizers).toEqual(['example.com/theirs']);
  await kube.mergePatch(workspaceRef(stale), { metadata: { finalizers: [] } });
});
