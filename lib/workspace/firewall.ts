/**
 * Per-workspace egress firewall, one policy per group (workspace: runtime and
 * canvas; browser). With Cilium: DNS through kube-dns with the DNS proxy rule
 * toFQDNs needs, the platform services by the labels their pods carry, the
 * TURN relay for the browser, then toFQDNs (specific) or the internet minus
 * private ranges and cloud metadata (all). Without Cilium, a NetworkPolicy
 * with the same intent where it can be expressed: FQDNs cannot, so "specific"
 * allows web ports to public addresses only, and status says so.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import {
  CiliumNetworkPolicy,
  CiliumNetworkPolicySpecEgressToEndpointsMatchExpressionsOperator as Operator,
  CiliumNetworkPolicySpecEgressToEntities as Entity,
  CiliumNetworkPolicySpecEgressToPortsPortsProtocol as Protocol,
  type CiliumNetworkPolicySpecEgress,
} from '../../imports/cilium-cilium.io.js';
import { WORKSPACE_MANAGER_PORT } from '../components/workspace-manager.js';
import { KEYCLOAK_HTTP_PORT } from '../components/keycloak.js';
import type { FirewallGroup, ResolvedFirewall, ResolvedWorkspace } from './model.js';
import type { WorkspacePlatform } from './platform.js';
import { FIREWALL_GROUP_LABEL, metadata, WORKSPACE_ID_LABEL } from './labels.js';

/** Private, link-local (cloud metadata 169.254.169.254), CGNAT and loopback ranges. */
export const BLOCKED_CIDRS_V4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8'];
export const BLOCKED_CIDRS_V6 = ['fc00::/7', 'fe80::/10', '::1/128'];
const WEB_PORTS = [80, 443];
const PLATFORM_PORTS = [WORKSPACE_MANAGER_PORT, KEYCLOAK_HTTP_PORT];

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

function podSelectorLabels(ws: ResolvedWorkspace, group: FirewallGroup) {
  return { [WORKSPACE_ID_LABEL]: ws.id, [FIREWALL_GROUP_LABEL]: group };
}

const platformPodLabels = (platform: WorkspacePlatform) => ({
  'app.kubernetes.io/name': 'aileron',
  'app.kubernetes.io/instance': platform.releaseName,
});

function ciliumEgress(ws: ResolvedWorkspace, group: FirewallGroup, f: ResolvedFirewall, platform: WorkspacePlatform): CiliumNetworkPolicySpecEgress[] {
  const tcp = (ports: number[]) => [{ ports: ports.map((port) => ({ port: String(port), protocol: Protocol.TCP })) }];
  const rules: CiliumNetworkPolicySpecEgress[] = [
    {
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
      // The DNS proxy rule: toFQDNs only works for names Cilium saw resolved.
      toPorts: [{ ports: [{ port: '53', protocol: Protocol.ANY }], rules: { dns: [{ matchPattern: '*' }] } }],
    },
    {
      toEndpoints: [
        {
          matchLabels: { 'k8s:io.kubernetes.pod.namespace': platform.releaseNamespace, ...platformPodLabels(platform) },
          matchExpressions: [{ key: 'app.kubernetes.io/component', operator: Operator.IN, values: ['workspace-manager', 'keycloak'] }],
        },
      ],
      toPorts: tcp(PLATFORM_PORTS),
    },
    // The workspace's own components (the runtime drives the browser over CDP).
    { toEndpoints: [{ matchLabels: { [WORKSPACE_ID_LABEL]: ws.id } }] },
  ];
  if (group === 'browser' && platform.turn.enabled) {
    const turnPorts = [
      {
        ports: [
          { port: String(platform.turn.port), protocol: Protocol.ANY },
          { port: String(platform.turn.minRelayPort), endPort: platform.turn.maxRelayPort, protocol: Protocol.UDP },
        ],
      },
    ];
    // CoTURN runs with hostNetwork on a node, or elsewhere at a fixed address.
    rules.push({ toEntities: [Entity.HOST, Entity.REMOTE_HYPHEN_NODE], toPorts: turnPorts }, { toCidr: [`${platform.turn.host}/32`], toPorts: turnPorts });
  }
  if (!f.networkAccessEnabled) return rules;
  if (f.domainAccessMode === 'all') {
    rules.push({
      toCidrSet: [
        { cidr: '0.0.0.0/0', except: BLOCKED_CIDRS_V4 },
        { cidr: '::/0', except: BLOCKED_CIDRS_V6 },
      ],
    });
  } else if (f.domains.length > 0) {
    rules.push({
      toFqdNs: f.domains.map((d) => (d.startsWith('*.') ? { matchPattern: d } : { matchName: d })),
      toPorts: tcp(WEB_PORTS),
    });
  }
  return rules;
}

function networkPolicyEgress(ws: ResolvedWorkspace, group: FirewallGroup, f: ResolvedFirewall, platform: WorkspacePlatform): k8s.NetworkPolicyEgressRule[] {
  const ports = (list: number[], protocol = 'TCP') => list.map((port) => ({ port: k8s.IntOrString.fromNumber(port), protocol }));
  const rules: k8s.NetworkPolicyEgressRule[] = [
    {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [...ports([53], 'UDP'), ...ports([53], 'TCP')],
    },
    {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': platform.releaseNamespace } },
          podSelector: {
            matchLabels: platformPodLabels(platform),
            matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['workspace-manager', 'keycloak'] }],
          },
        },
      ],
      ports: ports(PLATFORM_PORTS),
    },
    { to: [{ podSelector: { matchLabels: { [WORKSPACE_ID_LABEL]: ws.id } } }] },
  ];
  if (group === 'browser' && platform.turn.enabled) {
    rules.push({
      to: [{ ipBlock: { cidr: `${platform.turn.host}/32` } }],
      ports: [
        ...ports([platform.turn.port], 'UDP'),
        ...ports([platform.turn.port], 'TCP'),
        { port: k8s.IntOrString.fromNumber(platform.turn.minRelayPort), endPort: platform.turn.maxRelayPort, protocol: 'UDP' },
      ],
    });
  }
  if (f.networkAccessEnabled) {
    rules.push({
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: BLOCKED_CIDRS_V4 } }, { ipBlock: { cidr: '::/0', except: BLOCKED_CIDRS_V6 } }],
      // Domain filtering needs Cilium; "specific" keeps to the web ports at least.
      ports: f.domainAccessMode === 'all' ? undefined : ports(WEB_PORTS),
    });
  }
  return rules;
}

export class WorkspaceFirewall extends Construct {
  constructor(scope: Construct, id: string, props: { ws: ResolvedWorkspace; platform: WorkspacePlatform; group: FirewallGroup }) {
    super(scope, id);
    const { ws, platform, group } = props;
    const f = ws.firewall[group];
    const meta = metadata(ws, 'firewall', policyName(ws, group), group);
    if (platform.cilium) {
      new CiliumNetworkPolicy(this, 'policy', {
        metadata: meta,
        spec: { endpointSelector: { matchLabels: podSelectorLabels(ws, group) }, egress: ciliumEgress(ws, group, f, platform) },
      });
    } else {
      new k8s.KubeNetworkPolicy(this, 'policy', {
        metadata: meta,
        spec: { podSelector: { matchLabels: podSelectorLabels(ws, group) }, policyTypes: ['Egress'], egress: networkPolicyEgress(ws, group, f, platform) },
      });
    }
  }
}
