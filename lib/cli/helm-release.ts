/**
 * A Helm release as Helm stores it: the newest deployed revision in a Secret
 * (Helm's default driver) or a ConfigMap (HELM_DRIVER=configmap), labelled
 * owner=helm, name=<release>. Its `release` field is base64 of gzipped JSON
 * (on top of the Secret's own base64). Reading it directly gives what
 * `helm get values` (the user's values) and `helm get values --all` (with
 * the chart's defaults) print, and the manifest, without a helm binary.
 */
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ApiVerbs } from '../../operator/kube.js';

type Json = Record<string, unknown>;

export interface HelmRelease {
  name: string;
  namespace: string;
  revision: number;
  chart: { name: string; version: string; appVersion?: string };
  /** The values the user gave (helm get values). */
  config: Json;
  /** The chart's own values.yaml. */
  chartValues: Json;
  /** The objects Helm applied (its templates, rendered). */
  manifest: KubernetesObject[];
}

interface StoredRelease {
  name: string;
  namespace: string;
  version: number;
  config?: Json;
  manifest?: string;
  chart: { metadata: { name: string; version: string; appVersion?: string }; values?: Json };
}

export class ReleaseNotFound extends Error {}

/** The release record's payload: base64, gzip (Helm 3 always compresses; it starts with the gzip magic). */
export function decodeRelease(encoded: string): StoredRelease {
  const bytes = Buffer.from(encoded, 'base64');
  const json = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return JSON.parse(json.toString('utf8')) as StoredRelease;
}

export async function readHelmRelease(kube: ApiVerbs, name: string, namespace: string): Promise<HelmRelease> {
  const query = { labelSelector: `owner=helm,name=${name},status=deployed` };
  const secrets = await kube.list<{ data?: Record<string, string>; metadata: { labels?: Record<string, string> } }>({ apiVersion: 'v1', plural: 'secrets', namespace }, query);
  let records = secrets.items.map((s) => ({ version: Number(s.metadata.labels?.version), payload: Buffer.from(s.data?.release ?? '', 'base64').toString('utf8') }));
  if (records.length === 0) {
    const maps = await kube.list<{ data?: Record<string, string>; metadata: { labels?: Record<string, string> } }>({ apiVersion: 'v1', plural: 'configmaps', namespace }, query);
    records = maps.items.map((m) => ({ version: Number(m.metadata.labels?.version), payload: m.data?.release ?? '' }));
  }
  const newest = records.sort((a, b) => b.version - a.version)[0];
  if (!newest) throw new ReleaseNotFound(`no deployed Helm release "${name}" in namespace ${namespace} (helm list -n ${namespace} shows what is there)`);
  const stored = decodeRelease(newest.payload);
  return {
    name: stored.name,
    namespace: stored.namespace,
    revision: stored.version,
    chart: stored.chart.metadata,
    config: stored.config ?? {},
    chartValues: stored.chart.values ?? {},
    manifest: parseAllDocuments(stored.manifest ?? '')
      .map((d) => d.toJS() as KubernetesObject | null)
      .filter((o): o is KubernetesObject => !!o && typeof o === 'object' && typeof o.kind === 'string'),
  };
}
