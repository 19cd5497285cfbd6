/**
 * Runs the platform constructs in template mode and collects their objects as
 * template documents, one file per component. cdk8s' typed classes convert
 * their props to API JSON field by field, which would drop the layer's marks;
 * here the props are converted generically instead (the equality tests hold
 * both conversions to the same output).
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { HelmTest } from './test-hook.js';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import { conditionsOf, hoist, hoistedName, MARK } from '../platform/helm-tokens.js';
import { PlatformChart } from '../platform/platform-chart.js';
import { TemplateContext } from './template-context.js';
import type { TemplateDocument } from './helm-printer.js';

/** cdk8s' names of API fields spelled with initialisms (from the toJson_ functions of the k8s imports). */
const API_FIELD_NAMES: Record<string, string> = {
  clientIp: 'clientIP',
  clusterIp: 'clusterIP',
  downwardApi: 'downwardAPI',
  hostIp: 'hostIP',
  hostIpc: 'hostIPC',
  hostPid: 'hostPID',
  loadBalancerIp: 'loadBalancerIP',
  nonResourceUrLs: 'nonResourceURLs',
  setHostnameAsFqdn: 'setHostnameAsFQDN',
};

function apiJson(value: unknown): unknown {
  if (value instanceof k8s.IntOrString || value instanceof k8s.Quantity) return value.value;
  if (Array.isArray(value)) return value.map(apiJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k === MARK ? k : (API_FIELD_NAMES[k] ?? k)] = apiJson(v);
  }
  const hoisted = hoistedName(value);
  if (hoisted) hoist(out, hoisted);
  return out;
}

/** The template documents of each component, by the construct id that names its file. */
export function templateDocuments(): Map<string, TemplateDocument[]> {
  // Helm leaves the release namespace to --create-namespace and keeps the CRD in crds/.
  return documentsOf((app) => new PlatformChart(app, 'aileron', { ctx: new TemplateContext(), createReleaseNamespace: false, includeCrd: false }));
}

/** The template documents of the `helm test` hook. */
export function testHookDocuments(): TemplateDocument[] {
  const docs = documentsOf((app) => {
    const chart = new Chart(app, 'aileron');
    new HelmTest(chart, 'test', new TemplateContext());
    return chart;
  });
  return [...docs.values()].flat();
}

function documentsOf(build: (app: App) => Chart): Map<string, TemplateDocument[]> {
  const chart = build(new App());
  const files = new Map<string, TemplateDocument[]>();
  for (const c of chart.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const file = c.node.scopes[2].node.id;
    const props = (c as unknown as { props: Record<string, unknown> }).props;
    const doc = { conditions: conditionsOf(c), object: apiJson(props) as Record<string, unknown> };
    files.set(file, [...(files.get(file) ?? []), doc]);
  }
  return files;
}
