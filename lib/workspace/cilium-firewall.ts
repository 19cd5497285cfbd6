/**
 * The workspace firewall as a CiliumNetworkPolicy (one per group): ingress
 * from the ingress controller, the manager and the workspace itself; egress
 * to DNS through Cilium's DNS proxy (names restricted by mode), the platform,
 * the workspace itself, TURN and the allowed domains; and an egressDeny of
 * private and metadata ranges, which Cilium applies over every allow,
 * including toFQDNs names that resolve to such addresses.
 */
import {
  CiliumNetworkPolicySpecEgressToEndpointsMatchExpressionsOperator as Operator,
  CiliumNetworkPolicySpecEgressToEntities as Entity,
  CiliumNetworkPolicySpecEgressToPortsPortsProtocol as Protocol,
  CiliumNetworkPolicySpecIngressFromEndpointsMatchExpressionsOperator as FromOperator,
  CiliumNetworkPolicySpecIngressFromEntities as FromEntity,
  CiliumNetworkPolicySpecIngressToPortsPortsProtocol as IngressProtocol,
  type CiliumNetworkPolicySpec,
  type CiliumNetworkPolicySpecEgress,
  type CiliumNetworkPolicySpecEgressToPorts,
  type CiliumNetworkPolicySpecIngress,
  type CiliumNetworkPolicySpecIngressToPorts,
} from '../../imports/cilium-cilium.io.js';
import type { FirewallGroup, ResolvedFirewall, ResolvedWorkspace } from './model.js';
import type { WorkspacePlatform } from './platform.js';
import { FIREWALL_GROUP_LABEL, WORKSPACE_ID_LABEL } from './labels.js';
import {
  blockedRanges,
  CLUSTER_DNS_PATTERNS,
  DNS_PORT,
  PLATFORM_CALLERS,
  ACTIVITY_READERS,
  activityPorts,
  PLATFORM_PORTS,
  PLATFORM_TARGETS,
  publicPorts,
  turnHostCidr,
  turnPorts,
  WEB_PORTS,
} from './firewall-rules.js';

const NAMESPACE_KEY = 'k8s:io.kubernetes.pod.namespace';
const NAMESPACE_LABELS_PREFIX = 'k8s:io.cilium.k8s.namespace.labels.';

const tcp = (ports: number[]): CiliumNetworkPolicySpecEgressToPorts[] => [
  { ports: ports.map((port) => ({ port: String(port), protocol: Protocol.TCP })) },
];

const ingressTcp = (ports: number[]): CiliumNetworkPolicySpecIngressToPorts[] => [
  { ports: ports.map((port) => ({ port: String(port), protocol: IngressProtocol.TCP })) },
];

/** The release's pods of some platform components (the generated types repeat the operator enum per field). */
const platformPods = <O>(platform: WorkspacePlatform, components: readonly string[], operatorIn: O) => ({
  matchLabels: { [NAMESPACE_KEY]: platform.releaseNamespace, 'app.kubernetes.io/name': platform.appName, 'app.kubernetes.io/instance': platform.releaseName },
  matchExpressions: [{ key: 'app.kubernetes.io/component', operator: operatorIn, values: [...components] }],
});

/** The ingress controller's pods, by their namespace's labels and their own. */
const ingressControllerPods = (platform: WorkspacePlatform) => ({
  matchLabels: {
    ...Object.fromEntries(Object.entries(platform.ingressController.namespaceLabels).map(([k, v]) => [`${NAMESPACE_LABELS_PREFIX}${k}`, v])),
    ...platform.ingressController.podLabels,
  },
});

/** Names the DNS proxy lets through: cluster names always, then the allowed domains, or any name with "all". */
function dnsNames(f: ResolvedFirewall) {
  if (f.networkAccessEnabled && f.domainAccessMode === 'all') return [{ matchPattern: '*' }];
  const external = f.networkAccessEnabled ? f.domains.map((d) => (d.startsWith('*.') ? { matchPattern: d } : { matchName: d })) : [];
  return [...CLUSTER_DNS_PATTERNS.map((p) => ({ matchPattern: p })), ...external];
}

function ingress(ws: ResolvedWorkspace, group: FirewallGroup, platform: WorkspacePlatform): CiliumNetworkPolicySpecIngress[] {
  const ports = publicPorts(ws, group, platform);
  const rules: CiliumNetworkPolicySpecIngress[] = [
    // The workspace's own pods, on any port (CDP is only ever reachable this way).
    { fromEndpoints: [{ matchLabels: { [WORKSPACE_ID_LABEL]: ws.id } }] },
  ];
  const activity = activityPorts(ws, group, platform);
  if (activity.length > 0) rules.push({ fromEndpoints: [platformPods(platform, ACTIVITY_READERS, FromOperator.IN)], toPorts: ingressTcp(activity) });
  if (ports.length === 0) return rules;
  const callers = platformPods(platform, PLATFORM_CALLERS, FromOperator.IN);
  // Cilium's Gateway API proxies through Cilium's own Envoy, whose traffic reaches pods as the "ingress" entity, not a pod.
  const cilium = platform.ingressController.ciliumEnvoy;
  rules.push({ fromEndpoints: cilium ? [callers] : [ingressControllerPods(platform), callers], toPorts: ingressTcp(ports) });
  if (cilium) rules.push({ fromEntities: [FromEntity.INGRESS], toPorts: ingressTcp(ports) });
  if (platform.serviceType === 'NodePort') {
    // A NodePort is open to whatever reaches the node: sources arrive as the world or, SNATed, as a node.
    rules.push({ fromEntities: [FromEntity.WORLD, FromEntity.HOST, FromEntity.REMOTE_HYPHEN_NODE], toPorts: ingressTcp(ports) });
  }
  return rules;
}

function egress(ws: ResolvedWorkspace, group: FirewallGroup, f: ResolvedFirewall, platform: WorkspacePlatform): CiliumNetworkPolicySpecEgress[] {
  const rules: CiliumNetworkPolicySpecEgress[] = [
    {
      toEndpoints: [{ matchLabels: { [NAMESPACE_KEY]: 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
      // Through the DNS proxy: it refuses names outside the list, and teaches toFQDNs the addresses.
      toPorts: [{ ports: [{ port: String(DNS_PORT), protocol: Protocol.ANY }], rules: { dns: dnsNames(f) } }],
    },
    { toEndpoints: [platformPods(platform, PLATFORM_TARGETS, Operator.IN)], toPorts: tcp(PLATFORM_PORTS) },
    { toEndpoints: [{ matchLabels: { [WORKSPACE_ID_LABEL]: ws.id } }] },
  ];
  if (group === 'browser' && platform.turn.enabled) {
    const { signalling, relay } = turnPorts(platform);
    const toPorts: CiliumNetworkPolicySpecEgressToPorts[] = [
      {
        ports: [
          ...signalling.map((port) => ({ port: String(port), protocol: Protocol.ANY })),
          { port: String(relay.from), endPort: relay.to, protocol: Protocol.UDP },
        ],
      },
    ];
    // CoTURN runs with hostNetwork: a node's address is a node identity to Cilium, not a CIDR.
    rules.push({ toEntities: [Entity.HOST, Entity.REMOTE_HYPHEN_NODE], toPorts }, { toCidr: [turnHostCidr(platform)], toPorts });
  }
  if (!f.networkAccessEnabled) return rules;
  if (f.domainAccessMode === 'all') {
    rules.push({ toCidrSet: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] });
  } else if (f.domains.length > 0) {
    rules.push({
      toFqdNs: f.domains.map((d) => (d.startsWith('*.') ? { matchPattern: d } : { matchName: d })),
      toPorts: tcp(WEB_PORTS),
    });
  }
  return rules;
}

export function ciliumPolicySpec(ws: ResolvedWorkspace, group: FirewallGroup, platform: WorkspacePlatform): CiliumNetworkPolicySpec {
  const f = ws.firewall[group];
  return {
    endpointSelector: { matchLabels: { [WORKSPACE_ID_LABEL]: ws.id, [FIREWALL_GROUP_LABEL]: group } },
    ingress: ingress(ws, group, platform),
    egress: egress(ws, group, f, platform),
    // Wins over every allow above: no private, metadata or loopback address, whatever a name resolves to.
    egressDeny: [{ toCidrSet: blockedRanges(platform, group) }],
  };
}
