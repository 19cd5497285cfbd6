/**
 * A list-and-watch cache of the operator's Deployments that keeps only what
 * status needs (generation, replica counts, owner labels). An informer would
 * hold whole objects: at 1,000 workspaces that is 3,000 Deployments.
 */
import { AppsV1Api, Watch, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from '../lib/workspace/labels.js';
import type { DeploymentView } from './status.js';
import type { Logger } from './log.js';

export interface CompactDeployment extends DeploymentView {
  owner: { namespace: string; name: string };
}

type Listener = (d: CompactDeployment, event: 'add' | 'update' | 'delete') => void;

function compact(d: V1Deployment): CompactDeployment {
  const labels = d.metadata?.labels ?? {};
  const s = d.status ?? {};
  const stuck = s.conditions?.find(
    (c) => (c.type === 'Progressing' && c.status === 'False') || (c.type === 'ReplicaFailure' && c.status === 'True'),
  );
  return {
    failure: stuck ? `${stuck.reason ?? stuck.type}${stuck.message ? `: ${stuck.message}` : ''}` : undefined,
    metadata: { name: d.metadata?.name, generation: d.metadata?.generation },
    status: { observedGeneration: s.observedGeneration, availableReplicas: s.availableReplicas, updatedReplicas: s.updatedReplicas, readyReplicas: s.readyReplicas },
    owner: { namespace: labels[OWNER_NAMESPACE_LABEL] ?? '', name: labels[OWNER_NAME_LABEL] ?? '' },
  };
}

export class DeploymentCache {
  private readonly items = new Map<string, CompactDeployment>();
  private readonly listeners: Listener[] = [];
  private request?: { abort(): void };
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly labelSelector: string,
    private readonly log: Logger,
  ) {}

  on(listener: Listener): void {
    this.listeners.push(listener);
  }

  get(namespace: string, name: string): CompactDeployment | undefined {
    return this.items.get(`${namespace}/${name}`);
  }

  /** Lists, then watches from the list's resourceVersion; relists after any watch end (410 Gone included). */
  async start(): Promise<void> {
    const apps = this.kc.makeApiClient(AppsV1Api);
    const list = await apps.listDeploymentForAllNamespaces({ labelSelector: this.labelSelector });
    const seen = new Set<string>();
    for (const d of list.items) {
      const key = `${d.metadata?.namespace}/${d.metadata?.name}`;
      seen.add(key);
      const existed = this.items.has(key);
      this.items.set(key, compact(d));
      this.emit(this.items.get(key)!, existed ? 'update' : 'add');
    }
    for (const [key, d] of this.items) {
      if (!seen.has(key)) {
        this.items.delete(key);
        this.emit(d, 'delete');
      }
    }
    this.request = await new Watch(this.kc).watch(
      '/apis/apps/v1/deployments',
      { labelSelector: this.labelSelector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: V1Deployment) => {
        if (type === 'BOOKMARK' || type === 'ERROR') return;
        const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
        const view = compact(obj);
        if (type === 'DELETED') this.items.delete(key);
        else this.items.set(key, view);
        this.emit(view, type === 'ADDED' ? 'add' : type === 'DELETED' ? 'delete' : 'update');
      },
      (err) => {
        if (this.stopped) return;
        if (err) this.log.warn('deployment watch ended; relisting', { error: String((err as Error).message ?? err) });
        void this.restart();
      },
    );
  }

  private async restart(attempt = 0): Promise<void> {
    if (this.stopped) return;
    await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
    try {
      await this.start();
    } catch {
      void this.restart(attempt + 1);
    }
  }

  private emit(d: CompactDeployment, event: 'add' | 'update' | 'delete'): void {
    for (const l of this.listeners) l(d, event);
  }

  stop(): void {
    this.stopped = true;
    this.request?.abort();
  }
}
