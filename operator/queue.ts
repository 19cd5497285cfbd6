/**
 * A work queue like controller-runtime's: a key is queued at most once, never
 * processed by two workers at a time, re-queued if it changed while running,
 * and retried with exponential backoff after a failure.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: Array<() => void> = [];
  private closed = false;

  add(key: string): void {
    if (this.closed) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.pending.add(key);
    this.waiters.shift()?.();
  }

  addAfterFailure(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = Math.min(300_000, 500 * 2 ** (n - 1));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, delay);
    this.timers.add(timer);
    return delay;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  get depth(): number {
    return this.pending.size;
  }

  /** The next key to work on, or undefined once the queue is shut down. */
  async next(): Promise<string | undefined> {
    while (!this.closed) {
      const [key] = this.pending;
      if (key !== undefined) {
        this.pending.delete(key);
        this.running.add(key);
        return key;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return undefined;
  }

  done(key: string): void {
    this.running.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  shutdown(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const w of this.waiters.splice(0)) w();
  }
}
