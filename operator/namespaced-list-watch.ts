/**
 * One ListWatch per namespace, used as one cache: the operator may read and
 * write its objects only in the workspace namespaces (RoleBindings there), so
 * it cannot list them across the cluster. Keys are `namespace/name`, so each
 * goes to its own namespace's watch.
 */
import type { CacheEvent, ListWatch, WatchedKind } from './list-watch.js';

/** What the owned-object cache uses of a ListWatch. */
export type ObjectCache<T> = Pick<ListWatch<T>, 'kind' | 'on' | 'get' | 'values' | 'set' | 'forget' | 'size' | 'start' | 'stop'>;

export class NamespacedListWatch<T> implements ObjectCache<T> {
  private readonly byNamespace: Map<string, ListWatch<T>>;

  constructor(
    readonly kind: WatchedKind,
    namespaces: string[],
    watchIn: (kind: WatchedKind) => ListWatch<T>,
  ) {
    this.byNamespace = new Map(namespaces.map((namespace) => [namespace, watchIn({ ...kind, namespace })]));
  }

  on(listener: (key: string, view: T, event: CacheEvent) => void): void {
    for (const w of this.byNamespace.values()) w.on(listener);
  }

  get(key: string): T | undefined {
    return this.of(key)?.get(key);
  }

  *values(): IterableIterator<T> {
    for (const w of this.byNamespace.values()) yield* w.values();
  }

  /** A key outside the watched namespaces is not kept: nothing the operator may write lives there. */
  set(key: string, view: T): void {
    this.of(key)?.set(key, view);
  }

  forget(key: string): void {
    this.of(key)?.forget(key);
  }

  get size(): number {
    let n = 0;
    for (const w of this.byNamespace.values()) n += w.size;
    return n;
  }

  async start(): Promise<void> {
    await Promise.all([...this.byNamespace.values()].map((w) => w.start()));
  }

  stop(): void {
    for (const w of this.byNamespace.values()) w.stop();
  }

  private of(key: string): ListWatch<T> | undefined {
    return this.byNamespace.get(key.slice(0, key.indexOf('/')));
  }
}
