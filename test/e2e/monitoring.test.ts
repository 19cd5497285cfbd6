import { applyServerSide, k, kOk, synthToDir } from '../support/cluster.js';
import { installPrometheusOperatorCrds } from '../support/prometheus-operator.js';
import { helmTemplate } from '../support/helm.js';
import { exampleFile, find, render, type Loose } from '../support/render.js';
import { apiRequests, eventually, OperatorHarness, workspaceYaml } from '../support/operator-harness.js';

// Monitoring against the real prometheus-operator CRDs (v0.85.0, from the module): what synth and helm render is
// accepted by their schemas, server-side, with strict field validation. Then the dashboard's and the alerts'
// queries against a running operator's /metrics: every series they name is one it serves.
const NS = 'monitoring-platform';
const files = [exampleFile('monitoring')];
// Workspace namespaces of its own, and no TURN NodePort: other test releases share this cluster.
const overlay = { kubernetes: { allowedNamespaces: ['monitoring-ws'], defaultNamespace: 'monitoring-ws' }, coturn: { enabled: false } };
const set = ['kubernetes.allowedNamespaces={monitoring-ws}', 'kubernetes.defaultNamespace=monitoring-ws', 'coturn.enabled=false'];
const MONITORING_KINDS = ['ServiceMonitor', 'PrometheusRule'];

describe('on the real CRDs', () => {
  beforeAll(installPrometheusOperatorCrds);

  test("synth's ServiceMonitors, PrometheusRule and dashboard are accepted and stored as rendered", () => {
    const res = applyServerSide(synthToDir({ files, set }, 'mon', NS));
    expect([res.status, res.stderr]).toEqual([0, '']);
    const monitors = JSON.parse(kOk(['get', 'servicemonitors', '-n', NS, '-o', 'json'])).items as Loose[];
    expect(monitors.map((m) => [m.metadata.name, m.metadata.labels.release, m.spec.endpoints[0].port, m.spec.endpoints[0].interval]).sort()).toEqual([
      ['mon-aileron-keycloak', 'kube-prometheus-stack', 'management', '15s'],
      ['mon-aileron-workspace-operator', 'kube-prometheus-stack', 'metrics', '15s'],
    ]);
    // Each finds its Service: the selector matches the labels of exactly one Service with the named port.
    for (const m of monitors) {
      const selector = Object.entries(m.spec.selector.matchLabels as Record<string, string>).map(([key, v]) => `${key}=${v}`).join(',');
      const services = JSON.parse(kOk(['get', 'services', '-n', NS, '-l', selector, '-o', 'json'])).items as Loose[];
      expect([m.metadata.name, services.filter((s) => s.spec.ports.some((p: Loose) => p.name === m.spec.endpoints[0].port)).length]).toEqual([m.metadata.name, 1]);
    }
    const rules = JSON.parse(kOk(['get', 'prometheusrule', 'mon-aileron-workspace-operator', '-n', NS, '-o', 'json']));
    expect(rules.spec.groups[0].rules.length).toBeGreaterThanOrEqual(7);
    const dashboard = JSON.parse(kOk(['get', 'configmap', 'mon-aileron-workspace-operator-dashboard', '-n', NS, '-o', 'json']));
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(dashboard.data['aileron-workspace-operator.json']).title).toBe('Aileron workspace operator');
  });

  test("helm's are accepted the same way (server-side dry run)", () => {
    const objects = helmTemplate({ files, overlay, release: 'mon', namespace: NS }).filter((o) => MONITORING_KINDS.includes(o.kind));
    expect(objects.map((o) => o.kind).sort()).toEqual(['PrometheusRule', 'ServiceMonitor', 'ServiceMonitor']);
    const res = k(['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=aileron-k8s', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n'));
    expect([res.status, res.stderr]).toEqual([0, '']);
  });

  test('the CRD really validates: a ServiceMonitor endpoint with a bad scheme is refused', () => {
    const monitor = JSON.parse(kOk(['get', 'servicemonitor', 'mon-aileron-workspace-operator', '-n', NS, '-o', 'json']));
    monitor.spec.endpoints[0].scheme = 'gopher';
    const res = k(['apply', '--server-side', '--dry-run=server', '--field-manager=aileron-k8s', '-f', '-'], JSON.stringify({ ...monitor, metadata: { name: 'bad', namespace: NS } }));
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('spec.endpoints[0].scheme');
  });
});

describe("against a running operator's /metrics", () => {
  const h = new OperatorHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  const objects = render({ files });
  const dashboard = JSON.parse((find(objects, 'ConfigMap', 'aileron-workspace-operator-dashboard').data as Record<string, string>)['aileron-workspace-operator.json']);
  const dashboardQueries = (dashboard.panels as Loose[]).flatMap((p) => (p.targets as Loose[]).map((t) => t.expr as string));
  const alertQueries = ((find(objects, 'PrometheusRule', 'aileron-workspace-operator').spec as Loose).groups as Loose[]).flatMap((g) => (g.rules as Loose[]).map((r) => r.expr as string));
  /** The metric names a query reads, as the operator exposes them (a histogram's _bucket is its family). */
  const metricsOf = (expr: string) => [...expr.matchAll(/\b(aileron_operator_[a-z_]+)\{/g)].map((m) => m[1].replace(/_bucket$/, ''));

  test('every metric the dashboard and the alerts query is one the operator serves, and the phase gauges count real Workspaces', async () => {
    const op = await h.startOperator('op-metrics');
    h.kOk(['apply', '-f', '-'], workspaceYaml('ws-metrics', 'metrics', 'workspace-system', '  browser: {enabled: false}\n  canvas: {enabled: false}\n'));
    await eventually('Running', () => h.status('ws-metrics').phase === 'Running', 90_000);
    await apiRequests(op);
    const text = await (await fetch(`http://127.0.0.1:${op.metricsPort}/metrics`)).text();
    const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const wanted = [...new Set([...dashboardQueries, ...alertQueries].flatMap(metricsOf))].sort();
    expect(wanted.length).toBeGreaterThanOrEqual(10);
    expect(wanted.filter((name) => !served.has(name))).toEqual([]);
    expect(text).toMatch(/^aileron_operator_workspaces\{phase="Running"\} 1$/m);
    expect(text).toMatch(/^aileron_operator_workspaces\{phase="Failed"\} 0$/m);
    expect(text).toMatch(/^aileron_operator_workspaces_degraded 0$/m);
  });
});
