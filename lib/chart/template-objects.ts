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
import { MARK, type TemplateRegistry } from '../platform/helm-tokens.js';
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

function apiJson(value: unknown, registry: TemplateRegistry): unknown {
  if (value instanceof k8s.IntOrString || value instanceof k8s.Quantity) return value.value;
  if (Array.isArray(value)) return value.map((v) => apiJson(v, registry));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[k === MARK ? k : (API_FIELD_NAMES[k] ?? k)] = apiJson(v, registry);
  }
  const hoisted = registry.hoistedName(value);
  if (hoisted) registry.hoist(out, hoisted);
  return out;
}

/** One render in template mode: its documents by the construct id that names their file, and what their tokens stand for. */
export interface TemplateRender {
  registry: TemplateRegistry;
  files: Map<string, TemplateDocument[]>;
}

/** The template documents of each component. */
export function templateDocuments(): TemplateRender {
  const ctx = new TemplateContext();
  // Helm leaves the release namespace to --create-namespace and keeps the CRD in crds/.
  return documentsOf(ctx.registry, (app) => new PlatformChart(app, 'aileron', { ctx, createReleaseNamespace: false, includeCrd: false }));
}

/** The template documents of the `helm test` hook. */
export function testHookDocuments(): TemplateRender {
  const ctx = new TemplateContext();
  return documentsOf(ctx.registry, (app) => {
    const chart = new Chart(app, 'aileron');
    new HelmTest(chart, 'test', ctx);
    return chart;
  });
}

function documentsOf(registry: TemplateRegistry, build: (app: App) => Chart): TemplateRender {
  const chart = build(new App());
  const files = new Map<string, TemplateDocument[]>();
  for (const c of chart.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const file = c.node.scopes[2].node.id;
    const props = (c as unknown as { props: Record<string, unknown> }).props;
    const doc = { conditions: registry.conditionsOf(c), object: apiJson(props, registry) as Record<string, unknown> };
    files.set(file, [...(files.get(file) ?? []), doc]);
  }
  return { registry, files };
}
