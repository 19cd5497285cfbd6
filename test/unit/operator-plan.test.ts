import { appliedHash, Planned, planFromCluster, planOf } from '../../operator/plan.js';
import { TtlCache } from '../../operator/reconcile/caches.js';
import { OwnedCache, type OwnedView } from '../../operator/owned-cache.js';
import { buildStatus, observedStatus } from '../../operator/status.js';
import { Logger } from '../../operator/log.js';
import type { Kube } from '../../operator/kube.js';
import { desiredState } from '../../lib/workspace/workspace-chart.js';
import { TEST_AUTH } from '../support/render.js';
import { workspacePlatform } from '../../lib/workspace/platform.js';
import { defaultValues } from '../../lib/values/load.js';
import { ownerNameLabel } from '../../lib/workspace/labels.js';
import type { WorkspaceResource } from '../../lib/workspace/model.js';
import type { KubernetesObject } from '@kubernetes/client-node';

const platform = workspacePlatform(defaultValues());
const ws: WorkspaceResource = {
  apiVersion: 'platform.aileron.io/v1alpha1',
  kind: 'Workspace',
  metadata: { name: 'w', namespace: 'workspace-system', generation: 1, uid: 'uid-1' },
  spec: { workspaceId: 'w1', ownerId: 'u' } as WorkspaceResource['spec'],
};
const { workspace: resolved, objects } = desiredState(ws, platform, { auth: TEST_AUTH });
const INPUTS = 'inputs-1';

// The cache is fed by hand here: its watches never start, so it makes no API call.
const emptyCache = () => new OwnedCache({} as Kube, new Logger('error'));

/** The owned cache as the watches would fill it after the operator applied every object of the plan. */
function clusterAfterApplying(plan: Planned[]): OwnedCache {
  const owned = emptyCache();
  (objects as KubernetesObject[]).forEach((obj, i) => owned.recordApplied(obj, plan[i].hash));
  return owned;
}
const viewsOf = (owned: OwnedCache) => owned.viewsOf(`workspace-system/${ownerNameLabel('w')}`, 'w1');

describe('applied hash: what a restarted operator trusts instead of rendering again', () => {
  const plan = planOf(objects as KubernetesObject[], emptyCache());

  test('one digest of the inputs and of every planned object, whatever their order', () => {
    expect(appliedHash(INPUTS, plan)).toBe(appliedHash(INPUTS, [...plan].reverse()));
    expect(appliedHash(INPUTS, plan)).not.toBe(appliedHash('inputs-2', plan));
    const changed = plan.map((p, i) => (i === 0 ? new Planned(p.kind, p.key, 'other') : p));
    expect(appliedHash(INPUTS, changed)).not.toBe(appliedHash(INPUTS, plan));
    expect(appliedHash(INPUTS, plan.slice(1))).not.toBe(appliedHash(INPUTS, plan));
  });

  test('the cluster holding exactly the plan gives the plan back, with the cache\'s own strings', () => {
    const owned = clusterAfterApplying(plan);
    const adopted = planFromCluster(INPUTS, appliedHash(INPUTS, plan), viewsOf(owned))!;
    expect(adopted.map((p) => p.ref).sort()).toEqual(plan.map((p) => p.ref).sort());
    expect(adopted.map((p) => p.hash).sort()).toEqual(plan.map((p) => p.hash).sort());
    expect(adopted).toHaveLength(objects.length);
  });

  test('anything else renders again: other inputs, an object gone, one stripped of its hash or edited, none recorded', () => {
    const recorded = appliedHash(INPUTS, plan);
    const views = viewsOf(clusterAfterApplying(plan));
    expect(planFromCluster('inputs-2', recorded, views)).toBeUndefined();
    expect(planFromCluster(INPUTS, recorded, views.slice(1))).toBeUndefined();
    const stripped = views.map((v, i) => (i === 0 ? ({ ...v, hash: undefined } as OwnedView) : v));
    expect(planFromCluster(INPUTS, recorded, stripped)).toBeUndefined();
    const edited = views.map((v, i) => (i === 0 ? ({ ...v, hash: 'edited' } as OwnedView) : v));
    expect(planFromCluster(INPUTS, recorded, edited)).toBeUndefined();
    expect(planFromCluster(INPUTS, undefined, views)).toBeUndefined();
    expect(planFromCluster(INPUTS, recorded, [])).toBeUndefined();
  });

  test('status records it only while nothing failed to apply, and the cached status keeps it', () => {
    const applied = appliedHash(INPUTS, plan);
    const ok = buildStatus({ ws, resolved, platform, deployments: new Map(), appliedHash: applied });
    expect(ok.appliedHash).toBe(applied);
    expect(observedStatus(JSON.parse(JSON.stringify(ok)))?.appliedHash).toBe(applied);
    const failing = buildStatus({ ws, resolved, platform, deployments: new Map(), appliedHash: applied, stepFailure: { reason: 'ApplyFailed', message: 'refused' } });
    expect(failing.appliedHash).toBeUndefined();
  });
});

describe('TtlCache', () => {
  test('a value is kept for its time, then dropped', () => {
    let now = 0;
    const cache = new TtlCache<string, number>(1000, () => now);
    cache.set('a', 1);
    now = 999;
    expect(cache.get('a')).toBe(1);
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
  });
});
