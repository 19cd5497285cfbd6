/**
 * Watches Workspaces (all namespaces, or WATCH_NAMESPACE) and every object
 * the operator made (owned-cache.ts), and runs the reconciler for each change
 * on a few workers. Watches restart themselves after errors (the API server
 * restarting, for one); workers start once every cache has listed.
 */
import { makeInformer, type Informer, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { WORKSPACE_API_GROUP, WORKSPACE_RESOURCE, WORKSPACE_VERSION } from '../lib/crd/workspace-crd.js';
import { ownerNameLabel } from '../lib/workspace/labels.js';
import type { WorkspaceResource } from '../lib/workspace/model.js';
import type { OperatorConfig } from './config.js';
import type { Kube } from './kube.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { Reconciler } from './reconciler.js';
import { ConfigMapPlatformSource } from './platform-source.js';
import { WorkQueue } from './queue.js';
import { OwnedCache, ownerKey } from './owned-cache.js';

type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export class Controller {
  private readonly queue = new WorkQueue();
  private workspaces!: Watched<KubernetesObject>;
  private readonly owned: OwnedCache;
  /** Owner-label key -> queue key, for Workspace names longer than a label value (hashed in the label). */
  private readonly longNames = new Map<string, string>();
  private readonly reconciler: Reconciler;
  private workers: Promise<void>[] = [];
  private stopped = false;
  synced = false;

  constructor(
    private readonly cfg: OperatorConfig,
    private readonly kube: Kube,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.owned = new OwnedCache(kube, log, cfg.listPageSize);
    this.reconciler = new Reconciler({
      kube,
      metrics,
      log,
      platform: new ConfigMapPlatformSource(kube, cfg.podNamespace, cfg.platformConfigMap),
      owned: this.owned,
    });
  }

  async start(): Promise<void> {
    const ns = this.cfg.watchNamespace;
    const path = ns
      ? `/apis/${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION}/namespaces/${ns}/${WORKSPACE_RESOURCE}`
      : `/apis/${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION}/${WORKSPACE_RESOURCE}`;
    const params = { group: WORKSPACE_API_GROUP, version: WORKSPACE_VERSION, plural: WORKSPACE_RESOURCE };
    this.workspaces = makeInformer(this.kube.kc, path, () =>
      (ns ? this.kube.custom.listNamespacedCustomObject({ ...params, namespace: ns }) : this.kube.custom.listClusterCustomObject(params)) as never,
    );

    // The informer keeps whole Workspaces; their managedFields are never read and are most of their size.
    const slim = (o: KubernetesObject) => {
      if (o.metadata?.managedFields) delete o.metadata.managedFields;
    };
    for (const verb of ['add', 'update'] as const) this.workspaces.on(verb, slim);
    const enqueueWorkspace = (o: KubernetesObject) => {
      const [namespace, name] = [o.metadata?.namespace ?? '', o.metadata?.name ?? ''];
      if (name !== ownerNameLabel(name)) this.longNames.set(ownerKey(namespace, ownerNameLabel(name)), `${namespace}/${name}`);
      this.queue.add(`${namespace}/${name}`);
    };
    for (const verb of ['add', 'update'] as const) this.workspaces.on(verb, enqueueWorkspace);
    this.workspaces.on('delete', (o) => {
      if (o.metadata?.uid) this.reconciler.forget(o.metadata.uid);
      this.longNames.delete(ownerKey(o.metadata?.namespace ?? '', ownerNameLabel(o.metadata?.name ?? '')));
    });
    // A Deployment's change refreshes status. Any owned object deleted, or stripped of its applied hash,
    // is applied again. Our own applies arrive here too, and find nothing to do.
    this.owned.on((ref, view, event) => {
      if (ref.kind !== 'Deployment' && event !== 'delete' && view.hash) return;
      if (view.owner) this.queue.add(this.longNames.get(view.owner) ?? view.owner);
      // The namespace baseline belongs to no Workspace: any reconcile restores it.
      else for (const ws of this.workspaces.list()) enqueueWorkspace(ws);
    });
    this.workspaces.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.log.warn('watch failed; restarting it', { informer: 'workspaces', error: String((err as Error)?.message ?? err) });
      setTimeout(() => void this.startWithRetry(this.workspaces, 'workspaces'), 1000);
    });
    await this.startWithRetry(() => this.owned.start(), 'owned objects');
    await this.startWithRetry(() => this.workspaces.start(), 'workspaces');
    this.synced = true;
    this.log.info('watching', { namespace: ns || '(all)' });
    this.workers = Array.from({ length: this.cfg.workers }, () => this.work());
  }

  private async startWithRetry(start: Watched<KubernetesObject> | (() => Promise<void>), name: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await (typeof start === 'function' ? start() : start.start());
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
      const ws = this.workspaces.get(name, namespace) as WorkspaceResource | undefined;
      const timer = this.metrics.reconcileDuration.startTimer();
      try {
        if (ws) await this.reconciler.reconcile(ws);
        this.queue.forget(key);
        this.metrics.reconciles.inc({ result: 'success' });
      } catch (err) {
        const delay = this.queue.addAfterFailure(key);
        this.metrics.reconciles.inc({ result: 'error' });
        this.metrics.reconcileErrors.inc({ reason: 'ApplyFailed' });
        this.log.error('reconcile failed; will retry', { workspace: name, namespace, retryInMs: delay, error: (err as Error).message });
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
    this.queue.shutdown();
    this.owned.stop();
    await Promise.allSettled([this.workspaces?.stop()]);
    await Promise.allSettled(this.workers);
  }
}
