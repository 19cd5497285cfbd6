/**
 * One idempotent reconcile of one Workspace: compute the desired objects
 * (lib/workspace), apply them server-side, delete what is no longer desired,
 * and write status. Cross-namespace objects are cleaned up by a finalizer.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { desiredState, type DesiredState, type TurnCredentials } from '../lib/workspace/workspace-chart.js';
import { WorkspaceError, type ResolvedWorkspace, type WorkspaceResource } from '../lib/workspace/model.js';
import type { WorkspacePlatform } from '../lib/workspace/platform.js';
import { OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL, ownerNameLabel, WORKSPACE_ID_LABEL } from '../lib/workspace/labels.js';
import { WORKSPACE_API_GROUP, WORKSPACE_RESOURCE, WORKSPACE_VERSION } from '../lib/crd/workspace-crd.js';
import { apiMessage, Kube, statusCode } from './kube.js';
import { baselinePolicy } from '../lib/workspace/firewall.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { buildStatus, sameStatus, type DeploymentView } from './status.js';
import type { PlatformSource } from './platform-source.js';

export const FINALIZER = 'platform.aileron.io/cleanup';

/** A write or list the API server refused, with the object and the server's own message. */
export class ApplyError extends Error {
  constructor(
    readonly verb: 'apply' | 'list' | 'delete',
    readonly obj: KubernetesObject,
    readonly cause: unknown,
  ) {
    const where = `${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name ?? ''}`.trim();
    super(`${verb} ${where}: ${apiMessage(cause)}${hint(obj, cause)}`);
    this.name = 'ApplyError';
  }
}

function hint(obj: KubernetesObject, cause: unknown): string {
  if (obj.kind === 'CiliumNetworkPolicy' && statusCode(cause) === 404) {
    return ' (the cluster has no CiliumNetworkPolicy API: install Cilium, or set cilium.enabled=false)';
  }
  if (statusCode(cause) === 403) return ' (the operator\'s ClusterRole does not allow it)';
  return '';
}

/**
 * Policies before anything they govern, Deployments (the only source of pods) last:
 * a workspace's pods never start before its firewall is in place.
 */
const APPLY_ORDER = ['NetworkPolicy', 'CiliumNetworkPolicy', 'Secret', 'PersistentVolumeClaim', 'Service', 'Ingress', 'Deployment'];
export function applyOrder<T extends { kind?: string }>(objects: T[]): T[] {
  const rank = (o: T) => {
    const i = APPLY_ORDER.indexOf(o.kind ?? '');
    return i < 0 ? APPLY_ORDER.length - 1 : i;
  };
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

/** How long a namespace's baseline policy counts as in place before it is applied again. */
const BASELINE_TTL_MS = 60_000;

/** Every kind a workspace may own, for pruning and cleanup. The PVC is handled on its own. */
const OWNED_KINDS: Array<[string, string]> = [
  ['apps/v1', 'Deployment'],
  ['v1', 'Service'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['v1', 'Secret'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['cilium.io/v2', 'CiliumNetworkPolicy'],
];

export interface ReconcilerDeps {
  kube: Kube;
  platform: PlatformSource;
  metrics: Metrics;
  log: Logger;
  /** The Deployments the informer sees, by namespace/name. */
  deployment: (namespace: string, name: string) => DeploymentView | undefined;
}

/** The key of the per-Workspace caches. */
const uidOf = (ws: WorkspaceResource) => ws.metadata.uid ?? `${ws.metadata.namespace}/${ws.metadata.name}`;

const key = (o: KubernetesObject) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`;

export class Reconciler {
  /** Hash of the objects last applied per Workspace uid: unchanged desired state means no writes. */
  private readonly applied = new Map<string, string>();
  /** The status last written per uid: the informer cache lags behind our own writes. */
  private readonly written = new Map<string, Record<string, unknown>>();
  /**
   * The desired state per uid, with what it was computed from: most reconciles come from status and
   * Deployment events and change none of its inputs, so they skip the synthesis.
   */
  private readonly desired = new Map<string, { inputs: string; state: DesiredState; hash: string }>();

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Forget what was applied for a workspace (an owned object changed or vanished). */
  invalidate(uid: string): void {
    this.applied.delete(uid);
    this.written.delete(uid);
  }

  /** Drops everything kept for a Workspace that no longer exists. */
  forget(uid: string): void {
    this.invalidate(uid);
    this.desired.delete(uid);
  }

  async reconcile(ws: WorkspaceResource): Promise<void> {
    const log = this.deps.log.with({ workspace: ws.metadata.name, namespace: ws.metadata.namespace });
    if (ws.metadata.deletionTimestamp) return this.finalize(ws, log);

    let platform: WorkspacePlatform;
    try {
      platform = await this.deps.platform.get();
    } catch (err) {
      throw new Error(`platform configuration unavailable: ${(err as Error).message}`);
    }
    const uid = uidOf(ws);
    let desired: DesiredState;
    let hash: string;
    try {
      ({ state: desired, hash } = await this.desiredFor(uid, ws, platform));
    } catch (err) {
      if (!(err instanceof WorkspaceError)) throw err;
      // A spec we cannot honour: say why in status and an Event, create nothing, retry only on change.
      log.warn('workspace spec cannot be honoured', { field: err.field, reason: err.reason, error: err.message });
      this.deps.metrics.reconcileErrors.inc({ reason: err.reason });
      await this.event(ws, 'Warning', err.reason, err.message);
      await this.writeStatus(ws, buildStatus({ ws, deployments: new Map(), failure: { reason: err.reason, message: err.message } }));
      return;
    }
    const resolved = desired.workspace;
    if (resolved.namespace !== ws.metadata.namespace && !ws.metadata.finalizers?.includes(FINALIZER)) {
      await this.setFinalizers(ws, [...(ws.metadata.finalizers ?? []), FINALIZER]);
    }

    if (this.applied.get(uid) !== hash) {
      try {
        await this.ensureBaseline(resolved.namespace);
        for (const obj of applyOrder(desired.objects as KubernetesObject[])) await this.applyOne(obj);
        // A Workspace never reconciled before (no status) has nothing left over to prune.
        if (this.applied.has(uid) || ws.status) await this.prune(resolved, new Set(desired.objects.map((o) => key(o as KubernetesObject))));
      } catch (err) {
        if (!(err instanceof ApplyError)) throw err;
        // Say what the API server refused, in status and an Event; the queue retries with backoff.
        const deployments = this.observedDeployments(resolved);
        await this.writeStatus(ws, buildStatus({ ws, resolved, platform, deployments, applyFailure: err.message }));
        await this.event(ws, 'Warning', 'ApplyFailed', err.message.slice(0, 1024));
        throw err;
      }
      this.applied.set(uid, hash);
      log.info('applied desired state', { objects: desired.objects.length, targetNamespace: resolved.namespace });
    }

    const status = buildStatus({ ws, resolved, platform, deployments: this.observedDeployments(resolved) });
    const wasRunning = (ws.status as { phase?: string } | undefined)?.phase === 'Running';
    if (status.phase === 'Running' && !wasRunning && ws.metadata.generation === 1) {
      const created = Date.parse((ws.metadata as { creationTimestamp?: string }).creationTimestamp ?? '');
      if (!Number.isNaN(created)) this.deps.metrics.workspaceStart.observe((Date.now() - created) / 1000);
    }
    await this.writeStatus(ws, status);
  }

  private observedDeployments(resolved: ResolvedWorkspace): Map<string, DeploymentView> {
    const deployments = new Map<string, DeploymentView>();
    for (const c of Object.values(resolved.components)) {
      const d = this.deps.deployment(resolved.namespace, c.name);
      if (d) deployments.set(c.name, d);
    }
    return deployments;
  }

  private async applyOne(obj: KubernetesObject): Promise<void> {
    try {
      await this.deps.kube.apply(obj);
    } catch (err) {
      throw new ApplyError('apply', obj, err);
    }
  }

  /** When each namespace's default-deny baseline was last applied. */
  private readonly baselines = new Map<string, number>();

  /** The namespace's default-deny baseline for workspace pods, before any workspace object. */
  private async ensureBaseline(namespace: string): Promise<void> {
    const at = this.baselines.get(namespace);
    if (at !== undefined && Date.now() - at < BASELINE_TTL_MS) return;
    await this.applyOne(baselinePolicy(namespace) as KubernetesObject);
    this.baselines.set(namespace, Date.now());
  }

  private async desiredFor(uid: string, ws: WorkspaceResource, platform: WorkspacePlatform) {
    const turn = await this.turnCredentials(platform);
    const inputs = JSON.stringify([ws.metadata.generation, ws.metadata.name, ws.metadata.namespace, platform, turn]);
    const cached = this.desired.get(uid);
    if (cached?.inputs === inputs) return cached;
    const state = desiredState(ws, platform, { turn });
    const entry = { inputs, state, hash: createHash('sha256').update(JSON.stringify(state.objects)).digest('hex') };
    this.desired.set(uid, entry);
    return entry;
  }

  /** Deletes this workspace's objects that the desired state no longer has (a component turned off). */
  private async prune(ws: ResolvedWorkspace, desired: Set<string>): Promise<void> {
    for (const obj of await this.ownedObjects(ws)) {
      if (!desired.has(key(obj))) await this.deleteOne(obj);
    }
  }

  private async deleteOne(obj: KubernetesObject): Promise<void> {
    try {
      await this.deps.kube.delete(obj);
    } catch (err) {
      throw new ApplyError('delete', obj, err);
    }
  }

  private async ownedObjects(ws: { id: string; namespace: string; owner: { namespace: string; name: string } }): Promise<KubernetesObject[]> {
    const selector = `${WORKSPACE_ID_LABEL}=${ws.id},${OWNER_NAMESPACE_LABEL}=${ws.owner.namespace},${OWNER_NAME_LABEL}=${ownerNameLabel(ws.owner.name)}`;
    const found: KubernetesObject[] = [];
    for (const [apiVersion, kind] of OWNED_KINDS) {
      let items: KubernetesObject[];
      try {
        // An API that is not installed (no Cilium) lists as empty.
        items = await this.deps.kube.list(apiVersion, kind, ws.namespace, selector);
      } catch (err) {
        throw new ApplyError('list', { apiVersion, kind, metadata: { namespace: ws.namespace } }, err);
      }
      for (const item of items) found.push({ ...item, apiVersion, kind });
    }
    return found;
  }

  private async finalize(ws: WorkspaceResource, log: Logger): Promise<void> {
    if (!ws.metadata.finalizers?.includes(FINALIZER)) return;
    const platform = await this.deps.platform.get();
    const namespace = ws.spec.targetNamespace || platform.defaultNamespace;
    const owner = { namespace: ws.metadata.namespace ?? 'default', name: ws.metadata.name };
    const objects = await this.ownedObjects({ id: ws.spec.workspaceId, namespace, owner });
    for (const obj of objects) await this.deleteOne(obj);
    if (platform.storage.deleteWithWorkspace) {
      await this.deps.kube.delete({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `${platform.storage.pvcPrefix}-${ws.spec.workspaceId}`, namespace } });
    }
    await this.setFinalizers(ws, ws.metadata.finalizers.filter((f) => f !== FINALIZER));
    this.forget(ws.metadata.uid ?? '');
    log.info('cleaned up cross-namespace objects', { objects: objects.length, targetNamespace: namespace });
  }

  /** A merge patch of the Workspace, or of its status subresource. */
  private patchWorkspace(ws: WorkspaceResource, body: object, subresource?: 'status'): Promise<unknown> {
    const { kube } = this.deps;
    const request = { group: WORKSPACE_API_GROUP, version: WORKSPACE_VERSION, namespace: ws.metadata.namespace!, plural: WORKSPACE_RESOURCE, name: ws.metadata.name, body };
    return kube.call('write', () =>
      subresource ? kube.custom.patchNamespacedCustomObjectStatus(request, kube.mergePatchOptions()) : kube.custom.patchNamespacedCustomObject(request, kube.mergePatchOptions()),
    );
  }

  private async setFinalizers(ws: WorkspaceResource, finalizers: string[]): Promise<void> {
    // resourceVersion makes it conditional: a concurrent change is a conflict, retried on fresh data.
    await this.patchWorkspace(ws, { metadata: { finalizers, resourceVersion: (ws.metadata as { resourceVersion?: string }).resourceVersion } });
  }

  private async writeStatus(ws: WorkspaceResource, status: Record<string, unknown>): Promise<void> {
    const uid = uidOf(ws);
    if (sameStatus(ws.status, status) || sameStatus(this.written.get(uid), status)) return;
    try {
      await this.patchWorkspace(ws, { status }, 'status');
      this.written.set(uid, status);
    } catch (err) {
      if (statusCode(err) !== 404) throw err; // deleted meanwhile
    }
  }

  private turnCache?: { at: number; value?: TurnCredentials };

  /** The CoTURN credentials, copied into each workspace namespace for neko (cached for a minute). */
  private async turnCredentials(platform: WorkspacePlatform): Promise<TurnCredentials | undefined> {
    if (!platform.turn.enabled || !platform.turn.secretName) return undefined;
    if (this.turnCache && Date.now() - this.turnCache.at < 60_000) return this.turnCache.value;
    let value: TurnCredentials | undefined;
    try {
      const secret = await this.deps.kube.call('read', () =>
        this.deps.kube.core.readNamespacedSecret({ name: platform.turn.secretName, namespace: platform.releaseNamespace }),
      );
      const data = secret.data ?? {};
      const decode = (k: string) => Buffer.from(data[k] ?? '', 'base64').toString();
      if (data.username && data.credential) value = { username: decode('username'), credential: decode('credential') };
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
      this.deps.log.warn('CoTURN Secret not found; browsers get no TURN settings', { secret: platform.turn.secretName });
    }
    this.turnCache = { at: Date.now(), value };
    return value;
  }

  /** A Warning Event for a reconcile that failed and will be retried. */
  recordFailure(ws: WorkspaceResource, error: Error): Promise<void> {
    if (error instanceof ApplyError) return Promise.resolve(); // already recorded, with the object, by reconcile
    return this.event(ws, 'Warning', 'ReconcileFailed', apiMessage(error).slice(0, 1024));
  }

  private async event(ws: WorkspaceResource, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = ws.metadata.namespace!;
    const now = new Date().toISOString();
    try {
      await this.deps.kube.call('write', () =>
        this.deps.kube.core.createNamespacedEvent({
          namespace,
          body: {
            metadata: { generateName: `${ws.metadata.name}.`, namespace },
            involvedObject: {
              apiVersion: `${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION}`,
              kind: 'Workspace',
              name: ws.metadata.name,
              namespace,
              uid: ws.metadata.uid,
            },
            type,
            reason,
            message,
            source: { component: 'aileron-workspace-operator' },
            firstTimestamp: now as unknown as Date,
            lastTimestamp: now as unknown as Date,
            count: 1,
          },
        }),
      );
    } catch (err) {
      this.deps.log.warn('could not record an Event', { error: (err as Error).message });
    }
  }
}
