/** Labels, selectors and ownership of the objects of one workspace. */
import type { ResolvedWorkspace, FirewallGroup } from './model.js';

export const WORKSPACE_ID_LABEL = 'platform.aileron.io/workspace-id';
export const FIREWALL_GROUP_LABEL = 'platform.aileron.io/firewall-group';
/** Where the owning Workspace lives, for objects it cannot own (another namespace). */
export const OWNER_NAMESPACE_LABEL = 'platform.aileron.io/owner-namespace';
export const OWNER_NAME_LABEL = 'platform.aileron.io/owner-name';
export const RESTARTED_AT_ANNOTATION = 'platform.aileron.io/restarted-at';
export const MANAGED_BY = 'aileron-workspace-operator';
/** app.kubernetes.io/name of every workspace object and pod. */
export const WORKSPACE_APP = 'aileron-workspace';

export type WorkspacePart = 'runtime' | 'browser' | 'canvas' | 'storage' | 'firewall' | 'credentials';

export function selector(ws: ResolvedWorkspace, part: WorkspacePart): Record<string, string> {
  return {
    'app.kubernetes.io/name': WORKSPACE_APP,
    'app.kubernetes.io/instance': ws.id,
    'app.kubernetes.io/component': part,
  };
}

export function labels(ws: ResolvedWorkspace, part: WorkspacePart, group?: FirewallGroup): Record<string, string> {
  return {
    ...selector(ws, part),
    'app.kubernetes.io/part-of': 'aileron',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [WORKSPACE_ID_LABEL]: ws.id,
    [OWNER_NAMESPACE_LABEL]: ws.owner.namespace,
    [OWNER_NAME_LABEL]: ws.owner.name.slice(0, 63),
    ...(group ? { [FIREWALL_GROUP_LABEL]: group } : {}),
  };
}

/** ownerReferences only work inside one namespace; across namespaces the finalizer cleans up. */
export function ownerReferences(ws: ResolvedWorkspace) {
  if (!ws.owner.uid || ws.owner.namespace !== ws.namespace) return undefined;
  return [
    {
      apiVersion: 'platform.aileron.io/v1alpha1',
      kind: 'Workspace',
      name: ws.owner.name,
      uid: ws.owner.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

export function metadata(ws: ResolvedWorkspace, part: WorkspacePart, name: string, group?: FirewallGroup) {
  return { name, namespace: ws.namespace, labels: labels(ws, part, group), ownerReferences: ownerReferences(ws) };
}
