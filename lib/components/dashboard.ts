/**
 * The workspace operator's Grafana dashboard (metrics.dashboard): workspaces
 * by phase, start latency, reconcile rate and errors, API calls. Every query
 * names only metrics the operator serves (test/e2e/monitoring.test.ts reads a
 * running operator's /metrics for each).
 */

interface Panel {
  title: string;
  type: 'timeseries' | 'stat';
  unit: string;
  targets: Array<{ expr: string; legendFormat: string }>;
}

/** The panels, on the operator's series (`selector`: its job and namespace). */
function panels(selector: string): Panel[] {
  const s = `{${selector}}`;
  const rate = (metric: string, by: string, window = '5m') => `sum by (${by}) (rate(${metric}${s}[${window}]))`;
  return [
    { title: 'Workspaces by phase', type: 'timeseries', unit: 'short', targets: [{ expr: `sum by (phase) (aileron_operator_workspaces${s})`, legendFormat: '__auto' }] },
    { title: 'Degraded workspaces', type: 'stat', unit: 'short', targets: [{ expr: `sum(aileron_operator_workspaces_degraded${s})`, legendFormat: 'degraded' }] },
    {
      title: 'Workspace start (creation to Running)',
      type: 'timeseries',
      unit: 's',
      targets: [50, 95].map((q) => ({ expr: `histogram_quantile(0.${q}, ${rate('aileron_operator_workspace_start_seconds_bucket', 'le', '30m')})`, legendFormat: `p${q}` })),
    },
    { title: 'Reconciles', type: 'timeseries', unit: 'ops', targets: [{ expr: rate('aileron_operator_reconciles_total', 'result'), legendFormat: '__auto' }] },
    { title: 'Reconcile errors by reason', type: 'timeseries', unit: 'ops', targets: [{ expr: rate('aileron_operator_reconcile_errors_total', 'reason'), legendFormat: '__auto' }] },
    {
      title: 'Reconcile duration',
      type: 'timeseries',
      unit: 's',
      targets: [{ expr: `histogram_quantile(0.95, ${rate('aileron_operator_reconcile_duration_seconds_bucket', 'le')})`, legendFormat: 'p95' }],
    },
    { title: 'Renders', type: 'timeseries', unit: 'ops', targets: [{ expr: `sum(rate(aileron_operator_renders_total${s}[5m]))`, legendFormat: 'renders' }] },
    {
      title: 'Kubernetes API calls',
      type: 'timeseries',
      unit: 'reqps',
      targets: [
        { expr: rate('aileron_operator_api_requests_total', 'verb'), legendFormat: '__auto' },
        { expr: `sum(rate(aileron_operator_api_throttled_total${s}[5m]))`, legendFormat: '429 throttled' },
      ],
    },
    { title: 'Reconcile queue', type: 'timeseries', unit: 'short', targets: [{ expr: `sum(aileron_operator_queue_depth${s})`, legendFormat: 'waiting' }] },
    { title: 'Activity reads', type: 'timeseries', unit: 'ops', targets: [{ expr: rate('aileron_operator_activity_reads_total', 'result'), legendFormat: '__auto' }] },
    { title: 'Leader', type: 'stat', unit: 'short', targets: [{ expr: `max(aileron_operator_leader${s})`, legendFormat: 'leading replicas' }] },
  ];
}

/** The dashboard model (Grafana's JSON), with its Prometheus data source chosen on the dashboard. */
export function operatorDashboard(selector: string): Record<string, unknown> {
  return {
    title: 'Aileron workspace operator',
    uid: 'aileron-workspace-operator',
    tags: ['aileron'],
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' }] },
    panels: panels(selector).map((p, i) => ({
      id: i + 1,
      title: p.title,
      type: p.type,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legendFormat })),
    })),
  };
}
