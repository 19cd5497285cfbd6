/**
 * Pod and container building blocks with secure defaults: Pod Security
 * "restricted" contexts, explicit resources, pinned images, no service-account
 * token unless asked for. Components state only what differs.
 */
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ImageValues, Resources } from '../values/schema.js';
import type { Component, Release } from './context.js';
import { Expressions } from './expr.js';
import type { ValOr, Vals } from './template-value.js';

const CONCRETE = new Expressions();

/** The scheduling and pod knobs every platform component takes from values (schema.ts podSettings). */
export type PodSettings = Vals<{
  nodeSelector: Record<string, string>;
  tolerations: Record<string, unknown>[];
  affinity: Record<string, unknown>;
  podAnnotations: Record<string, string>;
  podLabels: Record<string, string>;
  priorityClassName: string;
  topologySpreadConstraints: Record<string, unknown>[];
}>;

export interface ContainerOptions {
  name: string;
  image: ImageValues | Vals<ImageValues>;
  resources: ValOr<Resources>;
  ports?: k8s.ContainerPort[];
  env?: k8s.EnvVar[];
  envFrom?: k8s.EnvFromSource[];
  command?: string[];
  args?: string[];
  volumeMounts?: k8s.VolumeMount[];
  readinessProbe?: k8s.Probe;
  livenessProbe?: k8s.Probe;
  startupProbe?: k8s.Probe;
  /**
   * Keycloak rewrites its own install at start; everything else runs read-only.
   * @default true
   */
  readOnlyRootFilesystem?: boolean;
}

/** repository:tag, or repository:tag@digest when a digest pins it (the runtime pulls by the digest). */
export function imageRef(image: ImageValues | Vals<ImageValues>, x = CONCRETE): string {
  const byTag = `${image.repository}:${image.tag}`;
  return x.choose(x.not(x.equals(image.digest, '')), `${byTag}@${image.digest}`, byTag);
}

export function quantities(list: Record<string, string | undefined> | undefined): Record<string, k8s.Quantity> | undefined {
  if (!list) return undefined;
  const entries = Object.entries(list).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([k, v]) => [k, k8s.Quantity.fromString(v!)]));
}

/** Requests and limits as given, empty lists left out. */
export function resourceRequirements(resources: ValOr<Resources>, x = CONCRETE): k8s.ResourceRequirements {
  if (x.tokenOf(resources)) return x.computed(() => ({}), () => `include "aileron.resources" ${x.helm(resources)}`, 'map', { yamlText: true });
  const plain = x.value(resources);
  return { requests: quantities(plain.requests), limits: quantities(plain.limits) };
}

export function restrictedContainerSecurity(readOnlyRootFilesystem = true): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem,
    runAsNonRoot: true,
  };
}

/** The pod-level half of Pod Security "restricted": a numeric non-root user and group, RuntimeDefault seccomp. */
export function restrictedPodSecurity(runAsUser: number, fsGroup?: number): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser, runAsGroup: runAsUser, fsGroup, seccompProfile: { type: 'RuntimeDefault' } };
}

/** What a pod that never calls the Kubernetes API gets: no ServiceAccount token, no service-link environment. */
export const NO_API_ACCESS = { automountServiceAccountToken: false, enableServiceLinks: false } as const;

export function container(o: ContainerOptions, x = CONCRETE): k8s.Container {
  return {
    name: o.name,
    image: imageRef(o.image, x),
    imagePullPolicy: x.value(o.image.pullPolicy),
    command: o.command,
    args: o.args,
    ports: o.ports,
    env: o.env,
    envFrom: o.envFrom,
    resources: resourceRequirements(o.resources, x),
    volumeMounts: o.volumeMounts,
    readinessProbe: o.readinessProbe,
    livenessProbe: o.livenessProbe,
    startupProbe: o.startupProbe,
    securityContext: restrictedContainerSecurity(o.readOnlyRootFilesystem ?? true),
  };
}

export interface PodOptions {
  /** The component whose pods these are (their labels select them). */
  component: Component;
  containers: k8s.Container[];
  initContainers?: k8s.Container[];
  volumes?: k8s.Volume[];
  /**
   * Only pods that call the Kubernetes API get a ServiceAccount token.
   * @default none: the namespace's default account, with no token mounted
   */
  serviceAccountName?: string;
  /** The numeric user the image runs as; restricted needs runAsNonRoot, and a uid makes it checkable. */
  runAsUser: number;
  /** @default none: volumes keep their own ownership */
  fsGroup?: number;
  /** @default false */
  hostNetwork?: boolean;
  /** @default Kubernetes' 30 s */
  terminationGracePeriodSeconds?: number;
}

export function podSpec(ctx: Release, settings: PodSettings, o: PodOptions): k8s.PodSpec {
  const x = ctx.x;
  return {
    serviceAccountName: o.serviceAccountName,
    automountServiceAccountToken: o.serviceAccountName !== undefined,
    enableServiceLinks: false,
    hostNetwork: o.hostNetwork,
    dnsPolicy: o.hostNetwork ? 'ClusterFirstWithHostNet' : undefined,
    securityContext: restrictedPodSecurity(o.runAsUser, o.fsGroup),
    imagePullSecrets: x.optional(ctx.imagePullSecrets),
    nodeSelector: x.optional(settings.nodeSelector),
    tolerations: x.optional(settings.tolerations) as k8s.Toleration[] | undefined,
    affinity: x.optional(settings.affinity) as k8s.Affinity | undefined,
    priorityClassName: x.optional(settings.priorityClassName),
    // A constraint without a labelSelector counts the component's own pods.
    topologySpreadConstraints: x.when(
      x.truthy(settings.topologySpreadConstraints),
      x.each(settings.topologySpreadConstraints, (c) => x.withDefault(c, 'labelSelector', { matchLabels: ctx.selector(o.component) }), { whole: true }),
    ) as k8s.TopologySpreadConstraint[] | undefined,
    terminationGracePeriodSeconds: o.terminationGracePeriodSeconds,
    initContainers: o.initContainers,
    containers: o.containers,
    volumes: o.volumes,
  };
}

/** Pod template metadata: the component's labels over podLabels, and podAnnotations under the given ones. */
export function podMetadata(ctx: Release, component: Component, settings: PodSettings, annotations: Record<string, string> = {}): k8s.ObjectMeta {
  const { x } = ctx;
  return {
    labels: x.merge(ctx.labels(component), settings.podLabels),
    annotations: x.optional(x.merge(annotations, settings.podAnnotations)),
  };
}

export function nonEmpty<T extends object>(obj: T | undefined): T | undefined {
  return obj && Object.keys(obj).length > 0 ? obj : undefined;
}

export function emptyDir(name: string, sizeLimit = '64Mi'): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}

export function secretEnv(name: string, secretName: string, key: string, optional?: boolean): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key, optional } } };
}

export function httpProbe(path: string, port: number | string, periodSeconds = 10, failureThreshold = 3): k8s.Probe {
  return {
    httpGet: { path, port: typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port) },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 5,
  };
}

export function execProbe(command: string[], periodSeconds = 10): k8s.Probe {
  return { exec: { command }, periodSeconds, timeoutSeconds: 5, failureThreshold: 3 };
}

export function tcpProbe(port: number, periodSeconds = 10): k8s.Probe {
  return { tcpSocket: { port: k8s.IntOrString.fromNumber(port) }, periodSeconds, timeoutSeconds: 5, failureThreshold: 3 };
}
