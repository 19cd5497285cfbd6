/**
 * The rendered alerts, through the real promtool (built from
 * github.com/prometheus/prometheus): `check rules` on the PrometheusRule's
 * groups, and `test rules` with input series that fire each alert and series
 * that do not. An alert that can never fire is a defect.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { exampleFile, find, render, type Loose } from '../support/render.js';
import { tool } from '../support/tools.js';
import { OPERATOR_ALERTS, type AlertRule } from '../../lib/components/alerts.js';

const dir = mkdtempSync(join(tmpdir(), 'alerts-'));
const objects = render({ files: [exampleFile('monitoring')] });
const rule = find(objects, 'PrometheusRule', 'aileron-workspace-operator');
const groups = (rule.spec as Loose).groups as Array<{ name: string; rules: AlertRule[] }>;
const rules = groups.flatMap((g) => g.rules);
const rulesFile = join(dir, 'rules.yaml');
writeFileSync(rulesFile, stringify({ groups }));

/** The operator's series as its ServiceMonitor scrapes them. */
const OPERATOR = 'job="aileron-workspace-operator-metrics", namespace="aileron"';
const series = (metric: string, values: string, extra = '') => ({ series: `${metric}{${OPERATOR}${extra}}`, values });
const START_BUCKETS = ['60', '120', '300', '600', '+Inf'];

/** For each alert: series that fire it (and when to look), and series that do not. */
const CASES: Record<(typeof OPERATOR_ALERTS)[number], { at: string; fires: object[]; quiet: object[] }> = {
  AileronOperatorDown: {
    at: '10m',
    fires: [series('up', '0x20')],
    quiet: [series('up', '1x20')],
  },
  AileronOperatorNoLeader: { at: '10m', fires: [series('aileron_operator_leader', '0x20')], quiet: [series('aileron_operator_leader', '1x20')] },
  AileronReconcileErrors: {
    at: '40m',
    fires: [series('aileron_operator_reconciles_total', '0+60x60', ', result="success"'), series('aileron_operator_reconcile_errors_total', '0+30x60', ', reason="ApplyFailed"')],
    quiet: [series('aileron_operator_reconciles_total', '0+60x60', ', result="success"'), series('aileron_operator_reconcile_errors_total', '0+1x60', ', reason="ApplyFailed"')],
  },
  AileronWorkspacesFailed: {
    at: '20m',
    fires: [series('aileron_operator_workspaces', '2x30', ', phase="Failed"')],
    quiet: [series('aileron_operator_workspaces', '0x30', ', phase="Failed"'), series('aileron_operator_workspaces', '50x30', ', phase="Running"')],
  },
  AileronWorkspacesDegraded: { at: '20m', fires: [series('aileron_operator_workspaces_degraded', '1x30')], quiet: [series('aileron_operator_workspaces_degraded', '0x30')] },
  AileronWorkspaceStartSlow: {
    at: '60m',
    // Every start takes between 300 and 600 s (the example's target is 120 s), or every one under a minute.
    fires: START_BUCKETS.map((le) => series('aileron_operator_workspace_start_seconds_bucket', Number(le) < 600 ? '0+0x90' : '0+10x90', `, le="${le}"`)),
    quiet: START_BUCKETS.map((le) => series('aileron_operator_workspace_start_seconds_bucket', '0+10x90', `, le="${le}"`)),
  },
  AileronAPIThrottled: {
    at: '30m',
    fires: [series('aileron_operator_api_throttled_total', '0+120x60')],
    quiet: [series('aileron_operator_api_throttled_total', '0+30x60')],
  },
};

function promtoolTest(alert: string, input: object[], firing: boolean, at: string) {
  const r = rules.find((x) => x.alert === alert)!;
  const expected = firing ? [{ exp_labels: { severity: r.labels.severity }, exp_annotations: r.annotations }] : [];
  const file = join(dir, `${alert}-${firing}.yaml`);
  writeFileSync(file, stringify({ rule_files: [rulesFile], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: input, alert_rule_test: [{ eval_time: at, alertname: alert, exp_alerts: expected }] }] }));
  return tool('promtool', ['test', 'rules', file]);
}

test('promtool check rules accepts the rendered groups, and every alert has a case here and a runbook', () => {
  const res = tool('promtool', ['check', 'rules', rulesFile]);
  expect(res.stderr).toBe('');
  expect(res.stdout).toContain(`SUCCESS: ${OPERATOR_ALERTS.length} rules found`);
  expect(rules.map((r) => r.alert)).toEqual([...OPERATOR_ALERTS]);
  for (const r of rules) expect(r.annotations.runbook).toBe(`README.md, Alerts: ${r.alert}`);
});

test.each(OPERATOR_ALERTS)('%s fires on series that should fire it, and not on others', (alert) => {
  const c = CASES[alert];
  const fires = promtoolTest(alert, c.fires, true, c.at);
  expect([alert, 'fires', fires.status, fires.stdout + fires.stderr]).toEqual([alert, 'fires', 0, expect.stringContaining('SUCCESS')]);
  const quiet = promtoolTest(alert, c.quiet, false, c.at);
  expect([alert, 'quiet', quiet.status, quiet.stdout + quiet.stderr]).toEqual([alert, 'quiet', 0, expect.stringContaining('SUCCESS')]);
});

test('an operator Prometheus has never found is down too', () => {
  // Other targets are up; the operator's is not among them.
  const res = promtoolTest('AileronOperatorDown', [{ series: 'up{job="something-else", namespace="aileron"}', values: '1x20' }], true, '10m');
  expect(res.stdout + res.stderr).toContain('SUCCESS');
});

test('the thresholds come from values: a start target of 120 s in the example', () => {
  expect(rules.find((r) => r.alert === 'AileronWorkspaceStartSlow')!.expr).toMatch(/> 120$/);
  expect(rules.find((r) => r.alert === 'AileronWorkspacesFailed')!.for).toBe('10m');
});
