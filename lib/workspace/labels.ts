/** Labels, selectors and ownership of the objects of one workspace. */
import { createHash } from 'node:crypto';
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

/**
 * A label value for a Workspace name: names may have 253 characters, label
 * values 63. A longer name keeps a readable prefix and a hash of the whole
 * name, so it stays unique and valid (alphanumeric at both ends).
 */
export function ownerNameLabel(name: string): string {
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.slice(0, 52).replace(/[^A-Za-z0-9]+$/, '')}-${hash}`;
}

export function labels(ws: ResolvedWorkspace, part: WorkspacePart, group?: FirewallGroup): Record<string, string> {
  return {
    ...selector(ws, part),
    'app.kubernetes.io/part-of': 'aileron',
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [WORKSPACE_ID_LABEL]: ws.id,
    [OWNER_NAMESPACE_LABEL]: ws.owner.namespace,
    [OWNER_NAME_LABEL]: ownerNameLabel(ws.owner.name),
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
