/**
 * Cilium's own code as a test oracle: test/cilium builds `cilium-policy`
 * against the pinned github.com/cilium/cilium module (scripts/install-tools.sh),
 * and the real Cilium CRDs come from the same module.
 */
import { join } from 'node:path';
import { TOOLS_BIN } from '../cluster/control-plane.js';
import type { K8sObject } from '../../lib/platform/platform-chart.js';
import { tool } from './tools.js';

/** The real Cilium CRDs (v2) from the pinned module. */
export const CILIUM_CRDS = join(TOOLS_BIN, '..', 'cilium-crds');
export const CILIUM_NETWORK_POLICY_CRD = join(CILIUM_CRDS, 'ciliumnetworkpolicies.yaml');

export interface Endpoint {
  namespace: string;
  labels: Record<string, string>;
  namespaceLabels?: Record<string, string>;
}

export interface Flow {
  from?: string;
  fromIP?: string;
  fromEntity?: 'host' | 'remote-node' | 'world' | 'ingress';
  to?: string;
  toIP?: string;
  toName?: string;
  toEntity?: 'host' | 'remote-node' | 'world' | 'kube-apiserver';
  port: number;
  protocol?: 'TCP' | 'UDP';
  dnsQuery?: string;
}

export interface Verdict {
  allowed: boolean;
  why: string;
}

export interface ParseResult {
  policy: string;
  kind: string;
  rules: number;
  error?: string;
}

export function ciliumPolicy(policies: K8sObject[], endpoints: Record<string, Endpoint> = {}, flows: Flow[] = []) {
  const res = tool('cilium-policy', [], JSON.stringify({ policies, endpoints, flows }));
  if (res.status !== 0) throw new Error(`cilium-policy failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as { parsed: ParseResult[]; verdicts: Verdict[] | null };
}

/** An endpoint for each pod template of a set of rendered objects, keyed by name. */
export function podEndpoints(objects: K8sObject[], namespaceLabels: (ns: string) => Record<string, string>): Record<string, Endpoint> {
  const out: Record<string, Endpoint> = {};
  for (const o of objects) {
    if (!['Deployment', 'StatefulSet', 'Job'].includes(o.kind)) continue;
    const ns = o.metadata.namespace ?? 'default';
    const labels = (o.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    out[o.metadata.name] = { namespace: ns, labels, namespaceLabels: namespaceLabels(ns) };
  }
  return out;
}

/** What a namespace carries: Kubernetes sets kubernetes.io/metadata.name on every namespace. */
export const namespaceLabels = (ns: string) => ({ 'kubernetes.io/metadata.name': ns });
