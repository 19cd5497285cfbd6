/**
 * The operator's API access: one HTTP client (api-client.ts), a client-side
 * rate limit (a token bucket), retry with backoff on conflicts, throttling,
 * server errors and dropped connections, and the few verbs the operator uses,
 * on JSON objects as the API server sends them.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { ApiClient, ApiError, type Query, type WatchEvent } from './api-client.js';
import type { Credentials } from './credentials.js';
import type { Metrics } from './metrics.js';

export { ApiError };

export const FIELD_MANAGER = 'aileron-workspace-operator';

const MERGE_PATCH = 'application/merge-patch+json';
/**
 * Objects as metadata alone: the API server sends (and we parse) a fraction of a NetworkPolicy or Service, and
 * encodes less for every watch event. `List` is appended for lists.
 */
function metadataOnly(list: boolean): string {
  return `application/json;as=PartialObjectMetadata${list ? 'List' : ''};g=meta.k8s.io;v=v1, application/json`;
}
const APPLY_PATCH = 'application/apply-patch+yaml';

/** Where a resource lives: its group/version and plural, and optionally one object and a subresource. */
export interface ResourceRef {
  apiVersion: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The root of a group/version: `/api/v1` for the core group, `/apis/<group>/<version>` for the others. */
function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export function resourcePath({ apiVersion, plural, namespace, name, subresource }: ResourceRef): string {
  return [groupVersionPath(apiVersion), namespace && `namespaces/${encodeURIComponent(namespace)}`, plural, name && encodeURIComponent(name), name && subresource]
    .filter(Boolean)
    .join('/');
}

/** A list as the server sends it. */
export interface ObjectList<T = KubernetesObject> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

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
  return err instanceof ApiError ? err.code : undefined;
}

/** The API server's own words for a failed call (its Status message), else the error's first line. */
export function apiMessage(err: unknown): string {
  if (err instanceof ApiError) {
    try {
      const body = JSON.parse(err.body);
      if (body?.message) return String(body.message);
    } catch {
      // not JSON: the server's plain text (an unknown resource answers "404 page not found")
      if (err.body.trim()) return `${err.body.trim().split('\n')[0].slice(0, 300)} (HTTP ${err.code})`;
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
  if (!(err instanceof ApiError)) return undefined;
  const header = err.headers['retry-after'];
  const seconds = Number(header);
  return header !== undefined && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 60) * 1000 : undefined;
}

/**
 * How long to wait before retrying after `attempt` (0 for the first) failed. A server that gave Retry-After is
 * waited for at least that long, plus up to half of it again: the requests APF turned away together would
 * otherwise all come back in the same instant and be turned away together again. Otherwise, exponential
 * backoff with jitter.
 */
export function retryDelayMs(err: unknown, attempt: number, random: () => number = Math.random): number {
  const backoff = Math.min(5000, 100 * 2 ** attempt) * (0.5 + random());
  const asked = retryAfterMs(err);
  return asked === undefined ? backoff : Math.max(asked, backoff) + asked * 0.5 * random();
}

/**
 * Whether sending the same request again may succeed. A conflict may pass on a second try (an apply racing
 * another writer), except on a write conditional on the resourceVersion it carries: that one conflicts again
 * until its caller reads the object afresh.
 */
export function retryable(err: unknown, conditional = false): boolean {
  const code = statusCode(err);
  if (code === undefined) return true; // connection refused or reset: the API server may be restarting
  return (code === 409 && !conditional) || code === 429 || code >= 500;
}

type Verb = 'read' | 'list' | 'write';
type Run = <T>(verb: Verb, fn: () => Promise<T>, conditional?: boolean) => Promise<T>;

/** The verbs the operator uses, each run through `run` (the rate limit and retries, or nothing). */
export class ApiVerbs {
  constructor(
    protected readonly client: ApiClient,
    private readonly run: Run,
    /** `apiVersion/kind` -> plural, from discovery. */
    private readonly plurals = new Map<string, Promise<string>>(),
  ) {}

  get<T = KubernetesObject>(ref: ResourceRef): Promise<T> {
    return this.run('read', () => this.client.request<T>('GET', resourcePath(ref)));
  }

  /** The object, or undefined when there is none (404). */
  async getIfExists<T = KubernetesObject>(ref: ResourceRef): Promise<T | undefined> {
    try {
      return await this.get<T>(ref);
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  /** One page of a list; `metadataOnly` asks for each object's metadata alone (PartialObjectMetadata). */
  list<T = KubernetesObject>(ref: ResourceRef, query: Query, onlyMetadata = false): Promise<ObjectList<T>> {
    const accept = onlyMetadata ? metadataOnly(true) : undefined;
    return this.run('list', () => this.client.request<ObjectList<T>>('GET', resourcePath(ref), { query, accept }));
  }

  create<T = KubernetesObject>(ref: ResourceRef, body: object): Promise<T> {
    return this.run('write', () => this.client.request<T>('POST', resourcePath(ref), { body }));
  }

  replace<T = KubernetesObject>(ref: ResourceRef, body: object): Promise<T> {
    return this.run('write', () => this.client.request<T>('PUT', resourcePath(ref), { body }));
  }

  /** A merge patch; one carrying `metadata.resourceVersion` is conditional on it, and a conflict goes back to the caller. */
  mergePatch<T = KubernetesObject>(ref: ResourceRef, body: object): Promise<T> {
    const conditional = (body as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion !== undefined;
    return this.run('write', () => this.client.request<T>('PATCH', resourcePath(ref), { body, contentType: MERGE_PATCH }), conditional);
  }

  /**
   * Server-side apply, as the operator's field manager, taking over fields another manager set. The answer is the
   * object's kind with the metadata the server answered (its generation, resourceVersion, labels and annotations).
   *
   * Two things kubectl asks for and the operator does not, each a cost on the API server per apply: the whole
   * object back (asked for as PartialObjectMetadata, the server encodes and we parse a fraction of it), and field
   * validation (the server parses the YAML body a second time, strictly, for warnings the operator would not read;
   * its objects come from typed constructs, and the tests apply them with validation on).
   */
  async apply(obj: KubernetesObject, fieldManager = FIELD_MANAGER): Promise<KubernetesObject> {
    const ref = await this.refOf(obj);
    const query = { fieldManager, force: true, fieldValidation: 'Ignore' };
    const answer = await this.run('write', () =>
      this.client.request<KubernetesObject>('PATCH', resourcePath(ref), { body: obj, contentType: APPLY_PATCH, accept: metadataOnly(false), query }),
    );
    return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: answer?.metadata };
  }

  /** Deletes in the background (dependents go after); an object already gone is not an error. */
  async delete(obj: KubernetesObject): Promise<void> {
    const ref = await this.refOf(obj);
    try {
      await this.run('write', () => this.client.request('DELETE', resourcePath(ref), { query: { propagationPolicy: 'Background' } }));
    } catch (err) {
      if (statusCode(err) !== 404) throw err;
    }
  }

  /** Where an object lives, its plural found by discovery once per kind (as kubectl does). */
  private async refOf(obj: KubernetesObject): Promise<ResourceRef> {
    const { apiVersion = '', kind = '' } = obj;
    const key = `${apiVersion}/${kind}`;
    let plural = this.plurals.get(key);
    if (!plural) {
      plural = this.discover(apiVersion, kind);
      this.plurals.set(key, plural);
      plural.catch(() => this.plurals.delete(key));
    }
    return { apiVersion, plural: await plural, namespace: obj.metadata?.namespace, name: obj.metadata?.name };
  }

  private async discover(apiVersion: string, kind: string): Promise<string> {
    const list = await this.run('read', () => this.client.request<{ resources: Array<{ name: string; kind: string }> }>('GET', groupVersionPath(apiVersion)));
    const resource = list.resources.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!resource) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    return resource.name;
  }
}

export class Kube extends ApiVerbs {
  private readonly bucket: TokenBucket;
  /**
   * The same verbs without the rate limit or retries, for the leader Lease: its renewal must not queue behind a
   * burst of reconciles (and lose the Lease), and a failed renewal is retried on the election's own schedule.
   */
  readonly unthrottled: ApiVerbs;

  constructor(
    credentials: Credentials,
    qps: number,
    burst: number,
    private readonly metrics?: Metrics,
    /** Connections kept open to the API server; requests beyond them wait for one. */
    connections = 32,
  ) {
    const client = new ApiClient(credentials, connections);
    super(client, (verb, fn, conditional) => this.call(verb, fn, 6, conditional));
    this.bucket = new TokenBucket(qps, burst);
    // Counted apart (verb="lease"), so the reconciles' own reads and writes stay what they were.
    this.unthrottled = new ApiVerbs(client, async (_verb, fn) => {
      try {
        return await fn();
      } finally {
        this.metrics?.apiRequests.inc({ verb: 'lease' });
      }
    });
  }

  /** Runs one API call under the rate limit, retrying transient failures with exponential backoff. */
  async call<T>(verb: Verb, fn: () => Promise<T>, attempts = 6, conditional = false): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.bucket.take();
      try {
        const result = await fn();
        this.metrics?.apiRequests.inc({ verb });
        return result;
      } catch (err) {
        this.metrics?.apiRequests.inc({ verb });
        if (attempt + 1 >= attempts || !retryable(err, conditional)) throw err;
        if (statusCode(err) === 429) this.metrics?.throttled.inc();
        await new Promise((r) => setTimeout(r, retryDelayMs(err, attempt)));
      }
    }
  }

  /** Watches a resource (outside the rate limit: a watch is one long request), or only its objects' metadata. */
  watch<T = KubernetesObject>(ref: ResourceRef, query: Query, onEvent: (event: WatchEvent<T>) => void, onDone: (err?: Error) => void, onlyMetadata = false): Promise<{ abort(): void }> {
    return this.client.watch(resourcePath(ref), query, onEvent, onDone, onlyMetadata ? metadataOnly(false) : undefined);
  }
}
