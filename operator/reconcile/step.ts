/**
 * What each step of a reconcile says comes next, as the DevWorkspace
 * Operator's provision.Sync* steps do: go on (with what it made), stop here
 * (nothing more is this operator's to do), come back later, fail for a reason
 * the Workspace's status names, or an error the API server gave, which the
 * Degraded condition attributes to the step.
 */
export type StepName = 'resolve' | 'admit' | 'render' | 'finalizer' | 'plan' | 'apply' | 'prune' | 'status';

export type StepResult<T> =
  | { kind: 'continue'; value: T }
  | { kind: 'stop'; why: string }
  | { kind: 'requeue'; why: string }
  | { kind: 'fail'; reason: string; field: string; message: string; retry: boolean }
  | { kind: 'error'; error: Error };

export const next = <T>(value: T): StepResult<T> => ({ kind: 'continue', value });
export const stop = <T>(why: string): StepResult<T> => ({ kind: 'stop', why });
export const requeue = <T>(why: string): StepResult<T> => ({ kind: 'requeue', why });
export const errored = <T>(error: Error): StepResult<T> => ({ kind: 'error', error });

/** The Degraded reason of an error in a step: `ApplyFailed`, `PruneFailed`, and so on. */
export function failedReason(step: StepName): string {
  return `${step[0].toUpperCase()}${step.slice(1)}Failed`;
}

/** A failure already reported in status and an Event: the queue retries it with backoff and reports nothing more. */
export class ReportedError extends Error {
  constructor(
    message: string,
    /** The reason status and the metrics give it. */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'ReportedError';
  }
}

/** Asked to come back later, with nothing to report: the queue retries it with backoff. */
export class Requeue extends ReportedError {
  constructor(why: string) {
    super(why, 'Requeued');
  }
}
