/** The real prometheus-operator CRDs, from the pinned module's example/prometheus-operator-crd-full (scripts/install-tools.sh). */
import { join } from 'node:path';
import { kOk, waitForCrd } from './cluster.js';
import { TOOLS_BIN } from '../cluster/control-plane.js';

export const PROMETHEUS_OPERATOR_CRDS = join(TOOLS_BIN, '..', 'prometheus-operator-crds');
export const SERVICE_MONITOR_CRD = join(PROMETHEUS_OPERATOR_CRDS, 'monitoring.coreos.com_servicemonitors.yaml');
export const PROMETHEUS_RULE_CRD = join(PROMETHEUS_OPERATOR_CRDS, 'monitoring.coreos.com_prometheusrules.yaml');

/** The two kinds the chart renders. */
export function installPrometheusOperatorCrds(): void {
  kOk(['apply', '--server-side', '-f', SERVICE_MONITOR_CRD, '-f', PROMETHEUS_RULE_CRD]);
  waitForCrd('servicemonitors.monitoring.coreos.com');
  waitForCrd('prometheusrules.monitoring.coreos.com');
}
