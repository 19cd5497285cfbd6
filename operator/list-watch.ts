/**
 * A list-then-watch cache of one kind, across namespaces, filtered by a label
 * selector, that keeps only a compact view of each object (what the caller's
 * `compact` returns), not the object: at 10,000 workspaces the operator owns
 * about 140,000 objects. Lists in pages, so a large cluster never arrives as
 * one response; after a watch ends, watches again from where it was, and
 * lists again only when the server no longer has that version. A kind the
 * cluster does not serve (no Cilium) counts as empty and is looked for again
 * every `absentRetryMs`.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { statusCode, type Kube } from './kube.js';
import type { Logger } from './log.js';

export interface WatchedKind {
  apiVersion: string;
  kind: string;
  /** The resource's plural, for the REST path. */
  plural: string;
  /** Only this namespace; every namespace when unset. */
  namespace?: string;
  /** Only the objects' metadata is needed (and fetched). */
  metadataOnly?: boolean;
}

export interface ListWatchOptions {
  /** Objects per list page (100). */
  pageSize?: number;
  /** How often a kind the cluster does not serve is looked for again (15 s). */
  absentRetryMs?: number;
  /** A watch asks the server to end it after this many seconds to twice it (300), then resumes. */
  watchTimeoutSeconds?: number;
}

const backoffMs = (attempt: number) => Math.min(5000, 250 * 2 ** attempt);

export type CacheEvent = 'add' | 'update' | 'delete';

/** `namespace/name` as one flat string: a template literal would keep a chain of pieces alive. */
export const keyOf = (obj: KubernetesObject) => [obj.metadata?.namespace, obj.metadata?.name].join('/');

export class ListWatch<T> {
  private readonly items = new Map<string, T>();
  private readonly listeners: Array<(key: string, view: T, event: CacheEvent) => void> = [];
  private request?: { abort(): void };
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** False while the kind is not served by the cluster. */
  served = true;

  constructor(
    private readonly kube: Kube,
    readonly kind: WatchedKind,
    private readonly labelSelector: string,
    /** What is kept of an object; `key` (`namespace/name`) is the string the cache keys it by. */
    private readonly compact: (obj: KubernetesObject, key: string) => T,
    private readonly log: Logger,
    private readonly options: ListWatchOptions = {},
  ) {}

  on(listener: (key: string, view: T, event: CacheEvent) => void): void {
    this.listeners.push(listener);
  }

  /** The view of `namespace/name`. */
  get(key: string): T | undefined {
    return this.items.get(key);
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  /** Records what the operator just wrote, before its watch event arrives. */
  set(key: string, view: T): void {
    this.items.set(key, view);
  }

  forget(key: string): void {
    this.items.delete(key);
  }

  get size(): number {
    return this.items.size;
  }

  /** Resolves once the first list is in (or the kind is known to be absent). */
  async start(): Promise<void> {
    const listed = await this.list();
    if (listed === undefined) {
      this.served = false;
      for (const [key, view] of this.items) this.emit(key, view, 'delete');
      this.items.clear();
      this.timer = setTimeout(() => void this.restart(), this.options.absentRetryMs ?? 15_000);
      return;
    }
    this.served = true;
    for (const [key, view] of this.items) {
      if (!listed.items.has(key)) {
        this.items.delete(key);
        this.emit(key, view, 'delete');
      }
    }
    for (const [key, view] of listed.items) {
      const existed = this.items.has(key);
      this.items.set(key, view);
      this.emit(key, view, existed ? 'update' : 'add');
    }
    await this.watchFrom(listed.resourceVersion);
  }

  /**
   * Watches from a resourceVersion, and keeps watching from the last version seen whenever a watch ends (its
   * timeout, a dropped connection, the API server closing a watcher that fell behind): only a version the server
   * no longer has (410 Gone) makes it list again. Watches that end without a single event back off.
   */
  private async watchFrom(resourceVersion: string | undefined, quietEnds = 0): Promise<void> {
    if (this.stopped) return;
    let lastVersion = resourceVersion;
    let gone = false;
    let events = 0;
    this.request = await this.kube.watch<KubernetesObject>(
      this.kind,
      { labelSelector: this.labelSelector || undefined, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.watchTimeoutSeconds() },
      ({ type, object: obj }) => {
        events++;
        if (type === 'ERROR') {
          gone ||= (obj as { code?: number }).code === 410;
          return;
        }
        lastVersion = obj.metadata?.resourceVersion ?? lastVersion;
        if (type === 'BOOKMARK') return;
        const key = keyOf(obj);
        const view = this.compact(obj, key);
        if (type === 'DELETED') this.items.delete(key);
        else this.items.set(key, view);
        this.emit(key, view, type === 'ADDED' ? 'add' : type === 'DELETED' ? 'delete' : 'update');
      },
      (err) => {
        if (this.stopped) return;
        const code = statusCode(err);
        // 404: the kind is no longer served (its CRD deleted); the list finds that out and empties the cache.
        if (gone || code === 410 || code === 404 || lastVersion === undefined) {
          this.log.warn('watch cannot resume; relisting', { kind: this.kind.kind, reason: gone || code === 410 ? 'resourceVersion expired (410 Gone)' : (err?.message ?? 'no resourceVersion') });
          return void this.restart();
        }
        if (err) this.log.info('watch ended; resuming', { kind: this.kind.kind, resourceVersion: lastVersion, error: err.message });
        const quiet = events === 0 ? quietEnds + 1 : 0;
        this.timer = setTimeout(() => void this.watchFrom(lastVersion, quiet).catch(() => this.restart()), quiet && backoffMs(quiet - 1));
      },
      this.kind.metadataOnly,
    );
  }

  /** Spread between the minimum and twice it, as client-go's reflector does, so watches do not all end at once. */
  private watchTimeoutSeconds(): number {
    const min = this.options.watchTimeoutSeconds ?? 300;
    return Math.round(min * (1 + Math.random()));
  }

  /** Every page of the list, compacted; undefined when the cluster does not serve the kind. */
  private async list(): Promise<{ items: Map<string, T>; resourceVersion?: string } | undefined> {
    const items = new Map<string, T>();
    const { apiVersion, kind } = this.kind;
    let resourceVersion: string | undefined;
    let next: string | undefined;
    do {
      let page;
      try {
        page = await this.kube.list(this.kind, { labelSelector: this.labelSelector || undefined, limit: this.options.pageSize ?? 100, continue: next }, this.kind.metadataOnly);
      } catch (err) {
        if (statusCode(err) === 404) return undefined;
        throw err;
      }
      // List items come without apiVersion and kind (or as PartialObjectMetadata, whose empty list has null items).
      for (const obj of page.items ?? []) {
        const key = keyOf(obj);
        items.set(key, this.compact({ ...obj, apiVersion, kind }, key));
      }
      resourceVersion = page.metadata?.resourceVersion;
      next = page.metadata?.continue || undefined;
    } while (next);
    return { items, resourceVersion };
  }

  private async restart(attempt = 0): Promise<void> {
    if (this.stopped) return;
    await new Promise((r) => setTimeout(r, backoffMs(attempt)));
    if (this.stopped) return;
    try {
      await this.start();
    } catch {
      void this.restart(attempt + 1);
    }
  }

  private emit(key: string, view: T, event: CacheEvent): void {
    for (const l of this.listeners) l(key, view, event);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.request?.abort();
  }
}
