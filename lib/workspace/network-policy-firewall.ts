/**
 * The workspace firewall as a Kubernetes NetworkPolicy (one per group), for
 * clusters without Cilium. Same intent as cilium-firewall.ts where the API
 * can say it: NetworkPolicy has no deny rules, so the internet allow carries
 * the blocked ranges as exceptions; and it has no names, so "specific"
 * allows the web ports to public addresses, DNS lookups cannot be
 * restricted, and status says so (enforcedBy: NetworkPolicy).
 */
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { FirewallGroup, ResolvedFirewall, ResolvedWorkspace } from './model.js';
import type { WorkspacePlatform } from './platform.js';
import { FIREWALL_GROUP_LABEL, WORKSPACE_ID_LABEL } from './labels.js';
import {
  ACTIVITY_READERS,
  activityPorts,
  DNS_PORT,
  internetRanges,
  PLATFORM_CALLERS,
  PLATFORM_PORTS,
  PLATFORM_TARGETS,
  publicPorts,
  turnHostCidr,
  turnPorts,
  WEB_PORTS,
} from './firewall-rules.js';

const ports = (list: number[], protocol = 'TCP'): k8s.NetworkPolicyPort[] =>
  list.map((port) => ({ port: k8s.IntOrString.fromNumber(port), protocol }));

const namespaceNamed = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

const platformPods = (platform: WorkspacePlatform, components: readonly string[]): k8s.NetworkPolicyPeer => ({
  namespaceSelector: namespaceNamed(platform.releaseNamespace),
  podSelector: {
    matchLabels: { 'app.kubernetes.io/name': platform.appName, 'app.kubernetes.io/instance': platform.releaseName },
    matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: [...components] }],
  },
});

const sameWorkspace = (ws: ResolvedWorkspace): k8s.NetworkPolicyPeer => ({ podSelector: { matchLabels: { [WORKSPACE_ID_LABEL]: ws.id } } });

function ingress(ws: ResolvedWorkspace, group: FirewallGroup, platform: WorkspacePlatform): k8s.NetworkPolicyIngressRule[] {
  const open = publicPorts(ws, group, platform);
  const rules: k8s.NetworkPolicyIngressRule[] = [{ from: [sameWorkspace(ws)] }];
  const activity = activityPorts(ws, group, platform);
  if (activity.length > 0) rules.push({ from: [platformPods(platform, ACTIVITY_READERS)], ports: ports(activity) });
  if (open.length === 0) return rules;
  const controller: k8s.NetworkPolicyPeer = {
    namespaceSelector: { matchLabels: platform.ingressController.namespaceLabels },
    podSelector: { matchLabels: platform.ingressController.podLabels },
  };
  rules.push({ from: [controller, platformPods(platform, PLATFORM_CALLERS)], ports: ports(open) });
  if (platform.serviceType === 'NodePort') {
    rules.push({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: ports(open) });
  }
  return rules;
}

function egress(ws: ResolvedWorkspace, group: FirewallGroup, f: ResolvedFirewall, platform: WorkspacePlatform): k8s.NetworkPolicyEgressRule[] {
  const rules: k8s.NetworkPolicyEgressRule[] = [
    {
      to: [{ namespaceSelector: namespaceNamed('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [...ports([DNS_PORT], 'UDP'), ...ports([DNS_PORT], 'TCP')],
    },
    { to: [platformPods(platform, PLATFORM_TARGETS)], ports: ports(PLATFORM_PORTS) },
    { to: [sameWorkspace(ws)] },
  ];
  if (group === 'browser' && platform.turn.enabled) {
    const { signalling, relay } = turnPorts(platform);
    rules.push({
      to: [{ ipBlock: { cidr: turnHostCidr(platform) } }],
      ports: [
        ...ports(signalling, 'UDP'),
        ...ports(signalling, 'TCP'),
        { port: k8s.IntOrString.fromNumber(relay.from), endPort: relay.to, protocol: 'UDP' },
      ],
    });
  }
  if (f.networkAccessEnabled) {
    rules.push({
      to: internetRanges().map((ipBlock) => ({ ipBlock })),
      // Domain filtering needs Cilium; "specific" keeps to the web ports at least.
      ports: f.domainAccessMode === 'all' ? undefined : ports(WEB_PORTS),
    });
  }
  return rules;
}

export function networkPolicySpec(ws: ResolvedWorkspace, group: FirewallGroup, platform: WorkspacePlatform): k8s.NetworkPolicySpec {
  return {
    podSelector: { matchLabels: { [WORKSPACE_ID_LABEL]: ws.id, [FIREWALL_GROUP_LABEL]: group } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: ingress(ws, group, platform),
    egress: egress(ws, group, ws.firewall[group], platform),
  };
}
