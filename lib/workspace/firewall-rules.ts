/**
 * What a workspace's pods may reach and who may reach them, independent of
 * the policy API that enforces it (Cilium or NetworkPolicy). Both renderers
 * read these facts, so the two modes cannot drift in intent.
 *
 * Ingress to workspace pods: the ingress controller and the workspace
 * manager on the public ports only (the authenticating proxy's port when
 * workspace auth is on); the operator on the proxy's metrics port (activity);
 * the workspace's own pods on any port
 * (the runtime drives the browser over CDP); with serviceType NodePort, any
 * source on the public ports. Nothing else, and CDP never from outside.
 *
 * Egress: cluster DNS, the manager and Keycloak, the workspace's own pods,
 * TURN for the browser, and the internet by mode. Private, link-local
 * (cloud metadata), CGNAT, loopback, multicast and reserved ranges are denied
 * in every mode, with the TURN host as the one exception.
 */
import { WORKSPACE_MANAGER_PORT } from '../components/workspace-manager.js';
import { KEYCLOAK_HTTP_PORT } from '../components/keycloak.js';
import { COMPONENTS, type FirewallGroup, type ResolvedWorkspace } from './model.js';
import type { WorkspacePlatform } from './platform.js';
import { COMPONENT_PORTS } from './component-ports.js';
import { ipInCidr, isIPv6 } from '../values/ip.js';
import { AUTH_METRICS_PORT, AUTH_PROXY_PORT } from './auth-proxy.js';

/** Never reachable from a workspace: RFC 1918, CGNAT, loopback, link-local (169.254.169.254), "this network", multicast, reserved. */
export const BLOCKED_CIDRS_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
/** IPv6: loopback, IPv4-mapped and translated, unique-local, link-local, site-local, multicast, NAT64. */
const IPV4_MAPPED = '::ffff:0:0/96';
export const BLOCKED_CIDRS_V6 = ['::1/128', IPV4_MAPPED, '64:ff9b::/96', '64:ff9b:1::/48', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8'];

export const WEB_PORTS = [80, 443];
export const DNS_PORT = 53;
export const PLATFORM_PORTS = [WORKSPACE_MANAGER_PORT, KEYCLOAK_HTTP_PORT];
/** The platform components a workspace calls (the manager's API, Keycloak's OIDC). */
export const PLATFORM_TARGETS = ['workspace-manager', 'keycloak'] as const;
/** The platform component that calls workspaces (status, proxying). */
export const PLATFORM_CALLERS = ['workspace-manager'] as const;
/** The platform component that reads the sign-in proxies' request counts (activity, for idle stops). */
export const ACTIVITY_READERS = ['workspace-operator'] as const;

export const CLUSTER_DOMAIN = 'cluster.local';
/**
 * DNS names a workspace may look up inside the cluster. Cilium's `*` matches
 * within one label, so one pattern per depth: service.namespace.svc and the
 * resolver's search-path expansions of short names.
 */
export const CLUSTER_DNS_PATTERNS = Array.from({ length: 7 }, (_, i) => `${'*.'.repeat(i + 1)}${CLUSTER_DOMAIN}`);

export const groupOf = (component: (typeof COMPONENTS)[number]): FirewallGroup => (component === 'browser' ? 'browser' : 'workspace');

/**
 * The ports outside sources reach on the group's enabled components: the authenticating proxy's alone when
 * workspace auth is on (the component ports then answer only the workspace's own pods), else the ports each
 * component serves through its Ingress.
 */
export function publicPorts(ws: ResolvedWorkspace, group: FirewallGroup, platform: WorkspacePlatform): number[] {
  const enabled = COMPONENTS.filter((c) => groupOf(c) === group && ws.components[c].enabled);
  if (platform.auth.enabled) return enabled.length > 0 ? [AUTH_PROXY_PORT] : [];
  return enabled.flatMap((c) => COMPONENT_PORTS[c].filter((p) => p.path).map((p) => p.port));
}

/** The port the operator reads activity on: the sign-in proxy's metrics, where the proxy runs. */
export function activityPorts(ws: ResolvedWorkspace, group: FirewallGroup, platform: WorkspacePlatform): number[] {
  return platform.auth.enabled && COMPONENTS.some((c) => groupOf(c) === group && ws.components[c].enabled) ? [AUTH_METRICS_PORT] : [];
}

/** The TURN host as a single-address prefix. */
export function turnHostCidr(platform: WorkspacePlatform): string {
  return `${platform.turn.host}/${isIPv6(platform.turn.host) ? 128 : 32}`;
}

/** TURN ports the browser sends to: the NodePort, coturn's own port (what policy sees after kube-proxy replacement), the relay range. */
export function turnPorts(platform: WorkspacePlatform) {
  const t = platform.turn;
  return {
    signalling: [...new Set([t.port, t.listenPort])],
    relay: { from: t.minRelayPort, to: t.maxRelayPort },
  };
}

/** The blocked ranges, with the TURN host carved out of the one holding it (the only exception). */
export function blockedRanges(platform: WorkspacePlatform, group: FirewallGroup): Array<{ cidr: string; except?: string[] }> {
  const turn = group === 'browser' && platform.turn.enabled ? platform.turn.host : undefined;
  const carve = (cidr: string) => (turn && ipInCidr(turn, cidr) ? { cidr, except: [turnHostCidr(platform)] } : { cidr });
  return [...BLOCKED_CIDRS_V4, ...BLOCKED_CIDRS_V6].map(carve);
}

/**
 * The internet for "all", minus the blocked ranges (NetworkPolicy has no deny: the allow carries the exceptions).
 * The API server reads an IPv4-mapped prefix as IPv4, so it cannot be an exception of ::/0; such addresses
 * leave the pod as IPv4 packets, which the IPv4 exceptions already cover.
 */
export function internetRanges(): Array<{ cidr: string; except: string[] }> {
  return [
    { cidr: '0.0.0.0/0', except: BLOCKED_CIDRS_V4 },
    { cidr: '::/0', except: BLOCKED_CIDRS_V6.filter((c) => c !== IPV4_MAPPED) },
  ];
}
