import { OwnedCache } from '../../operator/owned-cache.js';
import { deploymentReady } from '../../operator/status.js';
import { Logger } from '../../operator/log.js';
import type { Kube } from '../../operator/kube.js';
import { OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL, WORKSPACE_ID_LABEL } from '../../lib/workspace/labels.js';

// The cache is fed by hand here: its watches never start, so it makes no API call.
const cache = () => new OwnedCache({} as Kube, new Logger('error'));
const labels = { [OWNER_NAMESPACE_LABEL]: 'owners', [OWNER_NAME_LABEL]: 'w', [WORKSPACE_ID_LABEL]: 'w1' };
const deployment = (generation: number, status?: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'workspace-runtime-w1', namespace: 'ws', generation, labels },
  ...(status ? { status } : {}),
});
const rolledOut = (generation: number) => ({ observedGeneration: generation, availableReplicas: 1, updatedReplicas: 1 });

describe('owned cache: Deployments the operator applies (answered as metadata alone)', () => {
  test('a changed Deployment is pending at once: the new generation over the status the watch last said', () => {
    const owned = cache();
    owned.recordApplied(deployment(1, rolledOut(1)), 'h1');
    expect(deploymentReady(owned.deployment('ws', 'workspace-runtime-w1'))).toBe(true);
    owned.recordApplied(deployment(2), 'h2');
    const view = owned.deployment('ws', 'workspace-runtime-w1');
    expect(view).toMatchObject({ generation: 2, observedGeneration: 1, availableReplicas: 1 });
    expect(deploymentReady(view)).toBe(false);
    expect(owned.get('Deployment', 'ws/workspace-runtime-w1')?.hash).toBe('h2');
  });

  test('a new Deployment is pending until its controller reports', () => {
    const owned = cache();
    owned.recordApplied(deployment(1), 'h1');
    expect(owned.deployment('ws', 'workspace-runtime-w1')).toEqual({ generation: 1 });
    expect(deploymentReady(owned.deployment('ws', 'workspace-runtime-w1'))).toBe(false);
  });

  test('an unchanged Deployment (same generation) keeps its status, and a whole answer brings its own', () => {
    const owned = cache();
    owned.recordApplied(deployment(3, rolledOut(3)), 'h1');
    owned.recordApplied(deployment(3), 'h1');
    expect(deploymentReady(owned.deployment('ws', 'workspace-runtime-w1'))).toBe(true);
    owned.recordApplied(deployment(4, { observedGeneration: 4, availableReplicas: 0, updatedReplicas: 1 }), 'h2');
    expect(owned.deployment('ws', 'workspace-runtime-w1')).toMatchObject({ generation: 4, availableReplicas: 0 });
  });

  test('the object is indexed under its owner, for pruning without a LIST', () => {
    const owned = cache();
    owned.recordApplied(deployment(1), 'h1');
    expect(owned.ownedBy('owners/w', 'w1')).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ws', name: 'workspace-runtime-w1' }]);
  });
});
