/**
 * Leader election on a coordination.k8s.io Lease (client-node has no
 * helper): one replica holds the Lease and renews it; the others take over
 * once it has not been renewed for its duration. Updates carry the
 * resourceVersion, so two candidates cannot both win.
 */
import type { Kube, ResourceRef } from './kube.js';
import { statusCode } from './kube.js';
import type { Logger } from './log.js';

/** A Lease as the API server sends it; times are MicroTime strings. */
interface Lease {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

/** A Lease time: the API server parses MicroTime with exactly six fractional digits (milliseconds are refused). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface LeaderOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
}

export class LeaderElector {
  private leading = false;
  private timer?: NodeJS.Timeout;
  /** The renewal in flight, if any: release waits for it, or it could write the Lease back after release. */
  private renewal?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly kube: Kube,
    private readonly o: LeaderOptions,
    private readonly log: Logger,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Resolves once this replica leads; `onLost` fires when another replica is
   * seen holding the Lease. An unreachable API server is not a loss: nobody
   * can take the Lease meanwhile, and once it answers the resourceVersion
   * check lets exactly one candidate win.
   */
  async acquire(onLost: () => void): Promise<void> {
    const retryMs = Math.max(500, (this.o.leaseDurationSeconds * 1000) / 5);
    while (!this.stopped) {
      if ((await this.tryAcquireOrRenew()) === 'held') {
        this.leading = true;
        this.log.info('became leader', { lease: `${this.o.namespace}/${this.o.name}` });
        this.timer = setInterval(() => {
          if (this.renewal) return; // the last one still runs (a loaded API server)
          this.renewal = this.tryAcquireOrRenew().then((result) => {
            this.renewal = undefined;
            if (result === 'unreachable') this.log.warn('cannot renew the Lease; the API server does not answer');
            if (result === 'taken' && this.leading) {
              this.leading = false;
              clearInterval(this.timer);
              this.log.warn('lost leadership');
              onLost();
            }
          });
        }, retryMs);
        return;
      }
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }

  private leaseRef(withName = true): ResourceRef {
    return { apiVersion: 'coordination.k8s.io/v1', plural: 'leases', namespace: this.o.namespace, name: withName ? this.o.name : undefined };
  }

  /** held: this replica holds the Lease now; taken: another one does; unreachable: unknown. */
  private async tryAcquireOrRenew(): Promise<'held' | 'taken' | 'unreachable'> {
    const nowMs = Date.now();
    const now = microTime(nowMs);
    const { namespace, name, identity, leaseDurationSeconds } = this.o;
    let lease: Lease | undefined;
    try {
      lease = await this.kube.unthrottled.get<Lease>(this.leaseRef());
    } catch (err) {
      if (statusCode(err) !== 404) return 'unreachable';
    }
    const spec = { holderIdentity: identity, leaseDurationSeconds, renewTime: now };
    try {
      if (!lease) {
        await this.kube.unthrottled.create(this.leaseRef(false), { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { ...spec, acquireTime: now, leaseTransitions: 0 } });
        return 'held';
      }
      const holder = lease.spec?.holderIdentity;
      if (holder && holder !== identity && !this.expired(lease, nowMs)) return 'taken';
      const transitions = (lease.spec?.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
      await this.kube.unthrottled.replace(this.leaseRef(), {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace, resourceVersion: lease.metadata?.resourceVersion },
        spec: { ...spec, acquireTime: holder === identity && lease.spec?.acquireTime ? lease.spec.acquireTime : now, leaseTransitions: transitions },
      });
      return 'held';
    } catch (err) {
      // A conflict means someone else wrote the Lease first; the next round reads who.
      return statusCode(err) === 409 ? (this.leading ? 'unreachable' : 'taken') : 'unreachable';
    }
  }

  private expired(lease: Lease, nowMs: number): boolean {
    const renew = lease.spec?.renewTime ? Date.parse(lease.spec.renewTime) : 0;
    const duration = (lease.spec?.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000;
    return renew + duration < nowMs;
  }

  /** Gives the Lease up so another replica takes over at once (graceful shutdown). */
  async release(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.renewal;
    if (!this.leading) return;
    this.leading = false;
    // A conflict (a write between our read and ours) is read again; anything else, and it expires on its own.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const lease = await this.kube.unthrottled.get<Lease>(this.leaseRef());
        if (lease.spec?.holderIdentity !== this.o.identity) return;
        await this.kube.unthrottled.replace(this.leaseRef(), { ...lease, spec: { ...lease.spec, holderIdentity: '', renewTime: microTime(0) } });
        return;
      } catch (err) {
        if (statusCode(err) !== 409) return;
      }
    }
  }
}
