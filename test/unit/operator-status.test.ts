import { buildStatus, deploymentReady, observedStatus, statusDigest, type DeploymentView } from '../../operator/status.js';
import { WorkQueue } from '../../operator/queue.js';
import { heapLimitMb } from '../../lib/components/workspace-operator.js';
import { desiredState } from '../../lib/workspace/workspace-chart.js';
import { TEST_AUTH } from '../support/render.js';
import { workspacePlatform } from '../../lib/workspace/platform.js';
import { defaultValues } from '../../lib/values/load.js';
import type { WorkspaceResource } from '../../lib/workspace/model.js';

const platform = workspacePlatform(defaultValues());
const ws: WorkspaceResource = {
  apiVersion: 'platform.aileron.io/v1alpha1',
  kind: 'Workspace',
  metadata: { name: 'w', namespace: 'workspace-system', generation: 3 },
  spec: { workspaceId: 'w1', ownerId: 'u', browser: { enabled: false } } as WorkspaceResource['spec'],
};
const resolved = desiredState(ws, platform, { auth: TEST_AUTH }).workspace;
const ready: DeploymentView = { generation: 2, observedGeneration: 2, availableReplicas: 1, updatedReplicas: 1 };

describe('workspace status', () => {
  test('Running with Ready=True once every enabled component is available; disabled ones say so', () => {
    const s = buildStatus({ ws, resolved, platform, deployments: new Map([['workspace-runtime-w1', ready], ['workspace-canvas-w1', ready]]), now: 't1' }) as Record<string, any>;
    expect(s.phase).toBe('Running');
    expect(s.observedGeneration).toBe(3);
    expect(s.components.browser).toEqual({ phase: 'Disabled', ready: false });
    expect(s.firewall.browser).toBeUndefined();
    expect(s.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'ComponentsReady'],
      ['Progressing', 'False', 'Deployed'],
      ['Degraded', 'False', 'AsExpected'],
    ]);
  });

  test('Reconciling, naming what it waits for, while a Deployment is not available', () => {
    const s = buildStatus({ ws, resolved, platform, deployments: new Map([['workspace-runtime-w1', ready]]) }) as Record<string, any>;
    expect(s.phase).toBe('Reconciling');
    expect(s.conditions[0]).toMatchObject({ type: 'Ready', status: 'False', message: 'waiting for canvas' });
  });

  test('Pending until any Deployment is seen', () => {
    expect((buildStatus({ ws, resolved, platform, deployments: new Map() }) as Record<string, any>).phase).toBe('Pending');
  });

  test('a Deployment that cannot progress makes the workspace Degraded and the component Failed', () => {
    const stuck: DeploymentView = { generation: 2, observedGeneration: 2, failure: 'ProgressDeadlineExceeded: ReplicaSet has timed out progressing' };
    const s = buildStatus({ ws, resolved, platform, deployments: new Map([['workspace-runtime-w1', stuck], ['workspace-canvas-w1', ready]]) }) as Record<string, any>;
    expect(s.phase).toBe('Reconciling');
    expect(s.components.runtime.phase).toBe('Failed');
    expect(s.conditions.find((c: any) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ComponentFailing',
      message: 'runtime: ProgressDeadlineExceeded: ReplicaSet has timed out progressing',
    });
  });

  test('a Deployment whose new generation is not yet observed is not ready', () => {
    expect(deploymentReady({ generation: 3, observedGeneration: 2, availableReplicas: 1, updatedReplicas: 1 })).toBe(false);
    expect(deploymentReady(ready)).toBe(true);
  });

  test('Failed with Degraded=True and the reason', () => {
    const s = buildStatus({ ws, deployments: new Map(), failure: { reason: 'NamespaceNotAllowed', message: 'nope' } }) as Record<string, any>;
    expect(s.phase).toBe('Failed');
    expect(s.conditions.find((c: any) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'NamespaceNotAllowed', message: 'nope' });
  });

  test('lastTransitionTime moves only when a condition flips', () => {
    const first = buildStatus({ ws, resolved, platform, deployments: new Map([['workspace-runtime-w1', ready]]), now: 't1' }) as Record<string, any>;
    const again = buildStatus({ ws: { ...ws, status: first }, resolved, platform, deployments: new Map([['workspace-runtime-w1', ready]]), now: 't2' }) as Record<string, any>;
    expect(again.conditions[0].lastTransitionTime).toBe('t1');
    expect(statusDigest(again)).toBe(statusDigest(first));
    const flipped = buildStatus({ ws: { ...ws, status: first }, resolved, platform, deployments: new Map([['workspace-runtime-w1', ready], ['workspace-canvas-w1', ready]]), now: 't3' }) as Record<string, any>;
    expect(flipped.conditions[0].lastTransitionTime).toBe('t3');
    expect(statusDigest(flipped)).not.toBe(statusDigest(first));
  });

  test('a status read back from the API server (keys sorted, as Go writes them) equals the one built', () => {
    const built = buildStatus({ ws, resolved, platform, deployments: new Map([['workspace-runtime-w1', ready]]), now: 't1' });
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v;
    const stored = sortKeys(built);
    expect(JSON.stringify(stored)).not.toBe(JSON.stringify(built));
    expect(statusDigest(stored)).toBe(statusDigest(built));
  });
});

test('a status as cached: phase, condition times and the digest; a rebuilt status carries its transition times', () => {
  const built = buildStatus({ ws, resolved, platform, deployments: new Map([['workspace-runtime-w1', ready]]), now: 't1' }) as Record<string, any>;
  const cached = observedStatus(JSON.parse(JSON.stringify(built)))!;
  expect(cached).toEqual({
    phase: 'Reconciling',
    conditions: built.conditions.map((c: any) => ({ type: c.type, status: c.status, lastTransitionTime: 't1' })),
    digest: statusDigest(built),
  });
  const again = buildStatus({ ws: { ...ws, status: cached }, resolved, platform, deployments: new Map([['workspace-runtime-w1', ready]]), now: 't2' });
  expect(statusDigest(again)).toBe(cached.digest);
  expect((again as Record<string, any>).conditions.map((c: any) => c.lastTransitionTime)).toEqual(['t1', 't1', 't1']);
  expect(observedStatus(undefined)).toBeUndefined();
});

describe('work queue', () => {
  test('a key is queued once, and one added while it runs comes back after', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.depth).toBe(2);
    expect(await q.next()).toBe('a');
    q.add('a'); // changed while running
    expect(await q.next()).toBe('b');
    q.done('a');
    expect(await q.next()).toBe('a');
    q.shutdown();
    expect(await q.next()).toBeUndefined();
  });

  test('failures back off exponentially', () => {
    const q = new WorkQueue();
    expect([q.addAfterFailure('x'), q.addAfterFailure('x'), q.addAfterFailure('x')]).toEqual([500, 1000, 2000]);
    q.forget('x');
    expect(q.addAfterFailure('x')).toBe(500);
    q.shutdown();
  });
});

test('the operator heap cap follows its memory limit', () => {
  expect(heapLimitMb('256Mi')).toBe(128);
  expect(heapLimitMb('1Gi')).toBe(512);
  expect(heapLimitMb(undefined)).toBe(128);
});
