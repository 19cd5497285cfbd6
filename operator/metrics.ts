/**
 * Prometheus metrics (prom-client): reconcile counts, errors, durations, workspace start time, API calls, and the
 * Workspaces by phase (read from the watch's cache at scrape time; the alerts and the dashboard use them).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { WORKSPACE_PHASES } from '../lib/crd/workspace-crd.js';

/** What the phase gauges read: each Workspace's phase and whether it is Degraded. */
export interface WorkspaceView {
  status?: { phase?: string; conditions?: Array<{ type?: string; status?: string }> };
}

export class Metrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: 'aileron_operator_reconciles_total', help: 'Reconciles by result', labelNames: ['result'], registers: [this.registry] });
  readonly reconcileErrors = new Counter({ name: 'aileron_operator_reconcile_errors_total', help: 'Reconciles that failed', labelNames: ['reason'], registers: [this.registry] });
  readonly renders = new Counter({
    name: 'aileron_operator_renders_total',
    help: 'Workspaces rendered from the constructs (only when a Workspace, the platform settings or the operator changed)',
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'aileron_operator_reconcile_duration_seconds',
    help: 'Time of one reconcile',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly workspaceStart = new Histogram({
    name: 'aileron_operator_workspace_start_seconds',
    help: 'From Workspace creation to phase Running',
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({ name: 'aileron_operator_api_requests_total', help: 'Kubernetes API requests: read, list and write for workspaces, lease for leader election', labelNames: ['verb'], registers: [this.registry] });
  readonly throttled = new Counter({
    name: 'aileron_operator_api_throttled_total',
    help: 'Requests the API server answered 429 (API Priority and Fairness); retried after its Retry-After',
    registers: [this.registry],
  });
  readonly leader = new Gauge({ name: 'aileron_operator_leader', help: '1 while this replica leads', registers: [this.registry] });
  readonly activityReads = new Counter({
    name: 'aileron_operator_activity_reads_total',
    help: 'Reads of workspace sign-in proxies\' request counts (activity, for idle stops), by result',
    labelNames: ['result'],
    registers: [this.registry],
  });
  /** The Workspaces the phase gauges count (the controller's cache; none before it starts, or on a standby replica). */
  workspaceSource: () => Iterable<WorkspaceView> = () => [];
  readonly workspaces = new Gauge({
    name: 'aileron_operator_workspaces',
    help: 'Workspaces by status phase (Pending before the operator first writes one), as the leading replica sees them',
    labelNames: ['phase'],
    registers: [this.registry],
    collect: () => {
      const counts = new Map<string, number>(WORKSPACE_PHASES.map((p) => [p, 0]));
      for (const ws of this.workspaceSource()) {
        const phase = ws.status?.phase ?? 'Pending';
        counts.set(phase, (counts.get(phase) ?? 0) + 1);
      }
      for (const [phase, n] of counts) this.workspaces.set({ phase }, n);
    },
  });
  readonly workspacesDegraded = new Gauge({
    name: 'aileron_operator_workspaces_degraded',
    help: 'Workspaces whose Degraded condition is True',
    registers: [this.registry],
    collect: () => {
      let n = 0;
      for (const ws of this.workspaceSource()) if (ws.status?.conditions?.some((c) => c.type === 'Degraded' && c.status === 'True')) n++;
      this.workspacesDegraded.set(n);
    },
  });
  readonly queueDepth = new Gauge({ name: 'aileron_operator_queue_depth', help: 'Workspaces waiting for a reconcile', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
