/**
 * The part of the values model that shapes a workspace, as one JSON object:
 * both renderers write it into the platform-config ConfigMap
 * (WORKSPACE_PLATFORM), and the operator and `aileron-k8s workspace` read it.
 */
import type { Values, Resources } from '../values/schema.js';
import { PlatformContext, type Release } from '../platform/context.js';
import { turnNamespace } from '../components/turn-namespace.js';
import { ingressAnnotations } from '../components/ingress.js';
import { secretNameOf } from '../components/secrets.js';
import { workspaceAuthOf } from '../components/workspace-auth.js';
import type { WorkspaceAuth } from './auth-proxy.js';
import { asVals, type Vals } from '../platform/template-value.js';
import { routeParents, workspaceTlsSecret } from '../components/gateway.js';

export interface WorkspacePlatform {
  /** Namespace of the platform (manager, Keycloak, CoTURN Secret). */
  releaseNamespace: string;
  /** Name of the platform release, whose manager and Keycloak pods workspaces may reach. */
  releaseName: string;
  /** The platform pods' app.kubernetes.io/name (the chart name, or nameOverride). */
  appName: string;
  routing: Values['publicRouting'];
  ingress: {
    className: string;
    annotations: Record<string, string>;
    /** Wildcard TLS Secret for workspace hosts ("" = none). */
    tlsSecretName: string;
    clusterIssuer: string;
  };
  /**
   * Gateway API mode: workspace hosts get HTTPRoutes on these Gateways (gatewayAPI.parentRefs and the chart's own)
   * instead of Ingresses, with timeouts.request where requestTimeout is set.
   */
  gatewayAPI: { enabled: boolean; parentRefs: Values['gatewayAPI']['parentRefs']; requestTimeout?: string };
  defaultNamespace: string;
  allowedNamespaces: string[];
  serviceType: 'ClusterIP' | 'NodePort';
  images: { runtime: string; browser: string; canvas: string };
  defaults: { runtime: Resources; browser: Resources; canvas: Resources };
  /** Each workspace pod's bandwidth where the spec sets none ("" for no limit). */
  bandwidth: { ingress: string; egress: string };
  storage: { pvcPrefix: string; size: string; storageClassName: string; accessModes: string[]; deleteWithWorkspace: boolean };
  knowledgeBasesPvc: string;
  imagePullSecrets: Array<{ name: string }>;
  cilium: boolean;
  firewall: { workspace: string[]; browser: string[] };
  /**
   * Where the ingress controller's pods run, or in Gateway mode the Gateway's proxies: the only outside source of
   * workspace traffic (besides NodePorts). `ciliumEnvoy`: the source is Cilium's own Envoy (its Gateway API), whose
   * traffic carries the "ingress" entity rather than a pod's labels.
   */
  ingressController: { namespaceLabels: Record<string, string>; podLabels: Record<string, string>; ciliumEnvoy?: boolean };
  /** `port` is the NodePort browsers and pods dial; `listenPort` is coturn's own, which policies see after kube-proxy replacement. */
  turn: {
    enabled: boolean;
    host: string;
    frontendHost: string;
    port: number;
    listenPort: number;
    minRelayPort: number;
    maxRelayPort: number;
    /** The credentials Secret the operator copies to workspace browsers, in CoTURN's namespace. */
    secretName: string;
    secretNamespace: string;
  };
  /** The proxy in front of every workspace port (workspaceAuth). */
  auth: WorkspaceAuth;
  /** Idle and max-age stops (workspaceLifecycle), as duration texts. */
  lifecycle: Values['workspaceLifecycle'];
  /** Running workspaces at once, per owner and in all (0: no limit). */
  runningLimits: { perUser: number; cluster: number };
}

/** Who brings outside traffic to workspace pods: the ingress controller, or in Gateway mode the Gateway's data plane. */
function workspaceTrafficSource(ctx: Release, values: Vals<Values>): WorkspacePlatform['ingressController'] {
  const { x } = ctx;
  const g = values.gatewayAPI;
  const gateway = x.truthy(g.enabled);
  const ingress = values.networkPolicy.ingressController;
  return {
    namespaceLabels: x.choose(gateway, g.dataPlane.namespaceLabels, ingress.namespaceLabels),
    podLabels: x.choose(gateway, g.dataPlane.podLabels, ingress.podLabels),
    ciliumEnvoy: x.computed(
      () => x.value(g.enabled) && x.value(g.implementation) === 'cilium',
      () => `and ${x.helm(g.enabled)} (eq ${x.helm(g.implementation)} "cilium")`,
      'boolean',
    ),
  };
}

export function workspacePlatform(values: Values, options: { release?: string; namespace?: string } = {}): WorkspacePlatform {
  return platformOf(new PlatformContext(values, options), asVals(values));
}

/** What the operator needs to shape workspaces, from the platform's values (the platform-config ConfigMap carries it). */
export function platformOf(ctx: Release, values: Vals<Values>): WorkspacePlatform {
  const { x } = ctx;
  const k = values.kubernetes;
  return {
    releaseNamespace: ctx.namespace,
    releaseName: ctx.release,
    appName: ctx.appName,
    routing: x.tree<Values['publicRouting']>(values.publicRouting),
    gatewayAPI: { enabled: x.value(values.gatewayAPI.enabled), parentRefs: routeParents(ctx, values), requestTimeout: x.value(values.gatewayAPI.requestTimeout) },
    ingress: {
      className: x.value(values.ingress.className),
      annotations: ingressAnnotations(x, values.ingress.className, values.ingress.annotations),
      tlsSecretName: workspaceTlsSecret(ctx, values),
      clusterIssuer: x.value(values.ingress.workspaceTls.clusterIssuer),
    },
    defaultNamespace: x.value(k.defaultNamespace),
    allowedNamespaces: x.value(k.allowedNamespaces),
    serviceType: x.value(k.serviceType),
    images: { runtime: x.value(k.runtimeImage), browser: x.value(k.browserImage), canvas: x.value(k.canvasImage) },
    defaults: {
      runtime: x.value(k.workspaceDefaults.runtime.resources),
      browser: x.value(k.workspaceDefaults.browser.resources),
      canvas: x.value(k.workspaceDefaults.canvas.resources),
    },
    bandwidth: { ingress: x.value(k.workspaceDefaults.bandwidth.ingress), egress: x.value(k.workspaceDefaults.bandwidth.egress) },
    storage: {
      pvcPrefix: x.value(k.pvcName),
      size: x.value(k.workspaceStorage.size),
      storageClassName: x.orDefault(k.workspaceStorage.storageClassName, values.global.storageClass),
      accessModes: x.value(k.workspaceStorage.accessModes),
      deleteWithWorkspace: x.value(k.workspaceStorage.deleteWithWorkspace),
    },
    knowledgeBasesPvc: x.value(k.knowledgeBases.pvcName),
    imagePullSecrets: x.value(values.global.imagePullSecrets),
    cilium: x.value(values.cilium.enabled),
    firewall: { workspace: x.value(values.firewall.defaults.workspace.allowedDomains), browser: x.value(values.firewall.defaults.browser.allowedDomains) },
    ingressController: workspaceTrafficSource(ctx, values),
    turn: {
      enabled: x.value(values.coturn.enabled),
      host: x.value(values.coturn.host),
      frontendHost: x.orDefault(values.coturn.frontendHost, values.coturn.host),
      port: x.value(values.coturn.nodePort),
      listenPort: x.value(values.coturn.port),
      minRelayPort: x.value(values.coturn.minRelayPort),
      maxRelayPort: x.value(values.coturn.maxRelayPort),
      secretName: x.choose(x.truthy(values.coturn.enabled), secretNameOf(ctx, 'coturn', values.coturn.existingSecret), ''),
      secretNamespace: x.choose(x.truthy(values.coturn.enabled), turnNamespace(ctx, values.coturn.namespace), ''),
    },
    auth: workspaceAuthOf(ctx, values.workspaceAuth, { routing: x.value(values.publicRouting), keycloak: x.value(values.keycloak) }),
    lifecycle: x.tree<Values['workspaceLifecycle']>(values.workspaceLifecycle),
    runningLimits: { perUser: x.value(k.maxRunningWorkspacesPerUser), cluster: x.value(k.maxRunningWorkspaces) },
  };
}
