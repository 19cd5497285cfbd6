/**
 * The per-workspace firewall: one policy per group (workspace: runtime and
 * canvas; browser), as a CiliumNetworkPolicy (cilium-firewall.ts) or a
 * NetworkPolicy (network-policy-firewall.ts), from the shared intent in
 * firewall-rules.ts. Under both, a namespace baseline denies every
 * direction to every workspace pod, so a policy that is missing or refused
 * fails closed.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import { CiliumNetworkPolicy } from '../../imports/cilium-cilium.io.js';
import type { FirewallGroup, ResolvedFirewall, ResolvedWorkspace } from './model.js';
import type { WorkspacePlatform } from './platform.js';
import type { K8sObject } from '../platform/platform-chart.js';
import { MANAGED_BY, metadata, WORKSPACE_APP } from './labels.js';
import { ciliumPolicySpec } from './cilium-firewall.js';
import { networkPolicySpec } from './network-policy-firewall.js';

export { BLOCKED_CIDRS_V4, BLOCKED_CIDRS_V6 } from './firewall-rules.js';

export type EnforcedBy = 'CiliumNetworkPolicy' | 'NetworkPolicy';

export interface FirewallStatus {
  networkAccessEnabled: boolean;
  domainAccessMode: string;
  effectiveAllowedDomains: string[];
  enforcedBy: EnforcedBy;
}

/** What the policy actually enforces, for status. */
export function firewallStatus(f: ResolvedFirewall, platform: WorkspacePlatform): FirewallStatus {
  const enforcedBy: EnforcedBy = platform.cilium ? 'CiliumNetworkPolicy' : 'NetworkPolicy';
  let domains: string[] = [];
  if (f.networkAccessEnabled) domains = f.domainAccessMode === 'specific' && platform.cilium ? f.domains : ['*'];
  return { networkAccessEnabled: f.networkAccessEnabled, domainAccessMode: f.domainAccessMode, effectiveAllowedDomains: domains, enforcedBy };
}

export const policyName = (ws: ResolvedWorkspace, group: FirewallGroup) => `workspace-${ws.id}-${group}`;

export class WorkspaceFirewall extends Construct {
  constructor(scope: Construct, id: string, props: { ws: ResolvedWorkspace; platform: WorkspacePlatform; group: FirewallGroup }) {
    super(scope, id);
    const { ws, platform, group } = props;
    const meta = metadata(ws, 'firewall', policyName(ws, group), group);
    if (platform.cilium) {
      new CiliumNetworkPolicy(this, 'policy', { metadata: meta, spec: ciliumPolicySpec(ws, group, platform) });
    } else {
      new k8s.KubeNetworkPolicy(this, 'policy', { metadata: meta, spec: networkPolicySpec(ws, group, platform) });
    }
  }
}

export const BASELINE_POLICY_NAME = 'aileron-workspace-default-deny';

/**
 * Denies all ingress and egress of every workspace pod in a namespace. Policies
 * add up, so each workspace's own policy opens what it needs; without one, a
 * pod reaches nothing and nothing reaches it. Cilium enforces NetworkPolicy
 * too, so one baseline serves both modes.
 */
export function baselinePolicy(namespace: string): K8sObject {
  return k8s.KubeNetworkPolicy.manifest({
    metadata: {
      name: BASELINE_POLICY_NAME,
      namespace,
      labels: { 'app.kubernetes.io/name': WORKSPACE_APP, 'app.kubernetes.io/part-of': 'aileron', 'app.kubernetes.io/managed-by': MANAGED_BY },
    },
    spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': WORKSPACE_APP } }, policyTypes: ['Ingress', 'Egress'] },
  }) as K8sObject;
}
