/**
 * Everything the operator owns, as label-selected watches per kind: what a
 * reconcile needs to skip unchanged objects (the hash each was applied with),
 * to prune and clean up without a LIST, and to build status (Deployments'
 * replica counts). Indexed by owning Workspace.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { MANAGED_BY, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL, WORKSPACE_ID_LABEL } from '../lib/workspace/labels.js';
import type { Kube } from './kube.js';
import { ListWatch, type CacheEvent, type WatchedKind } from './list-watch.js';
import type { Logger } from './log.js';
import type { DeploymentView } from './status.js';

/** The hash of the desired object an object was last applied from. */
export const APPLIED_HASH_ANNOTATION = 'platform.aileron.io/applied-hash';

/**
 * What is kept of one owned object: at 10,000 workspaces there are about 130,000, so strings every object of a
 * Workspace has in common (its owner, its workspace id) are kept once, in the owner's record.
 */
export interface OwnedView {
  hash?: string;
  /** `${owner namespace}/${owner name label}`, empty for objects no Workspace owns (the namespace baseline). */
  owner: string;
  workspaceId: string;
  /** Deployments only: what status needs. */
  deployment?: DeploymentView;
}

/** One owner's objects, as views (each knows its kind and key), and the strings they share. */
interface OwnerRecord {
  owner: string;
  workspaceId: string;
  views: Set<IndexedView>;
}

interface IndexedView extends OwnedView {
  kind: string;
  /** `namespace/name`: the same string the kind's ListWatch keys it by. */
  key: string;
}

/** A reference to an owned object, enough to delete it. */
export interface OwnedRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/**
 * Every kind a workspace may own. PVCs are watched for their hash but never pruned (the data outlives a toggle).
 * Only Deployments are watched whole (status needs their replica counts); of the others the labels and the
 * applied-hash annotation are all that is read, so only their metadata is fetched.
 */
export const OWNED_KINDS: Array<WatchedKind & { prune: boolean }> = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies', prune: true, metadataOnly: true },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', plural: 'ciliumnetworkpolicies', prune: true, metadataOnly: true },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', prune: true, metadataOnly: true },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', prune: false, metadataOnly: true },
  { apiVersion: 'v1', kind: 'Service', plural: 'services', prune: true, metadataOnly: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses', prune: true, metadataOnly: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', prune: true },
];

export const ownerKey = (namespace: string, nameLabel: string) => `${namespace}/${nameLabel}`;

function deploymentView(d: KubernetesObject & { status?: Record<string, unknown> & { conditions?: Array<Record<string, string>> } }): DeploymentView {
  const s = d.status ?? {};
  const stuck = s.conditions?.find(
    (c) => (c.type === 'Progressing' && c.status === 'False') || (c.type === 'ReplicaFailure' && c.status === 'True'),
  );
  return {
    failure: stuck ? `${stuck.reason ?? stuck.type}${stuck.message ? `: ${stuck.message}` : ''}` : undefined,
    metadata: { name: d.metadata?.name, generation: d.metadata?.generation },
    status: {
      observedGeneration: s.observedGeneration as number | undefined,
      availableReplicas: s.availableReplicas as number | undefined,
      updatedReplicas: s.updatedReplicas as number | undefined,
      readyReplicas: s.readyReplicas as number | undefined,
    },
  };
}

function compact(obj: KubernetesObject): OwnedView {
  const labels = obj.metadata?.labels ?? {};
  const ownerNamespace = labels[OWNER_NAMESPACE_LABEL];
  const ownerName = labels[OWNER_NAME_LABEL];
  return {
    hash: obj.metadata?.annotations?.[APPLIED_HASH_ANNOTATION],
    owner: ownerNamespace && ownerName ? ownerKey(ownerNamespace, ownerName) : '',
    workspaceId: labels[WORKSPACE_ID_LABEL] ?? '',
    deployment: obj.kind === 'Deployment' ? deploymentView(obj) : undefined,
  };
}

export type OwnedListener = (ref: OwnedRef, view: OwnedView, event: CacheEvent) => void;

export class OwnedCache {
  private readonly watches: Map<string, ListWatch<IndexedView>>;
  private readonly byOwner = new Map<string, OwnerRecord>();
  private readonly listeners: OwnedListener[] = [];

  constructor(kube: Kube, log: Logger, pageSize?: number) {
    this.watches = new Map(
      OWNED_KINDS.map((k) => [k.kind, new ListWatch<IndexedView>(kube, k, `app.kubernetes.io/managed-by=${MANAGED_BY}`, (obj, key) => this.view(k.kind, key, compact(obj)), log, pageSize)]),
    );
    for (const watch of this.watches.values()) {
      const { apiVersion, kind } = watch.kind;
      watch.on((key, view, event) => {
        this.index(view, event !== 'delete');
        if (this.listeners.length === 0) return;
        const [namespace, name] = key.split('/');
        for (const l of this.listeners) l({ apiVersion, kind, namespace, name }, view, event);
      });
    }
  }

  on(listener: OwnedListener): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.start()));
  }

  stop(): void {
    for (const w of this.watches.values()) w.stop();
  }

  get(kind: string, namespace: string, name: string): OwnedView | undefined {
    return this.watches.get(kind)?.get(namespace, name);
  }

  deployment(namespace: string, name: string): DeploymentView | undefined {
    return this.get('Deployment', namespace, name)?.deployment;
  }

  /**
   * Records an object the operator just applied (as the server answered), so a reconcile before its watch event
   * does not apply it again.
   */
  recordApplied(obj: KubernetesObject, hash: string): void {
    const watch = this.watches.get(obj.kind ?? '');
    const namespace = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    if (!watch) return;
    const previous = watch.get(namespace, name);
    const key = previous?.key ?? `${namespace}/${name}`;
    const seen = compact(obj);
    // A Deployment the server answered with carries its status; one without keeps what the watch last said.
    const deployment = 'status' in obj ? seen.deployment : previous?.deployment;
    const view = this.view(watch.kind.kind, key, { ...seen, hash, deployment });
    // Indexing the new view replaces the old one in its owner's record; only a changed owner needs it removed.
    if (previous && previous.owner !== view.owner) this.index(previous, false);
    watch.set(namespace, name, view);
    this.index(view, true);
  }

  recordDeleted(ref: OwnedRef): void {
    const watch = this.watches.get(ref.kind);
    const view = watch?.get(ref.namespace, ref.name);
    if (!watch || !view) return;
    watch.forget(ref.namespace, ref.name);
    this.index(view, false);
  }

  /** The prunable objects of one Workspace (by its owner labels and workspace id). */
  ownedBy(owner: string, workspaceId: string): OwnedRef[] {
    const refs: OwnedRef[] = [];
    for (const view of this.byOwner.get(owner)?.views ?? []) {
      if (!PRUNED.has(view.kind) || view.workspaceId !== workspaceId) continue;
      const [namespace, name] = view.key.split('/');
      refs.push({ apiVersion: this.watches.get(view.kind)!.kind.apiVersion, kind: view.kind, namespace, name });
    }
    return refs;
  }

  /** The view as kept: its owner and workspace id the owner record's own strings. */
  private view(kind: string, key: string, view: OwnedView): IndexedView {
    const record = view.owner ? this.byOwner.get(view.owner) : undefined;
    const owner = record?.owner ?? view.owner;
    const workspaceId = record?.workspaceId === view.workspaceId ? record.workspaceId : view.workspaceId;
    return { ...view, owner, workspaceId, kind, key };
  }

  private index(view: IndexedView, present: boolean): void {
    if (!view.owner) return;
    let record = this.byOwner.get(view.owner);
    if (present) {
      if (!record) this.byOwner.set(view.owner, (record = { owner: view.owner, workspaceId: view.workspaceId, views: new Set() }));
      // A watch event replaces the view of an object already indexed.
      for (const v of record.views) if (v.kind === view.kind && v.key === view.key && v !== view) record.views.delete(v);
      record.views.add(view);
      record.workspaceId = view.workspaceId;
    } else if (record) {
      for (const v of record.views) if (v.kind === view.kind && v.key === view.key) record.views.delete(v);
      if (record.views.size === 0) this.byOwner.delete(view.owner);
    }
  }
}

const PRUNED = new Set(OWNED_KINDS.filter((k) => k.prune).map((k) => k.kind));
