/** Rendering the chart with the real helm, and comparing it with synth. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseAllDocuments, stringify } from 'yaml';
import { renderPlatform, type K8sObject } from '../../lib/platform/platform-chart.js';
import { loadValues } from '../../lib/values/load.js';
import { tool } from './tools.js';
import { fixedSecrets, ROOT } from './render.js';

export const CHART = join(ROOT, 'charts', 'aileron');
export const KUBE_VERSION = '1.34.4';

export interface RenderInput {
  files?: string[];
  overlay?: object;
  release?: string;
  namespace?: string;
}

function overlayFile(overlay: object | undefined): string[] {
  if (!overlay) return [];
  const file = join(mkdtempSync(join(tmpdir(), 'overlay-')), 'values.yaml');
  writeFileSync(file, stringify(overlay, { version: '1.1' }));
  return [file];
}

export function helmTemplate(input: RenderInput, extra: string[] = [], includeCrds = true): K8sObject[] {
  const files = [...(input.files ?? []), ...overlayFile(input.overlay)];
  const res = tool('helm', [
    'template', input.release ?? 'aileron', CHART,
    '-n', input.namespace ?? 'aileron',
    ...(includeCrds ? ['--include-crds'] : []), '--kube-version', KUBE_VERSION,
    ...files.flatMap((f) => ['-f', f]),
    ...extra,
  ]);
  if (res.status !== 0) throw new Error(`helm template failed: ${res.stderr}`);
  return parseAllDocuments(res.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function synthObjects(input: RenderInput): K8sObject[] {
  const values = loadValues({ files: input.files, overlays: input.overlay ? [input.overlay as never] : [] });
  return renderPlatform({
    values,
    release: input.release ?? 'aileron',
    namespace: input.namespace ?? 'aileron',
    secrets: fixedSecrets,
    // Helm leaves the release namespace to --create-namespace.
    createReleaseNamespace: false,
  });
}

const BOOKKEEPING_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by'];

/** Key order carries no meaning in Kubernetes objects. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** Drops what only Helm adds or randomises: bookkeeping labels, hooks, generated secret values. */
export function normalize(objects: K8sObject[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const original of objects) {
    if (original.metadata?.annotations?.['helm.sh/hook']) continue;
    const obj = JSON.parse(JSON.stringify(original), (key, value) => {
      if (key === 'labels' && value && typeof value === 'object') {
        const labels = { ...value };
        for (const l of BOOKKEEPING_LABELS) delete labels[l];
        return labels;
      }
      return value;
    });
    if (obj.kind === 'Secret' && obj.stringData) {
      obj.stringData = Object.fromEntries(
        Object.entries(obj.stringData as Record<string, string>).map(([k, v]) => [k, /^generated-|^[A-Za-z0-9]{32}$/.test(v) ? '<generated>' : v]),
      );
    }
    out[`${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`] = sortKeys(obj);
  }
  return out;
}
