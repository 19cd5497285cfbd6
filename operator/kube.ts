/**
 * The operator's API access: one KubeConfig, a client-side rate limit (a
 * token bucket; client-node has none) and retry with backoff on conflicts,
 * throttling, server errors and dropped connections.
 */
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { Metrics } from './metrics.js';

export const FIELD_MANAGER = 'aileron-workspace-operator';

class TokenBucket {
  private tokens: number;
  private last = Date.now();
  constructor(
    private readonly qps: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.qps) * 1000)));
    }
  }
}

export function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** The API server's own words for a failed call (its Status message), else the error's first line. */
export function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
      if (body?.message) return String(body.message);
    } catch {
      // not JSON: the server's plain text (an unknown resource answers "404 page not found")
      if (typeof err.body === 'string' && err.body.trim()) return `${err.body.trim().split('\n')[0].slice(0, 300)} (HTTP ${err.code})`;
    }
    return `HTTP ${err.code}`;
  }
  return String((err as Error)?.message ?? err).split('\n')[0];
}

/**
 * How long the API server asked us to wait (Retry-After on a 429 from API Priority and Fairness, or on a
 * 503), in ms; undefined when it did not say.
 */
export function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const header = Object.entries(err.headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const seconds = Number(header);
  return header !== undefined && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 60) * 1000 : undefined;
}

function retryable(err: unknown): boolean {
  const code = statusCode(err);
  if (code === undefined) return true; // connection refused or reset: the API server may be restarting
  return code === 409 || code === 429 || code >= 500;
}

export class Kube {
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  private readonly bucket: TokenBucket;

  constructor(
    readonly kc: KubeConfig,
    qps: number,
    burst: number,
    private readonly metrics?: Metrics,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
    this.bucket = new TokenBucket(qps, burst);
  }

  /** Runs one API call under the rate limit, retrying transient failures with exponential backoff. */
  async call<T>(verb: 'read' | 'list' | 'write', fn: () => Promise<T>, attempts = 6): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.bucket.take();
      try {
        const result = await fn();
        this.metrics?.apiRequests.inc({ verb });
        return result;
      } catch (err) {
        this.metrics?.apiRequests.inc({ verb });
        if (attempt + 1 >= attempts || !retryable(err)) throw err;
        // The server's own pacing first (APF answers 429 with Retry-After), else exponential backoff.
        const backoff = Math.min(5000, 100 * 2 ** attempt) * (0.5 + Math.random());
        const delay = Math.max(retryAfterMs(err) ?? 0, backoff);
        if (statusCode(err) === 429) this.metrics?.throttled.inc();
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  apply(obj: KubernetesObject): Promise<KubernetesObject> {
    return this.call('write', () => this.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }

  async delete(obj: KubernetesObject): Promise<void> {
    try {
      await this.call('write', () => this.objects.delete(obj, undefined, undefined, undefined, undefined, 'Background'));
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
  }

  mergePatchOptions() {
    return setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  }
}

export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}
