/**
 * One workspace component (runtime, browser or canvas): its Deployment,
 * Service and Ingress, restricted pods, hosts from the routing patterns, TLS
 * when the scheme is https.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GATEWAY_API_VERSION } from '../components/gateway.js';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import { COMPONENT_PORTS, publicPorts } from './component-ports.js';
import { resourceRequirements, restrictedContainerSecurity, restrictedPodSecurity, NO_API_ACCESS, nonEmpty, emptyDir, httpProbe, tcpProbe } from '../platform/pod.js';
import type { ResolvedComponent, ResolvedWorkspace } from './model.js';
import type { WorkspacePlatform } from './platform.js';
import { labels, metadata, RESTARTED_AT_ANNOTATION, selector } from './labels.js';
import { AUTH_METRICS_PORT, AUTH_METRICS_PORT_NAME, AUTH_PROXY_PORT, AUTH_PROXY_PORT_NAME, AUTH_SECRET_MOUNT, workspaceProxyArgs } from './auth-proxy.js';

const WORKSPACE_UID = 1000;

export interface WorkspaceComponentProps {
  ws: ResolvedWorkspace;
  platform: WorkspacePlatform;
  component: ResolvedComponent;
  /** Name of the Secret holding TURN credentials in the workspace namespace (browser only). */
  turnSecret?: string;
  /** Name of the Secret holding the proxy's client and cookie secrets; unset when workspace auth is off. */
  authSecret?: string;
}

/** The oauth2-proxy in front of the component's public ports (see auth-proxy.ts). */
function authProxyFor(p: WorkspaceComponentProps): k8s.Container {
  const auth = p.platform.auth;
  return {
    name: 'auth-proxy',
    image: auth.image,
    imagePullPolicy: 'IfNotPresent',
    args: workspaceProxyArgs(auth, p.ws.ownerId, COMPONENT_PORTS[p.component.component]),
    ports: [
      { name: AUTH_PROXY_PORT_NAME, containerPort: AUTH_PROXY_PORT },
      { name: AUTH_METRICS_PORT_NAME, containerPort: AUTH_METRICS_PORT },
    ],
    resources: resourceRequirements(auth.resources),
    volumeMounts: [{ name: 'auth', mountPath: AUTH_SECRET_MOUNT, readOnly: true }],
    readinessProbe: httpProbe('/ready', AUTH_PROXY_PORT_NAME),
    livenessProbe: httpProbe('/ping', AUTH_PROXY_PORT_NAME, 20),
    securityContext: restrictedContainerSecurity(true),
  };
}

function iceServers(host: string, port: number): string {
  const urls = [`turn:${host}:${port}?transport=udp`, `turn:${host}:${port}?transport=tcp`];
  return JSON.stringify([{ urls, username: '$(TURN_USERNAME)', credential: '$(TURN_CREDENTIAL)' }]);
}

function containerFor(p: WorkspaceComponentProps): k8s.Container {
  const { ws, component: c } = p;
  const ports = COMPONENT_PORTS[c.component].map((x) => ({ name: x.name, containerPort: x.port }));
  const env: k8s.EnvVar[] = [];
  const mounts: k8s.VolumeMount[] = [{ name: 'tmp', mountPath: '/tmp' }];
  if (c.component === 'runtime') {
    env.push(...ws.env);
    mounts.push({ name: 'workspace', mountPath: ws.workspacePath });
    for (const kb of ws.knowledgeBases) {
      mounts.push({ name: 'knowledge-bases', mountPath: `/knowledge/${kb.alias}`, subPath: kb.kbId, readOnly: kb.readOnly });
    }
  }
  if (c.component === 'canvas') {
    env.push({ name: 'WORKSPACE_ID', value: ws.id }, { name: 'WORKSPACE_PATH', value: ws.workspacePath });
    mounts.push({ name: 'workspace', mountPath: ws.workspacePath });
  }
  if (c.component === 'browser') {
    mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
    if (p.turnSecret) {
      env.push(
        { name: 'TURN_USERNAME', valueFrom: { secretKeyRef: { name: p.turnSecret, key: 'username' } } },
        { name: 'TURN_CREDENTIAL', valueFrom: { secretKeyRef: { name: p.turnSecret, key: 'credential' } } },
        { name: 'NEKO_WEBRTC_ICESERVERS_BACKEND', value: iceServers(p.platform.turn.host, p.platform.turn.port) },
        { name: 'NEKO_WEBRTC_ICESERVERS_FRONTEND', value: iceServers(p.platform.turn.frontendHost, p.platform.turn.port) },
      );
    }
  }
  const main = COMPONENT_PORTS[c.component].at(-1)!;
  return {
    name: c.component,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    ports,
    env: env.length > 0 ? env : undefined,
    resources: resourceRequirements(c.resources),
    volumeMounts: mounts,
    // Ready when the UI answers; alive while the port is open.
    readinessProbe: httpProbe(c.component === 'runtime' ? '/health' : '/', main.name),
    livenessProbe: tcpProbe(main.port, 20),
    // Workspace tools write all over the filesystem (package caches, editors); the rest of restricted holds.
    securityContext: restrictedContainerSecurity(false),
  };
}

function volumesFor(p: WorkspaceComponentProps): k8s.Volume[] {
  const { ws, component: c, platform } = p;
  const volumes: k8s.Volume[] = [emptyDir('tmp', '1Gi')];
  if (c.component !== 'browser') volumes.push({ name: 'workspace', persistentVolumeClaim: { claimName: ws.storage.name } });
  if (c.component === 'runtime' && ws.knowledgeBases.length > 0) {
    volumes.push({ name: 'knowledge-bases', persistentVolumeClaim: { claimName: platform.knowledgeBasesPvc } });
  }
  if (c.component === 'browser') volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Gi') } });
  if (p.authSecret) volumes.push({ name: 'auth', secret: { secretName: p.authSecret } });
  return volumes;
}

/** Canvas shares the runtime's volume: with ReadWriteOnce it must run on the runtime's node. */
function affinityFor(p: WorkspaceComponentProps): k8s.Affinity | undefined {
  if (p.component.component !== 'canvas') return undefined;
  return {
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector(p.ws, 'runtime') } },
      ],
    },
  };
}

export class WorkspaceComponentConstruct extends Construct {
  constructor(scope: Construct, id: string, p: WorkspaceComponentProps) {
    super(scope, id);
    const { ws, component: c, platform } = p;
    const part = c.component;
    const group = part === 'browser' ? 'browser' : 'workspace';
    new k8s.KubeDeployment(this, 'deployment', {
      metadata: metadata(ws, part, c.name),
      spec: {
        // Stopped: no pod; the Deployment stays, so a start brings the same pod spec back on the same volume.
        replicas: ws.running ? 1 : 0,
        revisionHistoryLimit: 2,
        // One pod at a time: the volume is ReadWriteOnce and the workspace is single-user.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector(ws, part) },
        template: {
          metadata: {
            labels: labels(ws, part, group),
            annotations: nonEmpty({
              ...(c.restartedAt ? { [RESTARTED_AT_ANNOTATION]: c.restartedAt } : {}),
              // The CNI's bandwidth limits (the bandwidth plugin, or Cilium's bandwidth manager for egress).
              ...(ws.bandwidth.ingress ? { 'kubernetes.io/ingress-bandwidth': ws.bandwidth.ingress } : {}),
              ...(ws.bandwidth.egress ? { 'kubernetes.io/egress-bandwidth': ws.bandwidth.egress } : {}),
            }),
          },
          spec: {
            ...NO_API_ACCESS,
            securityContext: restrictedPodSecurity(WORKSPACE_UID, WORKSPACE_UID),
            imagePullSecrets: platform.imagePullSecrets.length > 0 ? platform.imagePullSecrets : undefined,
            affinity: affinityFor(p),
            containers: p.authSecret ? [containerFor(p), authProxyFor(p)] : [containerFor(p)],
            volumes: volumesFor(p),
          },
        },
      },
    });
    new k8s.KubeService(this, 'service', {
      metadata: metadata(ws, part, c.name),
      spec: {
        type: platform.serviceType,
        selector: selector(ws, part),
        ports: COMPONENT_PORTS[part].map((x) => ({
          name: x.name,
          port: x.port,
          protocol: 'TCP',
          // With auth, every public port leads to the proxy, which routes by path: nothing reaches the component unchecked.
          targetPort: k8s.IntOrString.fromString(p.authSecret && x.path ? AUTH_PROXY_PORT_NAME : x.name),
        })).concat(
          // The operator reads the owner's activity here; the firewall lets only the operator connect.
          p.authSecret ? [{ name: AUTH_METRICS_PORT_NAME, port: AUTH_METRICS_PORT, protocol: 'TCP', targetPort: k8s.IntOrString.fromString(AUTH_METRICS_PORT_NAME) }] : [],
        ),
      },
    });
    // A stopped workspace has no route: its hosts lead nowhere until it starts again.
    if (!ws.running) return;
    if (p.platform.gatewayAPI?.enabled) new WorkspaceRoute(this, 'route', p);
    else new k8s.KubeIngress(this, 'ingress', { metadata: ingressMetadata(p), spec: ingressSpec(p) });
  }
}

function ingressMetadata(p: WorkspaceComponentProps) {
  const annotations = { ...p.platform.ingress.annotations };
  if (tlsEnabled(p.platform) && !p.platform.ingress.tlsSecretName && p.platform.ingress.clusterIssuer) {
    annotations['cert-manager.io/cluster-issuer'] = p.platform.ingress.clusterIssuer;
  }
  return { ...metadata(p.ws, p.component.component, p.component.name), annotations: nonEmpty(annotations) };
}

const tlsEnabled = (platform: WorkspacePlatform) => platform.routing.scheme === 'https';

/**
 * Gateway API mode: the component's public paths as one HTTPRoute on the platform's Gateways, to the same Service
 * ports the Ingress names (the Service sends them on to the sign-in proxy where it runs). The Gateway's listener
 * holds the TLS certificate.
 */
class WorkspaceRoute extends ApiObject {
  constructor(scope: Construct, id: string, { ws, component: c, platform }: WorkspaceComponentProps) {
    super(scope, id, {
      apiVersion: GATEWAY_API_VERSION,
      kind: 'HTTPRoute',
      metadata: metadata(ws, c.component, c.name),
      spec: {
        parentRefs: platform.gatewayAPI.parentRefs,
        hostnames: [c.host],
        rules: publicPorts(c.component).map((x) => ({
          matches: [{ path: { type: 'PathPrefix', value: x.path } }],
          backendRefs: [{ name: c.name, port: x.port }],
          // "0s" (the default) keeps the terminal's, the browser's and the canvas's WebSockets open.
          timeouts: platform.gatewayAPI.requestTimeout ? { request: platform.gatewayAPI.requestTimeout } : undefined,
        })),
      },
    });
  }
}

function ingressSpec(p: WorkspaceComponentProps): k8s.IngressSpec {
  const { component: c, platform } = p;
  const paths = publicPorts(c.component).map((x) => ({ path: x.path, pathType: 'Prefix', backend: { service: { name: c.name, port: { name: x.name } } } }));
  // https: the wildcard Secret, or one certificate per Ingress from cert-manager, or the controller's default.
  const secretName = platform.ingress.tlsSecretName || (platform.ingress.clusterIssuer ? `${c.name}-tls` : undefined);
  return {
    ingressClassName: platform.ingress.className || undefined,
    tls: tlsEnabled(platform) ? [{ hosts: [c.host], secretName }] : undefined,
    rules: [{ host: c.host, http: { paths } }],
  };
}
