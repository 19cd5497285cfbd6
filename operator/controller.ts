/**
 * Watches Workspaces (all namespaces, or WATCH_NAMESPACE) and every object
 * the operator made (owned-cache.ts), and runs the reconciler for each change
 * on a few workers. Watches restart themselves after errors (the API server
 * restarting, for one); workers start once every cache has listed.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { WORKSPACE_API_GROUP, WORKSPACE_KIND, WORKSPACE_RESOURCE, WORKSPACE_VERSION } from '../lib/crd/workspace-crd.js';
import { ownerNameLabel } from '../lib/workspace/labels.js';
import type { WorkspaceResource } from '../lib/workspace/model.js';
import type { OperatorConfig } from './config.js';
import type { Kube } from './kube.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { observedStatus, type ObservedWorkspace } from './status.js';
import { Reconciler } from './reconciler.js';
import { ReconcileCaches } from './reconcile/caches.js';
import { ReportedError, Requeue } from './reconcile/step.js';
import { ConfigMapPlatformSource } from './platform-source.js';
import { WorkQueue } from './queue.js';
import { OwnedCache, ownerKey } from './owned-cache.js';
import { ListWatch } from './list-watch.js';
import { STOPPED_BY_ANNOTATION } from '../lib/crd/workspace-crd.js';
import { RunningSlots } from './lifecycle/running-slots.js';
import { ActivityMonitor } from './lifecycle/activity.js';
import { queueKey, WorkspaceLifecycle } from './lifecycle/workspace-lifecycle.js';
import { WorkspaceReport } from './reconcile/report.js';

/**
 * What is kept of a Workspace: all the reconciler reads. Not its managedFields, nor its annotations but the
 * operator's own stopped-by (`kubectl apply` leaves a copy of the whole object in one), and of its status only a
 * summary.
 */
const WORKSPACE_API_VERSION = `${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION}`;

const MAX_TIMER_MS = 24 * 3600 * 1000;

function slimWorkspace(o: KubernetesObject): ObservedWorkspace {
  const ws = o as WorkspaceResource;
  const { managedFields: _managed, annotations, ...rest } = ws.metadata as WorkspaceResource['metadata'] & { managedFields?: unknown };
  const stoppedBy = annotations?.[STOPPED_BY_ANNOTATION];
  const metadata = stoppedBy ? { ...rest, annotations: { [STOPPED_BY_ANNOTATION]: stoppedBy } } : rest;
  return { apiVersion: WORKSPACE_API_VERSION, kind: WORKSPACE_KIND, metadata, spec: ws.spec, status: observedStatus(ws.status) };
}

export class Controller {
  private readonly queue = new WorkQueue();
  private readonly workspaces: ListWatch<ObservedWorkspace>;
  private readonly owned: OwnedCache;
  /** Owner-label key -> queue key, for Workspace names longer than a label value (hashed in the label). */
  private readonly longNames = new Map<string, string>();
  private readonly reconciler: Reconciler;
  private readonly slots: RunningSlots;
  private readonly activity: ActivityMonitor;
  /** Each Workspace's next lifecycle deadline (a warning or a stop), as a timer that queues it. */
  private readonly deadlines = new Map<string, NodeJS.Timeout>();
  private workers: Promise<void>[] = [];
  private stopped = false;
  synced = false;

  constructor(
    private readonly cfg: OperatorConfig,
    kube: Kube,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    /** The operator's build (see ReconcilerDeps.codeVersion). */
    codeVersion: string,
  ) {
    this.owned = new OwnedCache(kube, log, cfg.listPageSize, cfg.ownedNamespaces);
    const workspaceKind = {
      apiVersion: WORKSPACE_API_VERSION,
      kind: WORKSPACE_KIND,
      plural: WORKSPACE_RESOURCE,
      namespace: cfg.watchNamespace || undefined,
    };
    this.workspaces = new ListWatch(kube, workspaceKind, '', slimWorkspace, log, { pageSize: cfg.listPageSize });
    const caches = new ReconcileCaches();
    metrics.workspaceSource = () => this.workspaces.values();
    this.slots = new RunningSlots((keys) => keys.forEach((k) => this.queue.add(k)));
    this.activity = new ActivityMonitor({
      intervalMs: cfg.activityIntervalSeconds * 1000,
      urlTemplate: cfg.activityUrl,
      concurrency: 32,
      wake: (key) => this.queue.add(key),
      onRead: (result) => metrics.activityReads.inc({ result }),
    });
    const report = new WorkspaceReport(kube, log, caches.writtenStatus);
    const lifecycle = new WorkspaceLifecycle({
      kube,
      slots: this.slots,
      activity: this.activity,
      wakeAt: (key, at) => this.wakeAt(key, at),
      event: (ws, type, reason, message) => report.event(ws, type, reason, message),
      now: Date.now,
    });
    this.reconciler = new Reconciler({
      lifecycle,
      kube,
      metrics,
      log,
      platform: new ConfigMapPlatformSource(kube, cfg.podNamespace, cfg.platformConfigMap, caches.platform),
      owned: this.owned,
      caches,
      codeVersion,
    });
  }

  async start(): Promise<void> {
    const ns = this.cfg.watchNamespace;
    const enqueueWorkspace = (ws: ObservedWorkspace) => {
      const [namespace, name] = [ws.metadata.namespace ?? '', ws.metadata.name];
      if (name !== ownerNameLabel(name)) this.longNames.set(ownerKey(namespace, ownerNameLabel(name)), `${namespace}/${name}`);
      this.queue.add(`${namespace}/${name}`);
    };
    this.workspaces.on((_key, ws, event) => {
      if (event !== 'delete') return enqueueWorkspace(ws);
      clearTimeout(this.deadlines.get(queueKey(ws)));
      this.deadlines.delete(queueKey(ws));
      if (ws.metadata.uid) this.reconciler.forget(ws.metadata.uid, queueKey(ws));
      this.longNames.delete(ownerKey(ws.metadata.namespace ?? '', ownerNameLabel(ws.metadata.name)));
    });
    // A Deployment's change refreshes status. Any owned object deleted, or stripped of its applied hash,
    // is applied again. Our own applies arrive here too, and find nothing to do.
    this.owned.on((ref, view, event) => {
      if (ref.kind !== 'Deployment' && event !== 'delete' && view.hash) return;
      if (view.owner) this.queue.add(this.longNames.get(view.owner) ?? view.owner);
      // The namespace baseline belongs to no Workspace: any reconcile restores it.
      else for (const ws of this.workspaces.values()) enqueueWorkspace(ws);
    });
    await this.startWithRetry(() => this.owned.start(), 'owned objects');
    await this.startWithRetry(() => this.workspaces.start(), 'workspaces');
    this.holdRunningSlots();
    this.activity.start();
    this.synced = true;
    this.log.info('watching', { namespace: ns || '(all)' });
    this.workers = Array.from({ length: this.cfg.workers }, () => this.work());
  }

  /**
   * Before any reconcile: the Workspaces running when the operator started keep their slots, so a start waiting
   * for one cannot take it from them.
   */
  private holdRunningSlots(): void {
    for (const ws of this.workspaces.values()) {
      const phase = ws.status?.phase;
      if (ws.spec.started === false || !ws.metadata.uid || !phase || phase === 'Stopped' || phase === 'Failed') continue;
      const since = Date.parse(ws.status?.startedAt ?? '');
      this.slots.hold(ws.metadata.uid, ws.spec.ownerId, Number.isNaN(since) ? Date.now() : since);
    }
  }

  /**
   * Queues the Workspace at its next deadline, replacing the one set before. A deadline more than a day away wakes
   * it in a day, which sets the timer again: Node's timers fire at once beyond 24.8 days.
   */
  private wakeAt(key: string, at: number): void {
    clearTimeout(this.deadlines.get(key));
    const timer = setTimeout(() => {
      this.deadlines.delete(key);
      this.queue.add(key);
    }, Math.min(Math.max(0, at - Date.now()) + 50, MAX_TIMER_MS));
    timer.unref();
    this.deadlines.set(key, timer);
  }

  private async startWithRetry(start: () => Promise<void>, name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await start();
        return;
      } catch (err) {
        if (this.stopped) return;
        this.log.warn('list failed; retrying', { informer: name, error: (err as Error).message });
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      }
    }
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.next();
      if (key === undefined) return;
      this.metrics.queueDepth.set(this.queue.depth);
      const [namespace, name] = key.split('/');
      const ws = this.workspaces.get(key);
      const timer = this.metrics.reconcileDuration.startTimer();
      try {
        if (ws) await this.reconciler.reconcile(ws);
        this.queue.forget(key);
        this.metrics.reconciles.inc({ result: 'success' });
      } catch (err) {
        const delay = this.queue.addAfterFailure(key);
        const reason = err instanceof ReportedError ? err.reason : 'ReconcileFailed';
        this.metrics.reconciles.inc({ result: 'error' });
        this.metrics.reconcileErrors.inc({ reason });
        const fields = { workspace: name, namespace, reason, retryInMs: delay, error: (err as Error).message };
        if (err instanceof Requeue) this.log.debug('reconcile asked to come back later', fields);
        else this.log.error('reconcile failed; will retry', fields);
        if (ws) await this.reconciler.recordFailure(ws, err as Error);
      } finally {
        timer();
        this.queue.done(key);
      }
    }
  }

  /** Stops taking work and waits for the reconciles in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.deadlines.values()) clearTimeout(timer);
    await this.activity.stop();
    this.queue.shutdown();
    this.owned.stop();
    this.workspaces.stop();
    await Promise.allSettled(this.workers);
  }
}
