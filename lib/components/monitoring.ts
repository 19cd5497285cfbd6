/**
 * Monitoring with prometheus-operator and Grafana, each behind its switch
 * (`metrics.*`): ServiceMonitors for the workspace operator and Keycloak, a
 * PrometheusRule with the operator's alerts (alerts.ts; README, Alerts, has a
 * runbook line for each), and a Grafana dashboard as a ConfigMap for the
 * sidecar (dashboard.ts).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ConstructProps } from '../platform/context.js';
import { operatorSeries } from './operator-series.js';
import { goJson } from '../platform/checksum.js';
import type { Values } from '../values/schema.js';
import { operatorEnabled } from './workspace-operator.js';
import { KEYCLOAK_MANAGEMENT_PORT } from './keycloak.js';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import { operatorAlertGroups } from './alerts.js';
import { operatorDashboard } from './dashboard.js';

export const MONITORING_API_VERSION = 'monitoring.coreos.com/v1';

export type MonitoringProps = ConstructProps<Pick<Values, 'metrics' | 'workspaceOperator' | 'kubernetes' | 'keycloak' | 'networkPolicy'>>;

export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: v }: MonitoringProps) {
    super(scope, id);
    const { x } = ctx;
    const m = v.metrics;
    const operator = operatorEnabled(ctx, v);
    const labels = (component: 'workspace-operator' | 'keycloak') => x.merge(ctx.labels(component), m.serviceMonitor.labels);
    const serviceMonitor = (component: 'workspace-operator' | 'keycloak', port: string) =>
      new ApiObject(this, `${component}-service-monitor`, {
        apiVersion: MONITORING_API_VERSION,
        kind: 'ServiceMonitor',
        metadata: { name: ctx.name(component), namespace: ctx.namespace, labels: labels(component) },
        spec: {
          selector: { matchLabels: ctx.selector(component) },
          namespaceSelector: { matchNames: [ctx.namespace] },
          endpoints: [{ port, path: '/metrics', interval: x.value(m.serviceMonitor.interval) }],
        },
      });
    x.scope(this, x.and(x.truthy(m.serviceMonitor.enabled), operator), () => serviceMonitor('workspace-operator', 'metrics'));
    const scrapeKeycloak = x.and(x.truthy(m.serviceMonitor.enabled), x.truthy(m.serviceMonitor.keycloak), x.truthy(v.keycloak.enabled));
    x.scope(this, scrapeKeycloak, () => serviceMonitor('keycloak', 'management'));
    // Keycloak's management port admits only the manager otherwise: Prometheus gets it by a policy of its own
    // (policies add up), and only while it scrapes.
    x.scope(this, x.and(scrapeKeycloak, x.truthy(v.networkPolicy.enabled)), () => {
      new k8s.KubeNetworkPolicy(this, 'keycloak-scrapers', {
        metadata: ctx.metadata('keycloak', `${ctx.name('keycloak')}-metrics`),
        spec: {
          podSelector: { matchLabels: ctx.selector('keycloak') },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [{ namespaceSelector: { matchLabels: x.value(m.scrapers.namespaceLabels) }, podSelector: { matchLabels: x.value(m.scrapers.podLabels) } }],
              ports: [{ port: k8s.IntOrString.fromNumber(KEYCLOAK_MANAGEMENT_PORT), protocol: 'TCP' }],
            },
          ],
        },
      });
    });
    x.scope(this, x.and(x.truthy(m.prometheusRule.enabled), operator), () => {
      new ApiObject(this, 'alerts', {
        apiVersion: MONITORING_API_VERSION,
        kind: 'PrometheusRule',
        metadata: { name: ctx.name('workspace-operator'), namespace: ctx.namespace, labels: labels('workspace-operator') },
        spec: { groups: operatorAlertGroups(ctx, m.prometheusRule) },
      });
    });
    x.scope(this, x.and(x.truthy(m.dashboard.enabled), operator), () => {
      new ApiObject(this, 'dashboard', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${ctx.name('workspace-operator')}-dashboard`, namespace: ctx.namespace, labels: x.merge(ctx.labels('workspace-operator'), m.dashboard.labels) },
        // Helm's toPrettyJson in the chart, the same text from goJson in synth.
        data: { 'aileron-workspace-operator.json': x.toJson(operatorDashboard(operatorSeries(ctx)), (d) => goJson(d, '  '), true) },
      });
    });
  }
}
