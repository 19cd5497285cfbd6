/**
 * A Workspace's life beyond create and delete: whether it may run now
 * (spec.started, the running limits), and while it runs, its owner's
 * activity, the StoppingSoon warning and the idle or max-age stop. The
 * reconciler asks it twice a reconcile: `admit` after resolve, `assess` in
 * the status step; a timer brings the Workspace back at its next deadline.
 *
 * An idle or max-age stop is the Workspace's own spec.started set to false,
 * with the platform.aileron.io/stopped-by annotation saying why: the user
 * sees the same field they would set, and it never deletes a Workspace or a
 * volume.
 */
import { STOPPED_BY_ANNOTATION } from '../../lib/crd/workspace-crd.js';
import type { ResolvedWorkspace } from '../../lib/workspace/model.js';
import type { WorkspacePlatform } from '../../lib/workspace/platform.js';
import { formatDuration } from '../../lib/values/duration.js';
import type { ApiVerbs } from '../kube.js';
import type { ObservedWorkspace } from '../status.js';
import { workspaceRef } from '../reconcile/finalizers.js';
import { uidOf } from '../reconcile/report.js';
import type { ActivityMonitor } from './activity.js';
import { nextStop, STOP_REASONS, warning, type StopCause } from './deadlines.js';
import type { RunningSlots } from './running-slots.js';

export interface Verdict {
  reason: string;
  message: string;
}

/** Whether it runs; when it does, since when; when not, why. */
export type Admission = { running: true; since: number } | { running: false; stopped: Verdict };

/** What status shows of a running workspace's lifecycle, or that it stops now. */
export type Assessment = { stopNow: StopCause } | { stopNow?: undefined; lastActivityTime?: string; stoppingSoon?: Verdict };

export interface LifecycleDeps {
  kube: Pick<ApiVerbs, 'mergePatch'>;
  slots: RunningSlots;
  activity: ActivityMonitor;
  /** Reconciles the Workspace (by queue key) again at a time. */
  wakeAt: (key: string, at: number) => void;
  event: (ws: ObservedWorkspace, type: 'Normal' | 'Warning', reason: string, message: string) => Promise<void>;
  now: () => number;
}

export const queueKey = (ws: ObservedWorkspace) => `${ws.metadata.namespace}/${ws.metadata.name}`;

const STOPPED_BY_WORDS: Record<StopCause, string> = { idle: 'without activity for its idle timeout', 'max-age': 'at its max age' };

/** Why a Workspace with spec.started false is stopped: its owner, or the operator (the annotation). */
function stoppedVerdict(ws: ObservedWorkspace): Verdict {
  const by = ws.metadata.annotations?.[STOPPED_BY_ANNOTATION] as StopCause | undefined;
  if (by && by in STOP_REASONS) {
    return { reason: STOP_REASONS[by], message: `stopped by the operator ${STOPPED_BY_WORDS[by]} (${STOPPED_BY_ANNOTATION}: ${by}); set spec.started to true to start it on the same volume` };
  }
  return { reason: 'Stopped', message: 'spec.started is false; set it to true to start the workspace on the same volume' };
}

export class WorkspaceLifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  /** Step admit: a started Workspace takes a running slot, or stays stopped saying which limit it met. */
  async admit(ws: ObservedWorkspace, resolved: ResolvedWorkspace, platform: WorkspacePlatform): Promise<Admission> {
    const uid = uidOf(ws);
    const key = queueKey(ws);
    if (ws.spec.started === false) {
      this.deps.slots.release(uid, key);
      this.deps.activity.untrack(uid);
      return { running: false, stopped: stoppedVerdict(ws) };
    }
    // Started again after an operator's stop: the annotation no longer says why it is stopped.
    if (ws.metadata.annotations?.[STOPPED_BY_ANNOTATION]) {
      await this.deps.kube.mergePatch(workspaceRef(ws), { metadata: { annotations: { [STOPPED_BY_ANNOTATION]: null } } });
    }
    const slot = this.deps.slots.take(uid, resolved.ownerId, key, platform.runningLimits, this.deps.now());
    if ('reason' in slot) {
      this.deps.activity.untrack(uid);
      return { running: false, stopped: slot };
    }
    return { running: true, since: slot.since };
  }

  /**
   * In the status step of a running Workspace: what status records of its activity, whether a stop is near (the
   * StoppingSoon condition, and a Warning Event when it first shows), or that the stop is due now.
   */
  async assess(ws: ObservedWorkspace, resolved: ResolvedWorkspace, platform: WorkspacePlatform, since: number): Promise<Assessment> {
    const uid = uidOf(ws);
    const { activity } = this.deps;
    if (platform.auth.enabled) {
      const services = Object.values(resolved.components).filter((c) => c.enabled).map((c) => c.name);
      activity.track({ key: queueKey(ws), uid, namespace: resolved.namespace, services });
    }
    const inStatus = ws.status?.lastActivityTime;
    const lastActivityTime = activity.toRecord(uid, inStatus);
    // Idleness needs an observation: without sign-in proxies, or while they cannot be read, only max age applies.
    const idleKnown = platform.auth.enabled && activity.observable(uid);
    const lifecycle = idleKnown ? resolved.lifecycle : { ...resolved.lifecycle, idleTimeoutMs: 0 };
    const deadline = nextStop(lifecycle, since, activity.lastActivity(uid, inStatus));
    const now = this.deps.now();
    if (!deadline) {
      activity.setWarned(uid, false);
      return { lastActivityTime };
    }
    if (now >= deadline.stopAt) return { stopNow: deadline.cause };
    this.deps.wakeAt(queueKey(ws), now < deadline.warnAt ? deadline.warnAt : deadline.stopAt);
    if (now < deadline.warnAt) {
      activity.setWarned(uid, false);
      return { lastActivityTime };
    }
    activity.setWarned(uid, true);
    const stoppingSoon = { reason: STOP_REASONS[deadline.cause], message: warning(deadline, lifecycle) };
    const shown = ws.status?.conditions?.some((c) => c.type === 'StoppingSoon' && c.status === 'True');
    if (!shown) await this.deps.event(ws, 'Warning', 'StoppingSoon', stoppingSoon.message);
    return { lastActivityTime, stoppingSoon };
  }

  /** The stop itself: spec.started false, and why, in one patch. The Workspace's watch event then stops its pods. */
  async stop(ws: ObservedWorkspace, cause: StopCause, resolved: ResolvedWorkspace): Promise<void> {
    await this.deps.kube.mergePatch(workspaceRef(ws), { metadata: { annotations: { [STOPPED_BY_ANNOTATION]: cause } }, spec: { started: false } });
    const after = cause === 'idle' ? `${formatDuration(resolved.lifecycle.idleTimeoutMs)} without activity` : `${formatDuration(resolved.lifecycle.maxAgeMs)} after its start`;
    await this.deps.event(ws, 'Normal', STOP_REASONS[cause], `stopped ${after}; its volume is kept, and spec.started: true starts it again`);
  }

  /** A Workspace gone: its running slot and what was read of its activity (the controller clears its timer). */
  forget(uid: string, key: string): void {
    this.deps.slots.release(uid, key);
    this.deps.activity.forget(uid);
  }
}
