/**
 * One idempotent reconcile of one Workspace, as a list of steps, each saying
 * what comes next (reconcile/step.ts):
 *
 *   resolve    the platform settings and credentials, and the Workspace against them, once; its namespace's Pod Security
 *   admit      whether it runs: spec.started and the running limits (lifecycle/); a stopped one keeps all but pods and routes
 *   render     the plan: kept while its inputs stay the same, taken from the cluster when status says it holds it, else
 *              rendered from the constructs (lib/workspace)
 *   finalizer  added when the objects go to another namespace than the Workspace's
 *   plan       against what the watches hold: what to apply, what to delete, whether the namespace's baseline is due
 *   apply      in stages, policies before the Deployments that make pods
 *   prune      what the Workspace no longer wants
 *   status     written when it changed, with the lifecycle's verdict: activity, StoppingSoon, or the idle or max-age stop
 *
 * What the cluster has comes from the owned-object watches (owned-cache.ts), never from a LIST: a reconcile that
 * changes nothing makes no API call, and an update writes only the objects it changes. What is kept between
 * reconciles is in reconcile/caches.ts.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { renderWorkspace, type DesiredStateOptions } from '../lib/workspace/workspace-chart.js';
import { resolveWorkspace, targetNamespaceOf, WorkspaceError, type ResolvedWorkspace } from '../lib/workspace/model.js';
import type { WorkspacePlatform } from '../lib/workspace/platform.js';
import { ownerNameLabel } from '../lib/workspace/labels.js';
import { baselinePolicy } from '../lib/workspace/firewall.js';
import { apiMessage, type Kube } from './kube.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { buildStatus, type DeploymentView, type ObservedWorkspace } from './status.js';
import type { PlatformSource } from './platform-source.js';
import { PlatformCredentials } from './platform-credentials.js';
import { NamespaceGuard } from './namespace-guard.js';
import { appliedHash, objectHash, Planned, planFromCluster, planOf } from './plan.js';
import { ownerKey, type OwnedCache, type OwnedRef } from './owned-cache.js';
import { ReconcileCaches, type KeptPlan } from './reconcile/caches.js';
import { annotated, ApplyError, applyStages } from './reconcile/apply.js';
import { errored, failedReason, next, ReportedError, Requeue, stop, type StepName, type StepResult } from './reconcile/step.js';
import { FINALIZER, updateFinalizers } from './reconcile/finalizers.js';
import { uidOf, WorkspaceReport } from './reconcile/report.js';
import { queueKey, type Admission, type WorkspaceLifecycle } from './lifecycle/workspace-lifecycle.js';


export interface ReconcilerDeps {
  kube: Kube;
  platform: PlatformSource;
  metrics: Metrics;
  log: Logger;
  /** What the cluster has of the operator's objects (watched, not listed). */
  owned: OwnedCache;
  caches: ReconcileCaches;
  /**
   * The operator's build (a digest of its bundle): one of a render's inputs, so a new operator version renders
   * every Workspace again instead of trusting plans an older one applied.
   */
  codeVersion: string;
  lifecycle: WorkspaceLifecycle;
}

/** The platform and the Workspace resolved against it: what every later step works from. */
interface Resolution {
  platform: WorkspacePlatform;
  credentials: DesiredStateOptions;
  resolved: ResolvedWorkspace;
}

/** The plan, and the objects when this reconcile rendered them (only the plan is kept between reconciles). */
interface Rendering {
  kept: KeptPlan;
  objects?: KubernetesObject[];
}

/** What the cluster lacks of the plan, and holds beyond it. */
interface Changes {
  stale: Map<string, Planned>;
  unwanted: OwnedRef[];
  baseline?: { object: KubernetesObject; planned: Planned };
}

/** One reconcile in progress: the Workspace, its logger, and its resolution once made. */
interface Run {
  ws: ObservedWorkspace;
  log: Logger;
  resolution?: Resolution;
}

/** The owned cache's key for a Workspace's objects: its namespace and name label. */
const ownerOf = (ws: { owner: { namespace: string; name: string } }) => ownerKey(ws.owner.namespace, ownerNameLabel(ws.owner.name));
const refKey = (o: { kind?: string; namespace?: string; name?: string }) => `${o.kind}/${o.namespace}/${o.name}`;
const objectRef = (o: KubernetesObject) => refKey({ kind: o.kind, ...o.metadata });

/** A spec the platform cannot honour, as the step result that says so. */
function specFailure<T>(err: WorkspaceError): StepResult<T> {
  return { kind: 'fail', reason: err.reason, field: err.field, message: err.message, retry: err.platformIncomplete };
}

export class Reconciler {
  private readonly caches: ReconcileCaches;
  private readonly credentials: PlatformCredentials;
  private readonly namespaces: NamespaceGuard;
  private readonly report: WorkspaceReport;

  constructor(private readonly deps: ReconcilerDeps) {
    this.caches = deps.caches;
    this.report = new WorkspaceReport(deps.kube, deps.log, deps.caches.writtenStatus);
    this.credentials = new PlatformCredentials(deps.kube, deps.log, deps.caches.credentials);
    this.namespaces = new NamespaceGuard(deps.kube, deps.caches.restrictedNamespaces);
  }

  /** Drops everything kept for a Workspace that no longer exists, and gives back its running slot. */
  forget(uid: string, key: string): void {
    this.caches.forget(uid);
    this.deps.lifecycle.forget(uid, key);
  }

  async reconcile(ws: ObservedWorkspace): Promise<void> {
    const run: Run = { ws, log: this.deps.log.with({ workspace: ws.metadata.name, namespace: ws.metadata.namespace }) };
    if (ws.metadata.deletionTimestamp) return this.finalize(run);

    const resolution = (run.resolution = await this.step(run, 'resolve', () => this.resolve(ws)));
    if (!resolution) return;
    const admission = await this.step(run, 'admit', () => this.admit(ws, resolution));
    if (!admission) return;
    const rendering = await this.step(run, 'render', () => this.render(ws, resolution));
    if (!rendering) return;
    if (!(await this.step(run, 'finalizer', () => this.addFinalizer(ws, resolution.resolved)))) return;
    const changes = await this.step(run, 'plan', () => next(this.changes(rendering.kept.plan, resolution.resolved)));
    if (!changes) return;
    if (!(await this.step(run, 'apply', () => this.apply(changes, rendering, resolution)))) return;
    if (!(await this.step(run, 'prune', () => this.prune(changes.unwanted)))) return;
    if (changes.baseline || changes.stale.size > 0 || changes.unwanted.length > 0) {
      run.log.info('applied desired state', { applied: changes.stale.size, deleted: changes.unwanted.length, targetNamespace: resolution.resolved.namespace });
    }
    await this.step(run, 'status', () => this.writeConverged(ws, resolution, admission, rendering.kept.applied));
  }

  /**
   * Runs one step and acts on what it says: its value to go on with, or undefined once the outcome is handled
   * (recorded in status and an Event where the user should see it). A step asking to retry throws a
   * ReportedError, which the queue retries with backoff; anything a step does not expect is thrown as it is.
   */
  private async step<T>(run: Run, name: StepName, body: () => Promise<StepResult<T>> | StepResult<T>): Promise<T | undefined> {
    const result = await body();
    switch (result.kind) {
      case 'continue':
        return result.value;
      case 'stop':
        run.log.debug(result.why);
        return undefined;
      case 'requeue':
        throw new Requeue(`${name}: ${result.why}`);
      case 'fail':
        // The Event and the log go with the status change, not with every reconcile (an operator restart).
        if (await this.report.status(run.ws, buildStatus({ ws: run.ws, deployments: new Map(), failure: result }))) {
          run.log.warn('workspace spec cannot be honoured', { field: result.field, reason: result.reason, error: result.message });
          await this.report.event(run.ws, 'Warning', result.reason, result.message);
        }
        // Something the platform lacks (a Secret, a namespace's label) may come at any time: retried with backoff.
        if (result.retry) throw new ReportedError(result.message, result.reason);
        this.deps.metrics.reconcileErrors.inc({ reason: result.reason });
        return undefined;
      case 'error': {
        const reason = failedReason(name);
        const { ws, resolution } = run;
        if (resolution) {
          const deployments = this.observedDeployments(resolution.resolved);
          await this.report.status(ws, buildStatus({ ws, ...resolution, deployments, stepFailure: { reason, message: result.error.message } }));
        }
        await this.report.event(ws, 'Warning', reason, result.error.message.slice(0, 1024));
        throw new ReportedError(result.error.message, reason);
      }
    }
  }

  /** Step resolve: the platform, its credentials and the Workspace, once; and whether its namespace may run it. */
  private async resolve(ws: ObservedWorkspace): Promise<StepResult<Resolution>> {
    const platform = await this.platformSettings();
    try {
      const credentials = await this.credentials.get(platform);
      const resolved = resolveWorkspace(ws, platform);
      await this.namespaces.check(resolved.namespace);
      return next({ platform, credentials, resolved });
    } catch (err) {
      if (!(err instanceof WorkspaceError)) throw err;
      // Aimed at a namespace another release of the platform created: that release's operator reconciles it.
      const target = targetNamespaceOf(ws.spec, platform);
      if (err.reason === 'NamespaceNotAllowed' && (await this.namespaces.belongsToAnotherRelease(target, { name: platform.releaseName, namespace: platform.releaseNamespace }))) {
        return stop(`workspace belongs to another release (${target})`);
      }
      return specFailure(err);
    }
  }

  /** Step admit: whether it runs now; a Workspace that does not is rendered without pods and routes. */
  private async admit(ws: ObservedWorkspace, resolution: Resolution): Promise<StepResult<Admission>> {
    const admission = await this.deps.lifecycle.admit(ws, resolution.resolved, resolution.platform);
    resolution.resolved.running = admission.running;
    return next(admission);
  }

  private async platformSettings(): Promise<WorkspacePlatform> {
    try {
      return await this.deps.platform.get();
    } catch (err) {
      throw new Error(`platform configuration unavailable: ${(err as Error).message}`);
    }
  }

  /**
   * Step render: the plan, rendered from the constructs only when its inputs changed. Not for the status and
   * Deployment events that make most reconciles, and not for a Workspace whose status says the cluster holds what
   * these inputs render (a restarted operator over converged Workspaces renders nothing).
   */
  private render(ws: ObservedWorkspace, { platform, credentials, resolved }: Resolution): StepResult<Rendering> {
    const uid = uidOf(ws);
    const inputs = this.renderInputs(ws, platform, credentials, resolved.running);
    const kept = this.caches.plans.get(uid);
    if (kept?.inputs === inputs) return next({ kept });
    // A Workspace seen for the first time (a new one, or any after a restart) whose status records an applied hash.
    if (!kept && ws.status?.appliedHash) {
      const adopted = planFromCluster(inputs, ws.status.appliedHash, this.deps.owned.viewsOf(ownerOf(resolved), resolved.id));
      if (adopted) return next({ kept: this.keep(uid, { inputs, plan: adopted, applied: ws.status.appliedHash }) });
    }
    let objects: KubernetesObject[];
    try {
      objects = this.objectsOf(resolved, platform, credentials);
    } catch (err) {
      if (err instanceof WorkspaceError) return specFailure(err);
      throw err;
    }
    const plan = planOf(objects, this.deps.owned);
    return next({ kept: this.keep(uid, { inputs, plan, applied: appliedHash(inputs, plan) }), objects });
  }

  private keep(uid: string, plan: KeptPlan): KeptPlan {
    this.caches.plans.set(uid, plan);
    return plan;
  }

  /**
   * What a render depends on, as one hash: the Workspace's spec (by its generation) and identity, whether it runs
   * (a running limit may hold it back), the platform settings, the TURN and proxy credentials copied into it, and
   * the operator's own build.
   */
  private renderInputs(ws: ObservedWorkspace, platform: WorkspacePlatform, credentials: DesiredStateOptions, running: boolean): string {
    const { generation, name, namespace, uid } = ws.metadata;
    return objectHash([this.deps.codeVersion, uid, generation, name, namespace, running, platform, credentials.turn, credentials.auth]);
  }

  private objectsOf(resolved: ResolvedWorkspace, platform: WorkspacePlatform, credentials: DesiredStateOptions): KubernetesObject[] {
    // Counted once rendered: a spec that cannot be honoured throws (WorkspaceError) before any object is made.
    const objects = renderWorkspace(resolved, platform, credentials) as KubernetesObject[];
    this.deps.metrics.renders.inc();
    return objects;
  }

  /** Step finalizer: objects in another namespace than the Workspace's are cleaned up by a finalizer. */
  private addFinalizer(ws: ObservedWorkspace, resolved: ResolvedWorkspace): Promise<StepResult<true>> | StepResult<true> {
    if (resolved.namespace === ws.metadata.namespace) return next(true);
    return updateFinalizers(this.deps.kube, ws, (current) => (current.includes(FINALIZER) ? undefined : [...current, FINALIZER]));
  }

  /** Step plan: what the cluster, as the watches show it, lacks of the plan or holds beyond it. */
  private changes(plan: Planned[], resolved: ResolvedWorkspace): Changes {
    const owned = this.deps.owned;
    const wanted = new Set(plan.map((p) => p.ref));
    return {
      stale: new Map(plan.filter((p) => owned.get(p.kind, p.key)?.hash !== p.hash).map((p) => [p.ref, p])),
      unwanted: this.ownedObjects(resolved).filter((ref) => !wanted.has(refKey(ref))),
      baseline: this.staleBaseline(resolved.namespace),
    };
  }

  /**
   * The namespace's default-deny baseline for workspace pods, when the cluster lacks it or has an older one:
   * it goes in before any workspace object.
   */
  private staleBaseline(namespace: string): Changes['baseline'] {
    let baseline = this.caches.baselines.get(namespace);
    if (!baseline) {
      const object = baselinePolicy(namespace) as KubernetesObject;
      this.caches.baselines.set(namespace, (baseline = { object, planned: Planned.of(object) }));
    }
    return this.deps.owned.get('NetworkPolicy', baseline.planned.key)?.hash === baseline.planned.hash ? undefined : baseline;
  }

  /** Step apply: the baseline, then the stale objects stage by stage; the first refusal stops the later stages. */
  private async apply(changes: Changes, rendering: Rendering, { platform, credentials, resolved }: Resolution): Promise<StepResult<true>> {
    try {
      if (changes.baseline) await this.applyOne(changes.baseline.object, changes.baseline.planned);
      if (changes.stale.size === 0) return next(true);
      // Only the plan outlives a reconcile; a later re-apply (an object was deleted) renders the objects again.
      const objects = rendering.objects ?? this.objectsOf(resolved, platform, credentials);
      const toApply = objects.filter((o) => changes.stale.has(objectRef(o)));
      for (const stage of applyStages(toApply)) {
        // Every object of a stage is tried.
        const applies = stage.map((obj) => this.applyOne(obj, changes.stale.get(objectRef(obj))!));
        const failed = (await Promise.allSettled(applies)).find((r) => r.status === 'rejected');
        if (failed) throw (failed as PromiseRejectedResult).reason;
      }
      return next(true);
    } catch (err) {
      if (err instanceof ApplyError) return errored(err);
      throw err;
    }
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

  /** Step prune: deletes what the Workspace no longer wants (a component turned off), or all of it on deletion. */
  private async prune(refs: OwnedRef[]): Promise<StepResult<true>> {
    for (const ref of refs) {
      const obj = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { namespace: ref.namespace, name: ref.name } };
      try {
        await this.deps.kube.delete(obj);
      } catch (err) {
        return errored(new ApplyError('delete', obj, err));
      }
      this.deps.owned.recordDeleted(ref);
    }
    return next(true);
  }

  /**
   * Step status: everything planned is applied and nothing else is left; status records it, for a restarted
   * operator, with what the lifecycle says. An idle or max-age stop that is due happens here instead.
   */
  private async writeConverged(ws: ObservedWorkspace, { platform, resolved }: Resolution, admission: Admission, applied: string): Promise<StepResult<true>> {
    const base = { ws, resolved, platform, deployments: this.observedDeployments(resolved), appliedHash: applied };
    if (!admission.running) {
      const { stopped } = admission;
      await this.report.status(ws, buildStatus({ ...base, stopped, startedAt: ws.status?.startedAt, lastActivityTime: ws.status?.lastActivityTime }));
      return next(true);
    }
    const assessment = await this.deps.lifecycle.assess(ws, resolved, platform, admission.since);
    if (assessment.stopNow) {
      await this.deps.lifecycle.stop(ws, assessment.stopNow, resolved);
      return stop(`stopped (${assessment.stopNow})`);
    }
    const status = buildStatus({ ...base, startedAt: new Date(admission.since).toISOString(), ...assessment });
    if (status.phase === 'Running' && ws.status?.phase !== 'Running' && ws.metadata.generation === 1) {
      const created = Date.parse((ws.metadata as { creationTimestamp?: string }).creationTimestamp ?? '');
      if (!Number.isNaN(created)) this.deps.metrics.workspaceStart.observe((Date.now() - created) / 1000);
    }
    await this.report.status(ws, status);
    return next(true);
  }

  private observedDeployments(resolved: ResolvedWorkspace): Map<string, DeploymentView> {
    const deployments = new Map<string, DeploymentView>();
    for (const c of Object.values(resolved.components)) {
      const d = this.deps.owned.deployment(resolved.namespace, c.name);
      if (d) deployments.set(c.name, d);
    }
    return deployments;
  }

  private ownedObjects(ws: { id: string; owner: { namespace: string; name: string } }): OwnedRef[] {
    return this.deps.owned.ownedBy(ownerOf(ws), ws.id);
  }

  /** A Workspace being deleted: its objects in other namespaces (and its volume, if so configured), then the finalizer. */
  private async finalize(run: Run): Promise<void> {
    const { ws } = run;
    if (!ws.metadata.finalizers?.includes(FINALIZER)) return;
    const platform = await this.platformSettings();
    const namespace = targetNamespaceOf(ws.spec, platform);
    const objects = this.ownedObjects({ id: ws.spec.workspaceId, owner: { namespace: ws.metadata.namespace ?? 'default', name: ws.metadata.name } });
    if (!(await this.step(run, 'prune', () => this.prune(objects)))) return;
    if (platform.storage.deleteWithWorkspace) {
      await this.deps.kube.delete({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `${platform.storage.pvcPrefix}-${ws.spec.workspaceId}`, namespace } });
    }
    const removed = (current: string[]) => (current.includes(FINALIZER) ? current.filter((f) => f !== FINALIZER) : undefined);
    if (!(await this.step(run, 'finalizer', () => updateFinalizers(this.deps.kube, ws, removed)))) return;
    this.forget(uidOf(ws), queueKey(ws));
    run.log.info('cleaned up cross-namespace objects', { objects: objects.length, targetNamespace: namespace });
  }

  /** A Warning Event for a reconcile that failed and will be retried. */
  recordFailure(ws: ObservedWorkspace, error: Error): Promise<void> {
    // Already recorded by reconcile: with the object, or in status.
    if (error instanceof ApplyError || error instanceof ReportedError) return Promise.resolve();
    return this.report.event(ws, 'Warning', 'ReconcileFailed', apiMessage(error).slice(0, 1024));
  }
}
