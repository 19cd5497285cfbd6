/**
 * The owner's activity, as the workspace's sign-in proxies count it: a
 * request the proxy let through (any status but its own 401 and 403, which
 * are strangers and expired sessions), or one still open (an open WebSocket
 * is a request in flight). Health checks are answered before the count.
 *
 * Every interval the operator reads each running workspace's proxies'
 * Prometheus endpoint (oauth2_proxy_requests_total, _in_flight); a workspace
 * whose count rose, or with a request open, was active. What status records
 * moves at most once a minute per workspace (ACTIVITY_WRITE_INTERVAL_MS), so
 * activity costs the API server one write a minute per busy workspace and
 * none for idle ones; the deadlines read the exact time kept here.
 *
 * A workspace whose proxies cannot be read (a network policy of the cluster's
 * own, another cluster domain) is not observable, and an idle stop needs an
 * observation: unread is never taken for idle.
 */
import { get } from 'node:http';
import { AUTH_METRICS_PORT } from '../../lib/workspace/auth-proxy.js';

export const ACTIVITY_WRITE_INTERVAL_MS = 60_000;
/** Where a proxy's metrics are: `{service}`, `{namespace}` and `{port}` are filled in. */
export const DEFAULT_ACTIVITY_URL = 'http://{service}.{namespace}.svc:{port}/metrics';
/** The proxy's own answers to requests it did not let through. */
const REFUSED = new Set(['401', '403']);
/** oauth2-proxy's page is about 10 KB; a larger answer is not its. */
const MAX_METRICS_BYTES = 1_000_000;

export interface ActivityTarget {
  /** The reconcile queue's key and the cache's uid. */
  key: string;
  uid: string;
  namespace: string;
  /** The Services of its enabled components, each with a proxy. */
  services: string[];
}

/** What one read of a proxy's metrics says. */
export interface ProxyCounts {
  passed: number;
  inFlight: number;
}

/** The counts in a Prometheus text exposition of oauth2-proxy; undefined when it has none. */
export function proxyCounts(text: string): ProxyCounts | undefined {
  let passed = 0;
  for (const [, code, value] of text.matchAll(/^oauth2_proxy_requests_total\{code="([0-9]+)"\} ([0-9.e+]+)$/gm)) {
    if (!REFUSED.has(code)) passed += Number(value);
  }
  const open = /^oauth2_proxy_requests_in_flight ([0-9.e+]+)$/m.exec(text);
  return open ? { passed, inFlight: Number(open[1]) } : undefined;
}

/**
 * One GET of a proxy's metrics: the body, or undefined for anything else. node:http without keep-alive: each
 * workspace is an origin of its own, read once a minute, so a pool would only hold idle sockets (and fetch's
 * streams cost the heap several times what this does).
 */
function readText(url: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(undefined);
        return;
      }
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.length > MAX_METRICS_BYTES) req.destroy();
      });
      res.on('end', () => resolve(text));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

export interface ActivityMonitorOptions {
  intervalMs: number;
  urlTemplate: string;
  /** Reads that run at once. */
  concurrency: number;
  /** Called for a workspace whose recorded activity or warning should change: it is reconciled. */
  wake: (key: string) => void;
  now?: () => number;
  /** Counts each read by result (for the operator's metrics). */
  onRead?: (result: 'ok' | 'error') => void;
  timeoutMs?: number;
}

export class ActivityMonitor {
  private readonly targets = new Map<string, ActivityTarget>();
  /** uid -> the last time it was seen active (this process's reads). */
  private readonly seen = new Map<string, number>();
  /** uid -> service -> its proxy's passed count at the last read. */
  private readonly counts = new Map<string, Map<string, number>>();
  /** uid -> what status holds (or is being written), as the reconciler reported it. */
  private readonly recorded = new Map<string, number>();
  /** uids whose status shows StoppingSoon: activity clears it at once, not within the minute. */
  private readonly warned = new Set<string>();
  /** uid -> the last time one of its proxies answered. */
  private readonly readAt = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: ActivityMonitorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Reads this workspace's proxies from now on (it runs, behind sign-in proxies). */
  track(target: ActivityTarget): void {
    this.targets.set(target.uid, target);
  }

  untrack(uid: string): void {
    this.targets.delete(uid);
    this.warned.delete(uid);
    this.readAt.delete(uid);
    this.counts.delete(uid);
  }

  forget(uid: string): void {
    this.untrack(uid);
    this.seen.delete(uid);
    this.recorded.delete(uid);
  }

  /** The last activity seen, from this process's reads or, after a restart, status. */
  lastActivity(uid: string, inStatus: string | undefined): number | undefined {
    const fromStatus = inStatus ? Date.parse(inStatus) : undefined;
    const seen = this.seen.get(uid);
    if (seen === undefined) return fromStatus;
    return fromStatus === undefined ? seen : Math.max(seen, fromStatus);
  }

  /**
   * What status.lastActivityTime should say: the activity seen, once it is a minute past what status holds (or
   * status holds none); else what status holds. The reconciler writes what this returns.
   */
  toRecord(uid: string, inStatus: string | undefined): string | undefined {
    const seen = this.seen.get(uid);
    const held = inStatus ? Date.parse(inStatus) : undefined;
    if (seen === undefined || (held !== undefined && seen - held < ACTIVITY_WRITE_INTERVAL_MS)) {
      if (held !== undefined) this.recorded.set(uid, held);
      return inStatus;
    }
    this.recorded.set(uid, seen);
    return new Date(seen).toISOString();
  }

  /** The owner was active at this time (a read found requests passed or open). */
  sawActivity(uid: string, at: number): void {
    this.seen.set(uid, at);
  }

  /** Whether the workspace's proxies answered lately (within two reading intervals): its idleness is known. */
  observable(uid: string): boolean {
    const at = this.readAt.get(uid);
    return at !== undefined && this.now() - at <= 2 * this.options.intervalMs + 5000;
  }

  /** Whether status now shows StoppingSoon (so activity wakes the workspace to clear it). */
  setWarned(uid: string, warned: boolean): void {
    if (warned) this.warned.add(uid);
    else this.warned.delete(uid);
  }

  start(): void {
    const tick = () => {
      this.round = this.readAll().finally(() => {
        this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** One round: every tracked workspace's proxies, a few at a time. */
  async readAll(): Promise<void> {
    const pending = [...this.targets.values()];
    const worker = async () => {
      for (let t = pending.shift(); t; t = pending.shift()) await this.readOne(t);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, pending.length) }, worker));
  }

  private async readOne(t: ActivityTarget): Promise<void> {
    let active = false;
    let answered = false;
    for (const service of t.services) {
      const counts = await this.read(t, service);
      if (!counts) continue;
      answered = true;
      const byService = this.counts.get(t.uid) ?? this.counts.set(t.uid, new Map()).get(t.uid)!;
      const before = byService.get(service);
      byService.set(service, counts.passed);
      // A first read sets the baseline; a count below the last is a restarted proxy, whose every request is new.
      const rose = before !== undefined && counts.passed !== before && (counts.passed > before || counts.passed > 0);
      if (rose || counts.inFlight > 0) active = true;
    }
    if (!this.targets.has(t.uid)) return;
    const now = this.now();
    if (answered) {
      const known = this.observable(t.uid);
      this.readAt.set(t.uid, now);
      // Newly observable: its idle deadline counts from now on.
      if (!known && !active) this.options.wake(t.key);
    }
    if (!active) return;
    this.sawActivity(t.uid, now);
    const recorded = this.recorded.get(t.uid);
    if (this.warned.has(t.uid) || recorded === undefined || now - recorded >= ACTIVITY_WRITE_INTERVAL_MS) this.options.wake(t.key);
  }

  private async read(t: ActivityTarget, service: string): Promise<ProxyCounts | undefined> {
    const url = this.options.urlTemplate.replace('{service}', service).replace('{namespace}', t.namespace).replace('{port}', String(AUTH_METRICS_PORT));
    // A pod starting, moving or gone: no reading this round is no activity.
    const text = await readText(url, this.options.timeoutMs ?? 5000);
    const counts = text === undefined ? undefined : proxyCounts(text);
    this.options.onRead?.(counts ? 'ok' : 'error');
    return counts;
  }
}
