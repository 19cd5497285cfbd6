/**
 * When a running workspace stops by itself: idle (no activity for its idle
 * timeout, counted from its last activity or its start) or max age (counted
 * from its start), whichever comes first; and when its StoppingSoon warning
 * begins. Pure: the reconciler passes the clock.
 */
import type { ResolvedLifecycle } from '../../lib/workspace/model.js';
import { formatDuration } from '../../lib/values/duration.js';

export type StopCause = 'idle' | 'max-age';

export interface Deadline {
  cause: StopCause;
  stopAt: number;
  warnAt: number;
}

/** The first stop ahead, or undefined when neither deadline is set. */
export function nextStop(lifecycle: ResolvedLifecycle, startedAt: number, lastActivity: number | undefined): Deadline | undefined {
  const candidates: Array<{ cause: StopCause; stopAt: number }> = [];
  if (lifecycle.idleTimeoutMs > 0) candidates.push({ cause: 'idle', stopAt: Math.max(startedAt, lastActivity ?? 0) + lifecycle.idleTimeoutMs });
  if (lifecycle.maxAgeMs > 0) candidates.push({ cause: 'max-age', stopAt: startedAt + lifecycle.maxAgeMs });
  const first = candidates.sort((a, b) => a.stopAt - b.stopAt)[0];
  return first && { ...first, warnAt: first.stopAt - lifecycle.warnBeforeMs };
}

/** The StoppingSoon condition's reason, and the Ready reason once stopped, for each cause. */
export const STOP_REASONS: Record<StopCause, string> = { idle: 'IdleTimeout', 'max-age': 'MaxAge' };

/** What the owner reads in StoppingSoon. */
export function warning(d: Deadline, lifecycle: ResolvedLifecycle): string {
  const at = new Date(d.stopAt).toISOString();
  return d.cause === 'idle'
    ? `no activity for a while: stops at ${at} (idle timeout ${formatDuration(lifecycle.idleTimeoutMs)}) unless it is used; the volume is kept`
    : `stops at ${at}, ${formatDuration(lifecycle.maxAgeMs)} after its start (max age); the volume is kept, and it can be started again`;
}
