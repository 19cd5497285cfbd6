/**
 * The operator's alerts (metrics.prometheusRule), on the series its
 * ServiceMonitor scrapes. Each has a runbook line in the README (Alerts);
 * test/unit/alerts.test.ts runs each through promtool with series that fire
 * it and series that do not.
 */
import type { Release } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import type { Vals } from '../platform/template-value.js';
import { operatorMetricsJob, operatorSeries } from './operator-series.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' };
  annotations: { summary: string; description: string; runbook: string };
}

/** The alerts' names, in the README's runbook order. */
export const OPERATOR_ALERTS = [
  'AileronOperatorDown',
  'AileronOperatorNoLeader',
  'AileronReconcileErrors',
  'AileronWorkspacesFailed',
  'AileronWorkspacesDegraded',
  'AileronWorkspaceStartSlow',
  'AileronAPIThrottled',
] as const;

const runbook = (alert: string) => `README.md, Alerts: ${alert}`;

export function operatorAlertGroups(ctx: Release, r: Vals<Values['metrics']['prometheusRule']>): Array<{ name: string; rules: AlertRule[] }> {
  const { x } = ctx;
  const s = operatorSeries(ctx);
  const failedFor = x.value(r.workspaceFailedFor);
  const rules: AlertRule[] = [
    {
      alert: 'AileronOperatorDown',
      expr: `absent(up{${s}} == 1)`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'The workspace operator is down',
        description: `No replica of the workspace operator (job ${operatorMetricsJob(ctx)}) has answered a scrape for 5 minutes: Workspaces are neither created, changed, stopped nor cleaned up.`,
        runbook: runbook('AileronOperatorDown'),
      },
    },
    {
      alert: 'AileronOperatorNoLeader',
      expr: `max(aileron_operator_leader{${s}}) < 1`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'No workspace operator replica leads',
        description: 'Operator replicas are up, but none has held the leader Lease for 5 minutes, so none reconciles.',
        runbook: runbook('AileronOperatorNoLeader'),
      },
    },
    {
      alert: 'AileronReconcileErrors',
      expr: `sum(rate(aileron_operator_reconcile_errors_total{${s}}[10m])) / sum(rate(aileron_operator_reconciles_total{${s}}[10m])) > ${x.value(r.reconcileErrorPercent)} / 100`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Workspace reconciles are failing',
        description: `More than ${x.value(r.reconcileErrorPercent)}% of reconciles failed over 15 minutes.`,
        runbook: runbook('AileronReconcileErrors'),
      },
    },
    {
      alert: 'AileronWorkspacesFailed',
      expr: `sum(aileron_operator_workspaces{${s}, phase="Failed"}) > 0`,
      for: failedFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Workspaces are Failed',
        description: `Workspaces have been in phase Failed for ${failedFor}: a spec the platform cannot honour, or a Secret it lacks.`,
        runbook: runbook('AileronWorkspacesFailed'),
      },
    },
    {
      alert: 'AileronWorkspacesDegraded',
      expr: `sum(aileron_operator_workspaces_degraded{${s}}) > 0`,
      for: failedFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Workspaces are Degraded',
        description: `Workspaces have had Degraded=True for ${failedFor}: the API server refuses an object, or a component cannot progress (a quota, an image).`,
        runbook: runbook('AileronWorkspacesDegraded'),
      },
    },
    {
      alert: 'AileronWorkspaceStartSlow',
      expr: `histogram_quantile(0.95, sum by (le) (rate(aileron_operator_workspace_start_seconds_bucket{${s}}[30m]))) > ${x.value(r.startP95Seconds)}`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Workspaces start slowly',
        description: `The 95th percentile of Workspace creation to Running has been above ${x.value(r.startP95Seconds)} s for 15 minutes.`,
        runbook: runbook('AileronWorkspaceStartSlow'),
      },
    },
    {
      alert: 'AileronAPIThrottled',
      expr: `sum(rate(aileron_operator_api_throttled_total{${s}}[5m])) > ${x.value(r.throttledPerSecond)}`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'The API server keeps throttling the operator',
        description: `The API server has answered the operator with 429 more than ${x.value(r.throttledPerSecond)} times a second for 15 minutes (API Priority and Fairness).`,
        runbook: runbook('AileronAPIThrottled'),
      },
    },
  ];
  return [{ name: 'aileron-workspace-operator', rules }];
}
