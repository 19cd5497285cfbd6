/**
 * One idempotent reconcile of one Workspace: compute the desired objects
 * (lib/workspace), apply server-side those whose hash differs from what the
 * cluster has, delete what is no longer desired, and write status when it
 * changed. What the cluster has comes from the owned-object watches
 * (owned-cache.ts), never from a LIST, so a reconcile that changes nothing
 * makes no API call, and an update writes only the objects it changes.
 * Cross-namespace objects are cleaned up by a finalizer.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { desiredState, type DesiredStateOptions } from '../lib/workspace/workspace-chart.js';
import { PlatformCredentials } from './platform-credentials.js';
import { resolveWorkspace, WorkspaceError, type ResolvedWorkspace } from '../lib/workspace/model.js';
import { NamespaceGuard } from './namespace-guard.js';
import type { WorkspacePlatform } from '../lib/workspace/platform.js';
import { ownerNameLabel } from '../lib/workspace/labels.js';
import { WORKSPACE_API_GROUP, WORKSPACE_RESOURCE, WORKSPACE_VERSION } from '../lib/crd/workspace-crd.js';
import { apiMessage, type Kube, statusCode } from './kube.js';
import { baselinePolicy } from '../lib/workspace/firewall.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { buildStatus, statusDigest, type DeploymentView, type ObservedWorkspace } from './status.js';
import type { PlatformSource } from './platform-source.js';
import { appliedHash, objectHash, Planned, planFromCluster, planOf } from './plan.js';
import { APPLIED_HASH_ANNOTATION, ownerKey, type OwnedCache, type OwnedRef } from './owned-cache.js';

export const FINALIZER = 'platform.aileron.io/cleanup';

/** A failure already reported in status and an Event: the queue retries it, and reports nothing more. */
export class ReportedError extends Error {}

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
 * Policies before anything they govern, Deployments (the only source of pods) last: a workspace's pods never
 * start before its firewall is in place. Within a stage the objects are independent and go out together.
 */
const APPLY_STAGES = [['NetworkPolicy', 'CiliumNetworkPolicy'], ['Secret', 'PersistentVolumeClaim', 'Service', 'Ingress'], ['Deployment']];
export function applyStages<T extends { kind?: string }>(objects: T[]): T[][] {
  const stageOf = (o: T) => {
    const i = APPLY_STAGES.findIndex((kinds) => kinds.includes(o.kind ?? ''));
    return i < 0 ? APPLY_STAGES.length - 1 : i;
  };
  return APPLY_STAGES.map((_, i) => objects.filter((o) => stageOf(o) === i)).filter((stage) => stage.length > 0);
}

/** The desired object with the hash it was computed to, as it is applied. */
export function annotated(obj: KubernetesObject, hash: string): KubernetesObject {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
}

/**
 * What a Workspace's desired state was computed from, and its plan. The objects and the resolved workspace live
 * only within the reconcile that computed them: resolving again is cheap, and at 10,000 workspaces they would be
 * most of the heap.
 */
interface DesiredEntry {
  inputs: string;
  plan: Planned[];
  /** The applied hash of inputs and plan, for status once the cluster holds the plan. */
  applied: string;
}

/** The desired state of one reconcile: the kept plan, the resolved workspace, and the objects if synthesized. */
interface Desired extends DesiredEntry {
  resolved: ResolvedWorkspace;
  objects?: KubernetesObject[];
}

export interface ReconcilerDeps {
  kube: Kube;
  platform: PlatformSource;
  metrics: Metrics;
  log: Logger;
  /** What the cluster has of the operator's objects (watched, not listed). */
  owned: OwnedCache;
  /**
   * The operator's build (a digest of its bundle): one of a render's inputs, so a new operator version renders
   * every Workspace again instead of trusting plans an older one applied.
   */
  codeVersion: string;
}

/** The owned cache's key for a Workspace's objects: its namespace and name label. */
const ownerOf = (ws: { owner: { namespace: string; name: string } }) => ownerKey(ws.owner.namespace, ownerNameLabel(ws.owner.name));

/** The key of the per-Workspace caches. */
const uidOf = (ws: ObservedWorkspace) => ws.metadata.uid ?? `${ws.metadata.namespace}/${ws.metadata.name}`;

const refKey = (o: { kind?: string; namespace?: string; name?: string }) => `${o.kind}/${o.namespace}/${o.name}`;
const objectRef = (o: KubernetesObject) => refKey({ kind: o.kind, ...o.metadata });

export class Reconciler {
  /** A digest of the status last written per uid (the informer cache lags behind our own writes). */
  private readonly written = new Map<string, string>();
  /**
   * The desired plan per uid, with what it was computed from: most reconciles come from status and
   * Deployment events and change none of its inputs, so they skip the synthesis.
   */
  private readonly desired = new Map<string, DesiredEntry>();

  private readonly credentials: PlatformCredentials;
  private readonly namespaces: NamespaceGuard;

  constructor(private readonly deps: ReconcilerDeps) {
    this.credentials = new PlatformCredentials(deps.kube, deps.log);
    this.namespaces = new NamespaceGuard(deps.kube);
  }

  /** Drops everything kept for a Workspace that no longer exists. */
  forget(uid: string): void {
    this.written.delete(uid);
    this.desired.delete(uid);
  }

  async reconcile(ws: ObservedWorkspace): Promise<void> {
    const log = this.deps.log.with({ workspace: ws.metadata.name, namespace: ws.metadata.namespace });
    if (ws.metadata.deletionTimestamp) return this.finalize(ws, log);

    let platform: WorkspacePlatform;
    try {
      platform = await this.deps.platform.get();
    } catch (err) {
      throw new Error(`platform configuration unavailable: ${(err as Error).message}`);
    }
    const uid = uidOf(ws);
    let desired: Desired;
    try {
      desired = await this.desiredFor(uid, ws, platform);
      await this.namespaces.check(desired.resolved.namespace);
    } catch (err) {
      if (!(err instanceof WorkspaceError)) throw err;
      // Aimed at a namespace another release of the platform created: that release's operator reconciles it.
      const target = ws.spec?.targetNamespace || platform.defaultNamespace;
      if (err.reason === 'NamespaceNotAllowed' && (await this.namespaces.belongsToAnotherRelease(target, { name: platform.releaseName, namespace: platform.releaseNamespace }))) {
        log.debug('workspace belongs to another release', { targetNamespace: target });
        return;
      }
      // A spec we cannot honour: say why in status and an Event, create nothing, retry only on change.
      this.deps.metrics.reconcileErrors.inc({ reason: err.reason });
      // The Event and the log go with the status change, not with every reconcile (an operator restart).
      if (await this.writeStatus(ws, buildStatus({ ws, deployments: new Map(), failure: { reason: err.reason, message: err.message } }))) {
        log.warn('workspace spec cannot be honoured', { field: err.field, reason: err.reason, error: err.message });
        await this.event(ws, 'Warning', err.reason, err.message);
      }
      // A missing platform Secret, or a namespace's label, may be fixed at any time: retry with backoff (nothing is applied meanwhile).
      if (err.platformIncomplete) throw new ReportedError(err.message);
      return;
    }
    const resolved = desired.resolved;
    if (resolved.namespace !== ws.metadata.namespace && !ws.metadata.finalizers?.includes(FINALIZER)) {
      await this.setFinalizers(ws, [...(ws.metadata.finalizers ?? []), FINALIZER]);
    }

    const owned = this.deps.owned;
    const stale = new Map(desired.plan.filter((p) => owned.get(p.kind, p.key)?.hash !== p.hash).map((p) => [p.ref, p]));
    const unwanted = this.unwanted(resolved, new Set(desired.plan.map((p) => p.ref)));
    const baseline = this.staleBaseline(resolved.namespace);
    if (baseline || stale.size > 0 || unwanted.length > 0) {
      try {
        if (baseline) await this.applyOne(baseline.object, baseline.planned);
        if (stale.size > 0) {
          // Only the plan outlives a reconcile; a later re-apply (an object was deleted) computes the objects again.
          const objects = desired.objects ?? this.render(ws, platform, await this.credentials.get(platform)).objects;
          const toApply = objects.filter((o) => stale.has(objectRef(o)));
          for (const stage of applyStages(toApply)) {
            // Every object of a stage is tried; the first refusal stops the later stages.
            const applies = stage.map((obj) => this.applyOne(obj, stale.get(objectRef(obj))!));
            const failed = (await Promise.allSettled(applies)).find((r) => r.status === 'rejected');
            if (failed) throw (failed as PromiseRejectedResult).reason;
          }
        }
        for (const ref of unwanted) await this.deleteOne(ref);
      } catch (err) {
        if (!(err instanceof ApplyError)) throw err;
        // Say what the API server refused, in status and an Event; the queue retries with backoff.
        const deployments = this.observedDeployments(resolved);
        await this.writeStatus(ws, buildStatus({ ws, resolved, platform, deployments, applyFailure: err.message }));
        await this.event(ws, 'Warning', 'ApplyFailed', err.message.slice(0, 1024));
        throw err;
      }
      log.info('applied desired state', { applied: stale.size, deleted: unwanted.length, targetNamespace: resolved.namespace });
    }
    // Everything planned is applied and nothing else is left: status records it, for a restarted operator.
    const status = buildStatus({ ws, resolved, platform, deployments: this.observedDeployments(resolved), appliedHash: desired.applied });
    const wasRunning = ws.status?.phase === 'Running';
    if (status.phase === 'Running' && !wasRunning && ws.metadata.generation === 1) {
      const created = Date.parse((ws.metadata as { creationTimestamp?: string }).creationTimestamp ?? '');
      if (!Number.isNaN(created)) this.deps.metrics.workspaceStart.observe((Date.now() - created) / 1000);
    }
    await this.writeStatus(ws, status);
  }

  private observedDeployments(resolved: ResolvedWorkspace): Map<string, DeploymentView> {
    const deployments = new Map<string, DeploymentView>();
    for (const c of Object.values(resolved.components)) {
      const d = this.deps.owned.deployment(resolved.namespace, c.name);
      if (d) deployments.set(c.name, d);
    }
    return deployments;
  }

  /** Applies one object with its planned hash, and records it as applied. */
  private async applyOne(obj: KubernetesObject, planned: Planned): Promise<void> {
    const applied = annotated(obj, planned.hash);
    let answer: KubernetesObject;
    try {
      answer = await this.deps.kube.apply(applied);
    } catch (err) {
      throw new ApplyError('apply', obj, err);
    }
    // The server's answer, not what was sent: a Deployment's new generation shows its rollout as pending at once,
    // where the cached status would still call it done (and status would flip Running, Reconciling, Running).
    this.deps.owned.recordApplied(answer.metadata ? answer : applied, planned.hash, planned.key);
  }

  /**
   * The namespace's default-deny baseline for workspace pods, when the cluster lacks it or has an older one:
   * it goes in before any workspace object.
   */
  private staleBaseline(namespace: string): { object: KubernetesObject; planned: Planned } | undefined {
    let baseline = this.baselines.get(namespace);
    if (!baseline) {
      const object = baselinePolicy(namespace) as KubernetesObject;
      this.baselines.set(namespace, (baseline = { object, planned: Planned.of(object) }));
    }
    return this.deps.owned.get('NetworkPolicy', baseline.planned.key)?.hash === baseline.planned.hash ? undefined : baseline;
  }

  private readonly baselines = new Map<string, { object: KubernetesObject; planned: Planned }>();

  /**
   * The desired plan, rendered from the constructs only when its inputs changed: not for the status and
   * Deployment events that make most reconciles, and not for a Workspace whose status says the cluster holds what
   * these inputs render (a restarted operator over converged Workspaces renders nothing).
   */
  private async desiredFor(uid: string, ws: ObservedWorkspace, platform: WorkspacePlatform): Promise<Desired> {
    const credentials = await this.credentials.get(platform);
    const inputs = this.renderInputs(ws, platform, credentials);
    const cached = this.desired.get(uid);
    if (cached?.inputs === inputs) return { ...cached, resolved: resolveWorkspace(ws, platform) };
    // A Workspace seen for the first time (a new one, or any after a restart) whose status records an applied hash.
    if (!cached && ws.status?.appliedHash) {
      const resolved = resolveWorkspace(ws, platform);
      const adopted = planFromCluster(inputs, ws.status.appliedHash, this.deps.owned.viewsOf(ownerOf(resolved), resolved.id));
      if (adopted) {
        const entry = { inputs, plan: adopted, applied: ws.status.appliedHash };
        this.desired.set(uid, entry);
        return { ...entry, resolved };
      }
    }
    const state = this.render(ws, platform, credentials);
    const plan = planOf(state.objects, this.deps.owned);
    const entry = { inputs, plan, applied: appliedHash(inputs, plan) };
    this.desired.set(uid, entry);
    return { ...entry, resolved: state.workspace, objects: state.objects };
  }

  /**
   * What a render depends on, as one hash: the Workspace's spec (by its generation) and identity, the platform
   * settings, the TURN and proxy credentials copied into it, and the operator's own build.
   */
  private renderInputs(ws: ObservedWorkspace, platform: WorkspacePlatform, credentials: DesiredStateOptions): string {
    const { generation, name, namespace, uid } = ws.metadata;
    return objectHash([this.deps.codeVersion, uid, generation, name, namespace, platform, credentials.turn, credentials.auth]);
  }

  private render(ws: ObservedWorkspace, platform: WorkspacePlatform, credentials: DesiredStateOptions): { workspace: ResolvedWorkspace; objects: KubernetesObject[] } {
    // Counted once rendered: a spec that cannot be honoured throws (WorkspaceError) before any object is made.
    const state = desiredState(ws, platform, credentials);
    this.deps.metrics.renders.inc();
    return { workspace: state.workspace, objects: state.objects as KubernetesObject[] };
  }

  /** This workspace's objects that the desired state no longer has (a component turned off), from the watches. */
  private unwanted(ws: ResolvedWorkspace, desired: Set<string>): OwnedRef[] {
    return this.ownedObjects(ws).filter((ref) => !desired.has(refKey(ref)));
  }

  private async deleteOne(ref: OwnedRef): Promise<void> {
    const obj = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { namespace: ref.namespace, name: ref.name } };
    try {
      await this.deps.kube.delete(obj);
    } catch (err) {
      throw new ApplyError('delete', obj, err);
    }
    this.deps.owned.recordDeleted(ref);
  }

  private ownedObjects(ws: { id: string; owner: { namespace: string; name: string } }): OwnedRef[] {
    return this.deps.owned.ownedBy(ownerOf(ws), ws.id);
  }

  private async finalize(ws: ObservedWorkspace, log: Logger): Promise<void> {
    if (!ws.metadata.finalizers?.includes(FINALIZER)) return;
    const platform = await this.deps.platform.get();
    const namespace = ws.spec.targetNamespace || platform.defaultNamespace;
    const owner = { namespace: ws.metadata.namespace ?? 'default', name: ws.metadata.name };
    const objects = this.ownedObjects({ id: ws.spec.workspaceId, owner });
    for (const obj of objects) await this.deleteOne(obj);
    if (platform.storage.deleteWithWorkspace) {
      await this.deps.kube.delete({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `${platform.storage.pvcPrefix}-${ws.spec.workspaceId}`, namespace } });
    }
    await this.setFinalizers(ws, ws.metadata.finalizers.filter((f) => f !== FINALIZER));
    this.forget(ws.metadata.uid ?? '');
    log.info('cleaned up cross-namespace objects', { objects: objects.length, targetNamespace: namespace });
  }

  /** A merge patch of the Workspace, or of its status subresource. */
  private patchWorkspace(ws: ObservedWorkspace, body: object, subresource?: 'status'): Promise<unknown> {
    const ref = { apiVersion: `${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION}`, plural: WORKSPACE_RESOURCE, namespace: ws.metadata.namespace, name: ws.metadata.name, subresource };
    return this.deps.kube.mergePatch(ref, body);
  }

  private async setFinalizers(ws: ObservedWorkspace, finalizers: string[]): Promise<void> {
    // resourceVersion makes it conditional: a concurrent change is a conflict, retried on fresh data.
    await this.patchWorkspace(ws, { metadata: { finalizers, resourceVersion: (ws.metadata as { resourceVersion?: string }).resourceVersion } });
  }

  /** Writes status when it changed; says whether it did. */
  private async writeStatus(ws: ObservedWorkspace, status: Record<string, unknown>): Promise<boolean> {
    const uid = uidOf(ws);
    const digest = statusDigest(status);
    if (ws.status?.digest === digest || this.written.get(uid) === digest) return false;
    try {
      await this.patchWorkspace(ws, { status }, 'status');
      this.written.set(uid, digest);
      return true;
    } catch (err) {
      if (statusCode(err) !== 404) throw err; // deleted meanwhile
      return false;
    }
  }

  /** A Warning Event for a reconcile that failed and will be retried. */
  recordFailure(ws: ObservedWorkspace, error: Error): Promise<void> {
    // Already recorded by reconcile: with the object, or in status.
    if (error instanceof ApplyError || error instanceof ReportedError) return Promise.resolve();
    return this.event(ws, 'Warning', 'ReconcileFailed', apiMessage(error).slice(0, 1024));
  }

  private async event(ws: ObservedWorkspace, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = ws.metadata.namespace!;
    const now = new Date().toISOString();
    try {
      await this.deps.kube.create({ apiVersion: 'v1', plural: 'events', namespace }, {
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
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
    } catch (err) {
      this.deps.log.warn('could not record an Event', { error: (err as Error).message });
    }
  }
}
