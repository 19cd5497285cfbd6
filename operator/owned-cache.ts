/**
 * Everything the operator owns, as label-selected watches per kind: what a
 * reconcile needs to skip unchanged objects (the hash each was applied with),
 * to prune and clean up without a LIST, and to build status (Deployments'
 * replica counts). Indexed by owning Workspace.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { MANAGED_BY, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL, WORKSPACE_ID_LABEL } from '../lib/workspace/labels.js';
import type { Kube } from './kube.js';
import { keyOf, ListWatch, type CacheEvent, type WatchedKind } from './list-watch.js';
import { NamespacedListWatch, type ObjectCache } from './namespaced-list-watch.js';
import type { Logger } from './log.js';
import type { DeploymentView } from './status.js';

/** The hash of the desired object an object was last applied from. */
export const APPLIED_HASH_ANNOTATION = 'platform.aileron.io/applied-hash';

/**
 * What is kept of one owned object: at 10,000 workspaces there are about 130,000. A class, so that every view
 * shares one hidden class: views built by object spread each got a hidden class of their own (measured: 26,001
 * views, 26,001 maps and descriptor arrays, about 300 bytes a view). Strings every object of a Workspace has in
 * common (its owner, its workspace id) are the owner record's; the key and the hash are those of the plan that
 * applied it, when it is the same.
 */
export class OwnedView {
  constructor(
    readonly kind: string,
    /** `namespace/name`: the same string the kind's ListWatch keys it by. */
    readonly key: string,
    /** The applied-hash annotation. */
    readonly hash: string | undefined,
    /** `${owner namespace}/${owner name label}`, empty for objects no Workspace owns (the namespace baseline). */
    readonly owner: string,
    readonly workspaceId: string,
    /** Deployments only: what status needs. */
    readonly deployment: DeploymentView | undefined,
  ) {}
}

/** What is read of an object, before its strings are shared. */
interface ObservedFields {
  hash?: string;
  owner: string;
  workspaceId: string;
  deployment?: DeploymentView;
}

/** One owner's objects (a dozen or so: an array costs less than a Set), and the strings they share. */
interface OwnerRecord {
  owner: string;
  workspaceId: string;
  views: OwnedView[];
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
  // Gateway API mode's routes; watched in either mode, so a switch back to Ingresses prunes them.
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', plural: 'httproutes', prune: true, metadataOnly: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', prune: true },
];

/** One flat string (see keyOf), kept once per owner. */
export const ownerKey = (namespace: string, nameLabel: string) => [namespace, nameLabel].join('/');

function deploymentView(d: KubernetesObject & { status?: Record<string, unknown> & { conditions?: Array<Record<string, string>> } }): DeploymentView {
  const s = d.status ?? {};
  const stuck = s.conditions?.find(
    (c) => (c.type === 'Progressing' && c.status === 'False') || (c.type === 'ReplicaFailure' && c.status === 'True'),
  );
  return {
    generation: d.metadata?.generation,
    observedGeneration: s.observedGeneration as number | undefined,
    availableReplicas: s.availableReplicas as number | undefined,
    updatedReplicas: s.updatedReplicas as number | undefined,
    failure: stuck ? `${stuck.reason ?? stuck.type}${stuck.message ? `: ${stuck.message}` : ''}` : undefined,
  };
}

function withGeneration(view: DeploymentView | undefined, obj: KubernetesObject): DeploymentView | undefined {
  const generation = obj.metadata?.generation;
  if (obj.kind !== 'Deployment' || generation === undefined || generation === view?.generation) return view;
  return { ...view, generation };
}

function observed(obj: KubernetesObject): ObservedFields {
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
  private readonly watches: Map<string, ObjectCache<OwnedView>>;
  private readonly byOwner = new Map<string, OwnerRecord>();
  private readonly listeners: OwnedListener[] = [];

  /** `namespaces`: watch there only (the workspace namespaces, where its RBAC lets it); every namespace when empty. */
  constructor(kube: Kube, log: Logger, pageSize?: number, namespaces: string[] = []) {
    const watch = (k: WatchedKind) =>
      new ListWatch<OwnedView>(kube, k, `app.kubernetes.io/managed-by=${MANAGED_BY}`, (obj, key) => this.view(k.kind, key, observed(obj)), log, { pageSize });
    this.watches = new Map(OWNED_KINDS.map((k) => [k.kind, namespaces.length > 0 ? new NamespacedListWatch(k, namespaces, watch) : watch(k)]));
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

  get(kind: string, key: string): OwnedView | undefined {
    return this.watches.get(kind)?.get(key);
  }

  deployment(namespace: string, name: string): DeploymentView | undefined {
    return this.get('Deployment', `${namespace}/${name}`)?.deployment;
  }

  /**
   * Records an object the operator just applied (as the server answered), so a reconcile before its watch event
   * does not apply it again. `key` is the plan's own `namespace/name` string, kept rather than a copy.
   */
  recordApplied(obj: KubernetesObject, hash: string, key = keyOf(obj)): void {
    const watch = this.watches.get(obj.kind ?? '');
    if (!watch) return;
    const previous = watch.get(key);
    const seen = observed(obj);
    // A Deployment answered whole carries its status. One answered as metadata keeps the status the watch last
    // said, with the server's new generation: a changed Deployment shows its rollout as pending at once.
    const deployment = 'status' in obj ? seen.deployment : withGeneration(previous?.deployment, obj);
    const view = this.view(watch.kind.kind, key, { ...seen, hash, deployment }, previous);
    // Indexing the new view replaces the old one in its owner's record; only a changed owner needs it removed.
    if (previous && previous.owner !== view.owner) this.index(previous, false);
    watch.set(view.key, view);
    this.index(view, true);
  }

  recordDeleted(ref: OwnedRef): void {
    const watch = this.watches.get(ref.kind);
    const key = `${ref.namespace}/${ref.name}`;
    const view = watch?.get(key);
    if (!watch || !view) return;
    watch.forget(key);
    this.index(view, false);
  }

  /** Every object of one Workspace (by its owner labels and workspace id), as the watches have it. */
  viewsOf(owner: string, workspaceId: string): OwnedView[] {
    return (this.byOwner.get(owner)?.views ?? []).filter((view) => view.workspaceId === workspaceId);
  }

  /** The prunable objects of one Workspace (by its owner labels and workspace id). */
  ownedBy(owner: string, workspaceId: string): OwnedRef[] {
    return this.viewsOf(owner, workspaceId)
      .filter((view) => PRUNED.has(view.kind))
      .map((view) => {
        const [namespace, name] = view.key.split('/');
        return { apiVersion: this.watches.get(view.kind)!.kind.apiVersion, kind: view.kind, namespace, name };
      });
  }

  /**
   * The view as kept. Its owner and workspace id are the owner record's strings; its key and hash those of the
   * view it replaces when they are equal (a watch event for an object the operator applied repeats both).
   */
  private view(kind: string, key: string, fields: ObservedFields, previous = this.watches.get(kind)?.get(key)): OwnedView {
    const record = fields.owner ? this.byOwner.get(fields.owner) : undefined;
    return new OwnedView(
      kind,
      previous?.key ?? key,
      previous?.hash === fields.hash ? previous?.hash : fields.hash,
      record?.owner ?? fields.owner,
      record?.workspaceId === fields.workspaceId ? record.workspaceId : fields.workspaceId,
      fields.deployment,
    );
  }

  private index(view: OwnedView, present: boolean): void {
    if (!view.owner) return;
    let record = this.byOwner.get(view.owner);
    if (!record && !present) return;
    if (!record) this.byOwner.set(view.owner, (record = { owner: view.owner, workspaceId: view.workspaceId, views: [] }));
    // A watch event replaces the view of an object already indexed.
    const at = record.views.findIndex((v) => v.kind === view.kind && v.key === view.key);
    if (present) {
      if (at < 0) record.views.push(view);
      else record.views[at] = view;
      record.workspaceId = view.workspaceId;
    } else {
      if (at >= 0) record.views.splice(at, 1);
      if (record.views.length === 0) this.byOwner.delete(view.owner);
    }
  }
}

const PRUNED = new Set(OWNED_KINDS.filter((k) => k.prune).map((k) => k.kind));
