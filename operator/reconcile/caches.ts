/**
 * Everything the reconciler remembers between reconciles, in one place, each
 * with the one rule that drops it. What the cluster holds of the operator's own
 * objects is not here: the owned-object watches keep that (owned-cache.ts).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { DesiredStateOptions } from '../../lib/workspace/workspace-chart.js';
import type { WorkspacePlatform } from '../../lib/workspace/platform.js';
import type { Planned } from '../plan.js';

/** Values that expire a fixed time after they were stored. */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { at: number; value: V }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() - entry.at < this.ttlMs) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: K, value: V): V {
    this.entries.set(key, { at: this.now(), value });
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}

/**
 * A Workspace's plan as kept between reconciles, with what it was rendered from. The objects themselves are not
 * kept: rendering again is cheap, and at 10,000 workspaces they would be most of the heap.
 */
export interface KeptPlan {
  /** A hash of the render's inputs (the Workspace's generation and identity, the platform, its credentials, the operator's build). */
  inputs: string;
  plan: Planned[];
  /** The applied hash of inputs and plan, written to status once the cluster holds the plan. */
  applied: string;
}

export class ReconcileCaches {
  /** The platform settings (the platform-config ConfigMap): for 10 s, so a `helm upgrade` reaches every Workspace within it. */
  readonly platform = new TtlCache<'platform', WorkspacePlatform>(10_000);
  /** The platform credentials copied into workspaces, by the Secrets they come from: for a minute, so a rotation is seen within it. */
  readonly credentials = new TtlCache<string, DesiredStateOptions>(60_000);
  /** Namespaces found enforcing Pod Security "restricted": for a minute. One that is not is read again on every retry. */
  readonly restrictedNamespaces = new TtlCache<string, true>(60_000);
  /** Each Workspace's plan, by uid: replaced when its render inputs change, dropped when the Workspace is deleted. */
  readonly plans = new Map<string, KeptPlan>();
  /** The status digest last written, by uid (the informer lags behind our own writes): dropped when the Workspace is deleted. */
  readonly writtenStatus = new Map<string, string>();
  /** Each namespace's default-deny baseline policy and its plan: never dropped, a pure function of the namespace. */
  readonly baselines = new Map<string, { object: KubernetesObject; planned: Planned }>();

  /** Drops what was kept for a Workspace that no longer exists. */
  forget(uid: string): void {
    this.plans.delete(uid);
    this.writtenStatus.delete(uid);
  }
}
