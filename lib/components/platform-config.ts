/**
 * The platform-config, workspace-routing and firewall-defaults ConfigMaps:
 * the routing and scheduling contract the manager and the operator read.
 * Keys follow seed 000's env-variable table.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformContext } from '../platform/context.js';
import { checksum, goJson } from '../platform/checksum.js';
import { expandHost, platformHosts, publicUrl } from '../values/hosts.js';
import { workspacePlatform } from '../workspace/platform.js';

/** Service names, ports and host patterns of the per-workspace components. */
export const WORKSPACE_PORTS = {
  runtime: { http: 3002, terminal: 3004 },
  browser: { webrtc: 6080, cdp: 9223 },
  canvas: { http: 3003, ws: 3013 },
} as const;

export function configMapNames(ctx: PlatformContext) {
  return {
    platform: ctx.name('platform-config'),
    routing: ctx.name('workspace-routing'),
    firewall: ctx.name('firewall-defaults'),
  };
}

export function platformConfigData(ctx: PlatformContext): Record<string, string> {
  const v = ctx.values;
  const k = v.kubernetes;
  const names = configMapNames(ctx);
  const hosts = platformHosts(v.publicRouting);
  const turnFrontend = v.coturn.frontendHost || v.coturn.host;
  return {
    RUNTIME_PROVISIONER: k.provisioner,
    RUNTIME_K8S_NAMESPACE: k.defaultNamespace,
    RUNTIME_K8S_ALLOWED_NAMESPACES: k.allowedNamespaces.join(','),
    RUNTIME_K8S_SERVICE_TYPE: k.serviceType,
    RUNTIME_K8S_NODE_PORT: String(k.nodePort),
    RUNTIME_K8S_NODE_ADDRESS: k.nodeAddress,
    RUNTIME_K8S_PVC_NAME: k.pvcName,
    RUNTIME_K8S_PVC_SIZE: k.workspaceStorage.size,
    RUNTIME_K8S_PVC_STORAGE_CLASS: k.workspaceStorage.storageClassName || v.global.storageClass,
    RUNTIME_K8S_IMAGE: k.runtimeImage,
    RUNTIME_K8S_BROWSER_IMAGE: k.browserImage,
    RUNTIME_K8S_CANVAS_IMAGE: k.canvasImage,
    RUNTIME_K8S_RUNTIME_RESOURCES: goJson(k.workspaceDefaults.runtime.resources),
    RUNTIME_K8S_BROWSER_RESOURCES: goJson(k.workspaceDefaults.browser.resources),
    RUNTIME_K8S_CANVAS_RESOURCES: goJson(k.workspaceDefaults.canvas.resources),
    WATCH_NAMESPACE: k.watchNamespace,
    KNOWLEDGE_BASES_PVC_NAME: k.knowledgeBases.pvcName,
    FIREWALL_DEFAULTS_CONFIGMAP_NAME: names.firewall,
    WORKSPACE_ROUTING_CONFIGMAP_NAME: names.routing,
    CILIUM_ENABLED: String(v.cilium.enabled),
    PUBLIC_SCHEME: v.publicRouting.scheme,
    PUBLIC_BASE_DOMAIN: v.publicRouting.baseDomain,
    FRONTEND_URL: publicUrl(v.publicRouting, hosts.frontend),
    WORKSPACE_MANAGER_URL: publicUrl(v.publicRouting, hosts.workspaceManager),
    KEYCLOAK_PUBLIC_URL: publicUrl(v.publicRouting, hosts.keycloak),
    TURN_ENABLED: String(v.coturn.enabled),
    TURN_HOST: v.coturn.host,
    TURN_FRONTEND_HOST: turnFrontend,
    TURN_PORT: String(v.coturn.nodePort),
    TURN_REALM: v.coturn.realm,
    // Everything that shapes a workspace, for the operator (Go JSON, as the chart's toJson writes it).
    WORKSPACE_PLATFORM: goJson(workspacePlatform(v, { release: ctx.release, namespace: ctx.namespace })),
  };
}

export function routingData(ctx: PlatformContext): Record<string, string> {
  const r = ctx.values.publicRouting;
  return {
    PUBLIC_SCHEME: r.scheme,
    PUBLIC_BASE_DOMAIN: r.baseDomain,
    FRONTEND_HOST: expandHost(r.frontendHost, r),
    WORKSPACE_MANAGER_HOST: expandHost(r.workspaceManagerHost, r),
    KEYCLOAK_HOST: expandHost(r.keycloakHost, r),
    RUNTIME_HOST_PATTERN: expandHost(r.runtimeHostPattern, r),
    BROWSER_HOST_PATTERN: expandHost(r.browserHostPattern, r),
    CANVAS_HOST_PATTERN: expandHost(r.canvasHostPattern, r),
    RUNTIME_SERVICE_NAME_TEMPLATE: 'workspace-runtime-{workspaceId}',
    BROWSER_SERVICE_NAME_TEMPLATE: 'workspace-browser-{workspaceId}',
    CANVAS_SERVICE_NAME_TEMPLATE: 'workspace-canvas-{workspaceId}',
    RUNTIME_SERVICE_PORT: String(WORKSPACE_PORTS.runtime.http),
    RUNTIME_TERMINAL_PORT: String(WORKSPACE_PORTS.runtime.terminal),
    BROWSER_SERVICE_PORT: String(WORKSPACE_PORTS.browser.webrtc),
    BROWSER_CDP_PORT: String(WORKSPACE_PORTS.browser.cdp),
    CANVAS_SERVICE_PORT: String(WORKSPACE_PORTS.canvas.http),
    CANVAS_WS_PORT: String(WORKSPACE_PORTS.canvas.ws),
  };
}

export function firewallData(ctx: PlatformContext): Record<string, string> {
  const f = ctx.values.firewall.defaults;
  return {
    WORKSPACE_ALLOWED_DOMAINS: f.workspace.allowedDomains.join(','),
    BROWSER_ALLOWED_DOMAINS: f.browser.allowedDomains.join(','),
  };
}

export class PlatformConfig extends Construct {
  /** Digest of all three maps, for the pods that read them. */
  readonly checksum: string;

  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const names = configMapNames(ctx);
    const maps = {
      platform: platformConfigData(ctx),
      routing: routingData(ctx),
      firewall: firewallData(ctx),
    };
    for (const [key, data] of Object.entries(maps)) {
      new k8s.KubeConfigMap(this, key, {
        metadata: ctx.metadata('platform', names[key as keyof typeof names]),
        data,
      });
    }
    this.checksum = checksum(maps);
  }
}
