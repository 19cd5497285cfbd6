/**
 * The platform-config, workspace-routing and firewall-defaults ConfigMaps:
 * the routing and scheduling contract the manager and the operator read.
 * Keys follow the upstream chart's env-variable table.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ConstructProps, Release } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { checksum, goJson } from '../platform/checksum.js';
import { platformOf } from '../workspace/platform.js';
import type { Val, Vals } from '../platform/template-value.js';

/** Service names, ports and host patterns of the per-workspace components. */
export const WORKSPACE_PORTS = {
  runtime: { http: 3002, terminal: 3004 },
  browser: { webrtc: 6080, cdp: 9223 },
  canvas: { http: 3003, ws: 3013 },
} as const;

export function configMapNames(ctx: Release) {
  return {
    platform: ctx.name('platform-config'),
    routing: ctx.name('workspace-routing'),
    firewall: ctx.name('firewall-defaults'),
  };
}

function platformConfigData(ctx: Release, v: Vals<Values>): Record<string, string> {
  const { x } = ctx;
  const k = v.kubernetes;
  const r = v.publicRouting;
  const names = configMapNames(ctx);
  const url = (pattern: Val<string>) => `${r.scheme}://${ctx.host(pattern)}`;
  const json = (value: unknown) => x.toJson(value, goJson);
  return {
    RUNTIME_PROVISIONER: x.value(k.provisioner),
    RUNTIME_K8S_NAMESPACE: x.value(k.defaultNamespace),
    RUNTIME_K8S_ALLOWED_NAMESPACES: x.join(k.allowedNamespaces, ','),
    RUNTIME_K8S_SERVICE_TYPE: x.value(k.serviceType),
    RUNTIME_K8S_NODE_PORT: x.str(k.nodePort),
    RUNTIME_K8S_NODE_ADDRESS: x.value(k.nodeAddress),
    RUNTIME_K8S_PVC_NAME: x.value(k.pvcName),
    RUNTIME_K8S_PVC_SIZE: x.value(k.workspaceStorage.size),
    RUNTIME_K8S_PVC_STORAGE_CLASS: x.orDefault(k.workspaceStorage.storageClassName, v.global.storageClass),
    RUNTIME_K8S_IMAGE: x.value(k.runtimeImage),
    RUNTIME_K8S_BROWSER_IMAGE: x.value(k.browserImage),
    RUNTIME_K8S_CANVAS_IMAGE: x.value(k.canvasImage),
    RUNTIME_K8S_RUNTIME_RESOURCES: json(k.workspaceDefaults.runtime.resources),
    RUNTIME_K8S_BROWSER_RESOURCES: json(k.workspaceDefaults.browser.resources),
    RUNTIME_K8S_CANVAS_RESOURCES: json(k.workspaceDefaults.canvas.resources),
    WATCH_NAMESPACE: x.value(k.watchNamespace),
    KNOWLEDGE_BASES_PVC_NAME: x.value(k.knowledgeBases.pvcName),
    FIREWALL_DEFAULTS_CONFIGMAP_NAME: names.firewall,
    WORKSPACE_ROUTING_CONFIGMAP_NAME: names.routing,
    CILIUM_ENABLED: x.str(v.cilium.enabled),
    PUBLIC_SCHEME: x.value(r.scheme),
    PUBLIC_BASE_DOMAIN: x.value(r.baseDomain),
    FRONTEND_URL: url(r.frontendHost),
    WORKSPACE_MANAGER_URL: url(r.workspaceManagerHost),
    KEYCLOAK_PUBLIC_URL: url(r.keycloakHost),
    TURN_ENABLED: x.str(v.coturn.enabled),
    TURN_HOST: x.value(v.coturn.host),
    TURN_FRONTEND_HOST: x.orDefault(v.coturn.frontendHost, v.coturn.host),
    TURN_PORT: x.str(v.coturn.nodePort),
    TURN_REALM: x.value(v.coturn.realm),
    // Everything that shapes a workspace, for the operator (Go JSON, as the chart's toJson writes it).
    WORKSPACE_PLATFORM: json(platformOf(ctx, v)),
  };
}

function routingData(ctx: Release, r: Vals<Values['publicRouting']>): Record<string, string> {
  const { x } = ctx;
  return {
    PUBLIC_SCHEME: x.value(r.scheme),
    PUBLIC_BASE_DOMAIN: x.value(r.baseDomain),
    FRONTEND_HOST: ctx.host(r.frontendHost),
    WORKSPACE_MANAGER_HOST: ctx.host(r.workspaceManagerHost),
    KEYCLOAK_HOST: ctx.host(r.keycloakHost),
    RUNTIME_HOST_PATTERN: ctx.host(r.runtimeHostPattern),
    BROWSER_HOST_PATTERN: ctx.host(r.browserHostPattern),
    CANVAS_HOST_PATTERN: ctx.host(r.canvasHostPattern),
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

function firewallData(ctx: Release, f: Vals<Values['firewall']['defaults']>): Record<string, string> {
  const { x } = ctx;
  return {
    WORKSPACE_ALLOWED_DOMAINS: x.join(f.workspace.allowedDomains, ','),
    BROWSER_ALLOWED_DOMAINS: x.join(f.browser.allowedDomains, ','),
  };
}

/**
 * The platform settings: the whole values tree, since WORKSPACE_PLATFORM carries what every workspace is shaped by
 * and the env table names most components' settings.
 */
export type PlatformConfigProps = ConstructProps<Values>;

export class PlatformConfig extends Construct {
  /** Digest of all three maps, for the pods that read them. */
  readonly checksum: string;

  constructor(scope: Construct, id: string, { release: ctx, values }: PlatformConfigProps) {
    super(scope, id);
    const names = configMapNames(ctx);
    const maps = {
      platform: ctx.x.named('platform-config', platformConfigData(ctx, values)),
      routing: ctx.x.named('workspace-routing', routingData(ctx, values.publicRouting)),
      firewall: ctx.x.named('firewall-defaults', firewallData(ctx, values.firewall.defaults)),
    };
    for (const [key, data] of Object.entries(maps)) {
      new k8s.KubeConfigMap(this, key, {
        metadata: ctx.metadata('platform', names[key as keyof typeof names]),
        data,
      });
    }
    this.checksum = ctx.x.checksum(maps, checksum);
  }
}
