/**
 * The Workspace's finalizer, which cleans up its objects in other namespaces
 * (owner references cannot cross namespaces). Updates are conditional on the
 * resourceVersion they were computed from, so a concurrent change to the
 * list is never overwritten; a conflict is met by reading the Workspace
 * afresh, not by sending the same stale request again.
 */
import { WORKSPACE_API_GROUP, WORKSPACE_RESOURCE, WORKSPACE_VERSION } from '../../lib/crd/workspace-crd.js';
import { apiMessage, statusCode, type ApiVerbs } from '../kube.js';
import { errored, next, requeue, stop, type StepResult } from './step.js';

export const FINALIZER = 'platform.aileron.io/cleanup';

type WorkspaceMeta = { namespace?: string; name: string; finalizers?: string[]; resourceVersion?: string };

export const workspaceRef = (ws: { metadata: WorkspaceMeta }, subresource?: 'status') => ({
  apiVersion: `${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION}`,
  plural: WORKSPACE_RESOURCE,
  namespace: ws.metadata.namespace,
  name: ws.metadata.name,
  subresource,
});

/**
 * Sets the Workspace's finalizers to `change` of its current list (undefined: nothing to change), conditionally
 * on its resourceVersion. A conflict means someone else changed it meanwhile: read it afresh and try again, a
 * few times, then come back later.
 */
export async function updateFinalizers(
  kube: Pick<ApiVerbs, 'mergePatch' | 'getIfExists'>,
  ws: { metadata: WorkspaceMeta },
  change: (current: string[]) => string[] | undefined,
): Promise<StepResult<true>> {
  let current = ws.metadata;
  for (let attempt = 0; attempt < 3; attempt++) {
    const finalizers = change(current.finalizers ?? []);
    if (!finalizers) return next(true);
    try {
      await kube.mergePatch(workspaceRef(ws), { metadata: { finalizers, resourceVersion: current.resourceVersion } });
      return next(true);
    } catch (err) {
      if (statusCode(err) === 404) return stop('the Workspace is gone');
      if (statusCode(err) !== 409) return errored(new Error(`update finalizers: ${apiMessage(err)}`));
      const fresh = await kube.getIfExists<{ metadata: WorkspaceMeta }>(workspaceRef(ws));
      if (!fresh) return stop('the Workspace is gone');
      current = fresh.metadata;
    }
  }
  return requeue('the Workspace kept changing while its finalizers were updated');
}
