/**
 * Workspace status from what the operator observes: phase (Pending,
 * Reconciling, Running, Stopped, Failed), per-component phase and URLs, the
 * firewall in force, when it started and was last used, and Ready /
 * Progressing / Degraded / StoppingSoon conditions. Pure: the reconciler
 * feeds it the Deployments it sees and the lifecycle's verdicts.
 */
import { createHash } from 'node:crypto';
import type { ResolvedWorkspace, WorkspaceResource } from '../lib/workspace/model.js';
import { COMPONENTS } from '../lib/workspace/model.js';
import { firewallStatus } from '../lib/workspace/firewall.js';
import type { WorkspacePlatform } from '../lib/workspace/platform.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: 'Ready' | 'Progressing' | 'Degraded' | 'StoppingSoon';
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

/** What status reads of a Deployment: its generation and the rollout's counts. */
export interface DeploymentView {
  generation?: number;
  observedGeneration?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  /** Why the Deployment cannot make progress (ProgressDeadlineExceeded, ReplicaFailure), if it cannot. */
  failure?: string;
}

export type Phase = 'Pending' | 'Reconciling' | 'Running' | 'Stopped' | 'Failed';

export function deploymentReady(d: DeploymentView | undefined): boolean {
  if (!d) return false;
  const current = (d.observedGeneration ?? 0) >= (d.generation ?? 0);
  return current && (d.availableReplicas ?? 0) >= 1 && (d.updatedReplicas ?? 0) >= 1;
}

/**
 * What the operator keeps of a Workspace's status as the API server has it: the phase, each condition's transition
 * time, and a digest of the whole (what a new status is compared with). The whole status, URLs, firewall domains and
 * messages, would be about 2 KB more a workspace in the cache. A type, not an interface: a status record too.
 */
export type ObservedStatus = {
  phase?: string;
  conditions?: Array<Pick<Condition, 'type' | 'status' | 'lastTransitionTime'>>;
  /** What the cluster was last known to hold in full (plan.ts: appliedHash). */
  appliedHash?: string;
  /** When it last started, and its owner's last recorded activity (lifecycle.ts). */
  startedAt?: string;
  lastActivityTime?: string;
  digest: string;
};

/** A Workspace as the operator caches it. */
export type ObservedWorkspace = Omit<WorkspaceResource, 'status'> & { status?: ObservedStatus };

export function observedStatus(status: Record<string, unknown> | undefined): ObservedStatus | undefined {
  if (!status) return undefined;
  const { phase, conditions, appliedHash, startedAt, lastActivityTime } = status as Record<string, unknown> & { conditions?: Condition[] };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    phase: known(text(phase)),
    conditions: conditions?.map(({ type, status: s, lastTransitionTime }) => ({ type: known(type), status: known(s), lastTransitionTime })),
    appliedHash: text(appliedHash),
    startedAt: text(startedAt),
    lastActivityTime: text(lastActivityTime),
    digest: statusDigest(status),
  };
}

/** The operator's own copy of a phase or condition word, not each parsed status's. */
const KNOWN_WORDS = new Map(
  ['Pending', 'Reconciling', 'Running', 'Stopped', 'Failed', 'Ready', 'Progressing', 'Degraded', 'StoppingSoon', 'True', 'False', 'Unknown'].map((w) => [w, w]),
);
function known<T extends string | undefined>(word: T): T {
  return (word !== undefined && (KNOWN_WORDS.get(word) as T)) || word;
}

export interface StatusInput {
  ws: Pick<WorkspaceResource, 'metadata' | 'spec'> & { status?: { conditions?: ObservedStatus['conditions'] } };
  resolved?: ResolvedWorkspace;
  platform?: WorkspacePlatform;
  deployments: Map<string, DeploymentView>;
  failure?: { reason: string; message: string };
  /** What the API server refused in a step of the reconcile (the operator retries), and the reason naming the step; Degraded meanwhile. */
  stepFailure?: { reason: string; message: string };
  /** The applied hash (plan.ts), once the cluster holds the whole plan; absent while it does not. */
  appliedHash?: string;
  /** Not running, and why: the owner's stop, an idle or max-age stop, a running limit (lifecycle.ts). */
  stopped?: { reason: string; message: string };
  /** Running: when it started (kept from the last status, or now on a start). */
  startedAt?: string;
  lastActivityTime?: string;
  /** Running, and an idle or max-age stop is near. */
  stoppingSoon?: { reason: string; message: string };
  now?: string;
}

/** Keeps a condition's lastTransitionTime while its status does not change. */
function condition(previous: ObservedStatus['conditions'], next: Omit<Condition, 'lastTransitionTime'>, now: string): Condition {
  const old = previous?.find((c) => c.type === next.type);
  return { ...next, lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime : now };
}

export function buildStatus(input: StatusInput): Record<string, unknown> {
  const { ws, resolved, platform, deployments, failure, stepFailure, appliedHash } = input;
  const now = input.now ?? new Date().toISOString();
  const generation = ws.metadata.generation;
  const previous = ws.status?.conditions;
  const cond = (c: Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>) => condition(previous, { ...c, observedGeneration: generation }, now);

  if (failure || !resolved || !platform) {
    const reason = failure?.reason ?? 'Unknown';
    const message = failure?.message ?? 'the workspace could not be resolved';
    return {
      phase: 'Failed',
      observedGeneration: generation,
      targetNamespace: resolved?.namespace ?? ws.spec.targetNamespace ?? '',
      conditions: [
        cond({ type: 'Ready', status: 'False', reason, message }),
        cond({ type: 'Progressing', status: 'False', reason, message: 'nothing is applied until the spec is fixed' }),
        cond({ type: 'Degraded', status: 'True', reason, message }),
      ],
    };
  }

  const firewall = {
    workspace: firewallStatus(resolved.firewall.workspace, platform),
    ...(resolved.components.browser.enabled ? { browser: firewallStatus(resolved.firewall.browser, platform) } : {}),
  };
  // What every status of a resolved Workspace carries, running or stopped.
  const common = {
    observedGeneration: generation,
    targetNamespace: resolved.namespace,
    firewall,
    ...(input.startedAt ? { startedAt: input.startedAt } : {}),
    ...(input.lastActivityTime ? { lastActivityTime: input.lastActivityTime } : {}),
    ...(appliedHash && !stepFailure ? { appliedHash } : {}),
  };
  const retrying = (what: string) => cond({ type: 'Progressing', status: 'True', reason: 'Retrying', message: `${what} could not be applied; retrying with backoff` });
  const degraded = (failing: string[] = []) =>
    stepFailure
      ? cond({ type: 'Degraded', status: 'True', reason: stepFailure.reason, message: stepFailure.message })
      : failing.length > 0
        ? cond({ type: 'Degraded', status: 'True', reason: 'ComponentFailing', message: failing.join('; ') })
        : cond({ type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no failure' });
  if (input.stopped) {
    const { reason, message } = input.stopped;
    return {
      phase: 'Stopped',
      ...common,
      // The URLs stay: they are where the workspace comes back (and a merge patch would keep them anyway).
      components: Object.fromEntries(
        COMPONENTS.map((c) => {
          const rc = resolved.components[c];
          return [c, rc.enabled ? { phase: 'Stopped', ready: false, internalUrl: rc.internalUrl, externalUrl: rc.externalUrl } : { phase: 'Disabled', ready: false }];
        }),
      ),
      conditions: [
        cond({ type: 'Ready', status: 'False', reason, message }),
        stepFailure ? retrying('the stop') : cond({ type: 'Progressing', status: 'False', reason: 'Stopped', message: 'no pod runs; the volume, Secrets and policies are kept' }),
        degraded(),
      ],
    };
  }

  const components: Record<string, unknown> = {};
  const waiting: string[] = [];
  const failing: string[] = [];
  let observed = 0;
  for (const c of COMPONENTS) {
    const rc = resolved.components[c];
    if (!rc.enabled) {
      components[c] = { phase: 'Disabled', ready: false };
      continue;
    }
    const d = deployments.get(rc.name);
    if (d) observed++;
    const ready = deploymentReady(d);
    if (!ready) waiting.push(c);
    if (!ready && d?.failure) failing.push(`${c}: ${d.failure}`);
    components[c] = {
      phase: ready ? 'Running' : d?.failure ? 'Failed' : 'Pending',
      ready,
      internalUrl: rc.internalUrl,
      externalUrl: rc.externalUrl,
      ...(rc.restartedAt ? { lastRestartedAt: rc.restartedAt } : {}),
    };
  }
  const running = waiting.length === 0;
  // Pending until the operator has seen any of its Deployments; Reconciling while they come up.
  const phase: Phase = running ? 'Running' : observed === 0 ? 'Pending' : 'Reconciling';
  return {
    phase,
    ...common,
    components,
    conditions: [
      running
        ? cond({ type: 'Ready', status: 'True', reason: 'ComponentsReady', message: 'every enabled component is available' })
        : cond({ type: 'Ready', status: 'False', reason: 'ComponentsNotReady', message: `waiting for ${waiting.join(', ')}` }),
      stepFailure
        ? retrying('the desired state')
        : running
          ? cond({ type: 'Progressing', status: 'False', reason: 'Deployed', message: 'the desired state is applied and available' })
          : cond({ type: 'Progressing', status: 'True', reason: 'Deploying', message: `applied; waiting for ${waiting.join(', ')} to become available` }),
      degraded(failing),
      // Only while a stop is near: the manager or UI can warn its owner.
      ...(input.stoppingSoon ? [cond({ type: 'StoppingSoon', status: 'True', ...input.stoppingSoon })] : []),
    ],
  };
}

/**
 * A short digest of a status, what the operator compares statuses by: it ignores transition times (they only
 * move when a status flips) and key order (the API server returns objects with sorted keys, which our own status
 * need not have).
 */
export function statusDigest(status: unknown): string {
  return createHash('sha256').update(canonical(status)).digest('base64');
}

function canonical(status: unknown): string {
  return JSON.stringify(status ?? {}, (k, v) => {
    if (k === 'lastTransitionTime') return undefined;
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.keys(v).sort().map((key) => [key, v[key]]));
    return v;
  });
}
