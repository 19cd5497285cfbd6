/**
 * Who may run: kubernetes.maxRunningWorkspacesPerUser (by spec.ownerId) and
 * kubernetes.maxRunningWorkspaces (all of this operator's). A Workspace takes a
 * slot when it starts and gives it back when it stops or goes away.
 *
 * `take` checks and counts in one synchronous step: Node runs one reconcile's
 * JavaScript at a time, and nothing awaits between the check and the count,
 * so the 16 workers cannot admit more than the limit between them.
 */

export type Refusal = { reason: 'UserLimitReached' | 'ClusterLimitReached'; message: string };

export interface RunningLimits {
  perUser: number;
  cluster: number;
}

export class RunningSlots {
  /** uid -> owner of every Workspace holding a slot, and since when (its start: max age counts from it). */
  private readonly holders = new Map<string, { owner: string; since: number }>();
  private readonly perOwner = new Map<string, number>();
  /** Queue keys of Workspaces refused a slot, to try again when one frees. */
  private readonly waiting = new Set<string>();

  constructor(private readonly onFreed: (keys: string[]) => void = () => {}) {}

  /**
   * A slot for the Workspace (when it started), or why it may not run now. Holding one already, it keeps it: a
   * limit lowered later stops nobody.
   */
  take(uid: string, owner: string, key: string, limits: RunningLimits | undefined, now: number): { since: number } | Refusal {
    const held = this.holders.get(uid);
    if (held) return { since: held.since };
    const mine = this.perOwner.get(owner) ?? 0;
    if (limits?.perUser && mine >= limits.perUser) {
      this.waiting.add(key);
      return { reason: 'UserLimitReached', message: `${owner} has ${mine} running workspaces, the most kubernetes.maxRunningWorkspacesPerUser (${limits.perUser}) allows; stop one and this one starts` };
    }
    if (limits?.cluster && this.holders.size >= limits.cluster) {
      this.waiting.add(key);
      return { reason: 'ClusterLimitReached', message: `${this.holders.size} workspaces are running, the most kubernetes.maxRunningWorkspaces (${limits.cluster}) allows; it starts when one stops` };
    }
    this.hold(uid, owner, now);
    this.waiting.delete(key);
    return { since: now };
  }

  /** A slot taken without asking: a Workspace already running when the operator started (since: its status's startedAt). */
  hold(uid: string, owner: string, since: number): void {
    if (this.holders.has(uid)) return;
    this.holders.set(uid, { owner, since });
    this.perOwner.set(owner, (this.perOwner.get(owner) ?? 0) + 1);
  }

  /** Gives the Workspace's slot back (stopped, deleted), and wakes those waiting for one. */
  release(uid: string, key?: string): void {
    if (key) this.waiting.delete(key);
    const owner = this.holders.get(uid)?.owner;
    if (owner === undefined) return;
    this.holders.delete(uid);
    const left = (this.perOwner.get(owner) ?? 1) - 1;
    if (left > 0) this.perOwner.set(owner, left);
    else this.perOwner.delete(owner);
    if (this.waiting.size > 0) this.onFreed([...this.waiting]);
  }

  /** Workspaces holding a slot. */
  get running(): number {
    return this.holders.size;
  }
}
