/**
 * The quota and container defaults of a workspace namespace the chart creates
 * (kubernetes.namespaceQuota, kubernetes.namespaceLimitRange), so the
 * workspaces of one namespace cannot take the whole cluster.
 *
 * The quota's default is derived from the workspace defaults: `workspaces`
 * times one workspace at the default sizes (its three components and their
 * sign-in proxies). The chart derives it at install time with the same
 * arithmetic (helper aileron.namespaceQuota), so `--set` on a workspace
 * default moves the quota with it.
 */
import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import type { Release } from '../platform/context.js';
import type { Resources, Values } from '../values/schema.js';
import type { Vals } from '../platform/template-value.js';
import { addQuantities, parseQuantity, type Quantity } from '../values/quantity.js';
import { COMPONENTS } from '../workspace/model.js';

const KINDS = ['requests', 'limits'] as const;
const AMOUNTS = ['cpu', 'memory'] as const;
/** The pods of one workspace at most: runtime, browser, canvas. */
const PODS_PER_WORKSPACE = COMPONENTS.length;

/** CPU in millicores (`17800m`), memory in bytes: whole numbers, rounded as the chart's %.0f rounds. */
function quotaText(q: Quantity, amount: (typeof AMOUNTS)[number], times: number): string {
  const scale = amount === 'cpu' ? 1000n : 1n;
  const value = (q.num * scale * BigInt(times) * 2n + q.den) / (2n * q.den);
  return amount === 'cpu' ? `${value}m` : String(value);
}

/** The derived hard limits, for these values (synth and the operator). */
export function derivedQuota(k: Values['kubernetes'], auth: Values['workspaceAuth']): Record<string, string> {
  const n = k.namespaceQuota.workspaces;
  const containers: Resources[] = COMPONENTS.map((c) => k.workspaceDefaults[c].resources);
  if (auth.enabled) containers.push(...COMPONENTS.map(() => auth.proxy.resources));
  const hard: Record<string, string> = {};
  for (const kind of KINDS) {
    for (const amount of AMOUNTS) {
      const total = containers.reduce((sum, r) => addQuantities(sum, parseQuantity(r[kind]?.[amount] ?? '0') ?? { num: 0n, den: 1n }), { num: 0n, den: 1n });
      hard[`${kind}.${amount}`] = quotaText(total, amount, n);
    }
  }
  hard.pods = String(n * PODS_PER_WORKSPACE);
  hard.persistentvolumeclaims = String(n);
  return hard;
}

/** The same arithmetic in the chart: call with the root context; prints the hard map as YAML. */
export const NAMESPACE_QUOTA_HELPER = `{{/* derivedQuota() of lib/components/namespace-quota.ts. */}}
{{- define "aileron.namespaceQuota" -}}
{{- $k := .Values.kubernetes -}}
{{- $n := int $k.namespaceQuota.workspaces -}}
{{- $containers := list -}}
{{- range $c := list ${COMPONENTS.map((c) => `"${c}"`).join(' ')} -}}
{{- $containers = append $containers (index $k.workspaceDefaults $c).resources -}}
{{- end -}}
{{- if .Values.workspaceAuth.enabled -}}
{{- range $c := list ${COMPONENTS.map((c) => `"${c}"`).join(' ')} -}}
{{- $containers = append $containers $.Values.workspaceAuth.proxy.resources -}}
{{- end -}}
{{- end -}}
{{- $hard := dict -}}
{{- range $kind := list ${KINDS.map((k) => `"${k}"`).join(' ')} -}}
{{- range $amount := list ${AMOUNTS.map((a) => `"${a}"`).join(' ')} -}}
{{- $total := 0.0 -}}
{{- range $r := $containers -}}
{{- $total = addf $total (include "aileron.quantity" (dig $kind $amount "0" $r)) -}}
{{- end -}}
{{- if eq $amount "cpu" -}}
{{- $_ := set $hard (printf "%s.%s" $kind $amount) (printf "%.0fm" (mulf $total 1000 $n)) -}}
{{- else -}}
{{- $_ := set $hard (printf "%s.%s" $kind $amount) (printf "%.0f" (mulf $total $n)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $_ := set $hard "pods" (toString (mul $n ${PODS_PER_WORKSPACE})) -}}
{{- $_ := set $hard "persistentvolumeclaims" (toString $n) -}}
{{- toYaml $hard -}}
{{- end -}}
`;

export interface NamespaceLimitsProps {
  release: Release;
  values: Vals<Values>;
  namespace: string;
}

/** The ResourceQuota and LimitRange of one workspace namespace, each behind its switch. */
export class NamespaceLimits extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values, namespace }: NamespaceLimitsProps) {
    super(scope, id);
    const { x } = ctx;
    const k = values.kubernetes;
    const metadata = (name: string) => ({ name, namespace, labels: ctx.labels('platform') });
    x.scope(this, x.truthy(k.namespaceQuota.enabled), () => {
      const derived = x.computed(
        () => derivedQuota(x.tree<Values['kubernetes']>(k), x.tree<Values['workspaceAuth']>(values.workspaceAuth)),
        () => 'include "aileron.namespaceQuota" $ | fromYaml',
        'map',
      );
      // ApiObject, not the typed import: its Quantity maps take Quantity objects, where these are text (or a token).
      new ApiObject(this, 'quota', {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: metadata('aileron-workspaces'),
        // `hard` from values wins key by key.
        spec: { hard: x.merge(k.namespaceQuota.hard, derived) },
      });
    });
    x.scope(this, x.truthy(k.namespaceLimitRange.enabled), () => {
      const runtime = k.workspaceDefaults.runtime.resources;
      const part = (kind: 'requests' | 'limits') =>
        x.computed(() => x.value(runtime)[kind] ?? {}, () => `dig "${kind}" dict ${x.helm(runtime)}`, 'map');
      new ApiObject(this, 'limits', {
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: metadata('aileron-workspaces'),
        spec: {
          limits: [
            {
              type: 'Container',
              // A container without its own resources (none of ours) gets the runtime's, so the quota can count it.
              defaultRequest: part('requests'),
              default: part('limits'),
              max: x.optional(k.namespaceLimitRange.max),
            },
          ],
        },
      });
    });
  }
}
