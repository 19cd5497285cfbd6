/**
 * Public host and URL expansion from the publicRouting patterns. Shared by the
 * platform Ingress, NOTES, the operator and the rules that keep every derived
 * host valid for the longest workspace id.
 */
import type { Values } from './schema.js';

/**
 * Longest workspaceId the CRD accepts. `workspace-browser-<id>` (18 chars of
 * prefix) must stay a DNS-1035 label (63) as a Service name and as the first
 * host label, with room for the `-tls` suffix of per-workspace certificates.
 */
export const MAX_WORKSPACE_ID_LENGTH = 40;
export const WORKSPACE_ID_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

export type PublicRouting = Values['publicRouting'];
export type WorkspaceComponent = 'runtime' | 'browser' | 'canvas';

export function expandHost(pattern: string, routing: Pick<PublicRouting, 'baseDomain'>, workspaceId?: string): string {
  let host = pattern.split('{baseDomain}').join(routing.baseDomain);
  if (workspaceId !== undefined) host = host.split('{workspaceId}').join(workspaceId);
  return host;
}

export function platformHosts(routing: PublicRouting) {
  return {
    frontend: expandHost(routing.frontendHost, routing),
    workspaceManager: expandHost(routing.workspaceManagerHost, routing),
    keycloak: expandHost(routing.keycloakHost, routing),
  };
}

export function workspaceHostPattern(routing: PublicRouting, component: WorkspaceComponent): string {
  return { runtime: routing.runtimeHostPattern, browser: routing.browserHostPattern, canvas: routing.canvasHostPattern }[
    component
  ];
}

export function workspaceHost(routing: PublicRouting, component: WorkspaceComponent, workspaceId: string): string {
  return expandHost(workspaceHostPattern(routing, component), routing, workspaceId);
}

export function publicUrl(routing: Pick<PublicRouting, 'scheme'>, host: string): string {
  return `${routing.scheme}://${host}`;
}

/** Why a host is not a valid DNS name, or undefined when it is. */
export function hostProblem(host: string, allowWildcard = false): string | undefined {
  if (host.length > 253) return `is ${host.length} characters long (at most 253)`;
  const labels = host.split('.');
  for (const [i, label] of labels.entries()) {
    if (allowWildcard && i === 0 && label === '*') continue;
    if (label.length > 63) return `has a label "${label}" of ${label.length} characters (at most 63)`;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(label)) return `has an invalid label "${label}"`;
  }
  return undefined;
}

/** The Secret of the first ingress.tls entry with the wildcard host of baseDomain, or "" (the chart's `aileron.wildcardTlsSecret`). */
export function wildcardTlsSecret(v: Pick<Values, 'publicRouting' | 'ingress'>): string {
  const wildcard = `*.${v.publicRouting.baseDomain}`;
  return v.ingress.tls.find((t) => t.hosts.some((h) => expandHost(h, v.publicRouting) === wildcard))?.secretName ?? '';
}
