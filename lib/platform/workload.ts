/**
 * Deployment, StatefulSet and Service shapes shared by the platform
 * components: stable label selectors, explicit names, checksum annotations.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { Component, Release } from './context.js';
import { emptyDir, podMetadata, type PodSettings } from './pod.js';
import type { ValOr, Vals } from './template-value.js';

export interface DeploymentOptions {
  component: Component;
  replicas?: ValOr<number>;
  settings: PodSettings;
  spec: k8s.PodSpec;
  /** checksum/<name> annotations that roll the pods when their config changes. */
  checksums?: Record<string, string>;
  /** Recreate for single-writer or host-port workloads. */
  recreate?: boolean;
  /** A HorizontalPodAutoscaler where enabled: the Deployment then has no replicas of its own, so an apply never resets the scale. */
  autoscaling?: Autoscaling;
}

export type Autoscaling = Vals<{ enabled: boolean; minReplicas: number; maxReplicas: number; targetCPUUtilizationPercentage: number }>;

/** Pod labels, and podAnnotations with the checksums (checksums win). */
function podTemplate(ctx: Release, o: DeploymentOptions): k8s.PodTemplateSpec {
  const checksums = Object.fromEntries(Object.entries(o.checksums ?? {}).map(([k, v]) => [`checksum/${k}`, v]));
  return { metadata: podMetadata(ctx, o.component, o.settings, checksums), spec: o.spec };
}

/**
 * With more than one replica: a PodDisruptionBudget, and replicas spread over
 * nodes unless the user gave their own affinity.
 */
function highAvailability(scope: Construct, ctx: Release, o: DeploymentOptions): k8s.PodSpec {
  const x = ctx.x;
  const a = o.autoscaling;
  // The fewest pods there are: the autoscaler's floor where it runs. maxUnavailable 1 still lets a drain evict one.
  const fewest = a ? x.choose(x.truthy(a.enabled), a.minReplicas, o.replicas ?? 1) : (o.replicas ?? 1);
  const replicated = x.atLeast(fewest, 2);
  x.scope(scope, replicated, () => {
    new k8s.KubePodDisruptionBudget(scope, 'pdb', {
      metadata: ctx.metadata(o.component),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: ctx.selector(o.component) } },
    });
  });
  const spread: k8s.Affinity = {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: ctx.selector(o.component) } },
        },
      ],
    },
  };
  const own = o.settings.affinity as ValOr<k8s.Affinity>;
  return { ...o.spec, affinity: x.when(x.truthy(own), own, x.when(replicated, spread)) };
}

export function platformDeployment(scope: Construct, ctx: Release, o: DeploymentOptions): k8s.KubeDeployment {
  const { x } = ctx;
  const spec = highAvailability(scope, ctx, o);
  const a = o.autoscaling;
  if (a) x.scope(scope, x.truthy(a.enabled), () => autoscaler(scope, ctx, o.component, a));
  return new k8s.KubeDeployment(scope, 'deployment', {
    metadata: ctx.metadata(o.component),
    spec: {
      replicas: a ? x.when(x.not(x.truthy(a.enabled)), o.replicas ?? 1) : x.value(o.replicas ?? 1),
      revisionHistoryLimit: 3,
      selector: { matchLabels: ctx.selector(o.component) },
      strategy: o.recreate ? { type: 'Recreate' } : undefined,
      template: podTemplate(ctx, { ...o, spec }),
    },
  });
}

/** Scales a component's Deployment between the bounds on its pods' CPU use (autoscaling/v2). */
function autoscaler(scope: Construct, ctx: Release, component: Component, a: Autoscaling): void {
  const { x } = ctx;
  new k8s.KubeHorizontalPodAutoscalerV2(scope, 'autoscaler', {
    metadata: ctx.metadata(component),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: ctx.name(component) },
      minReplicas: x.value(a.minReplicas),
      maxReplicas: x.value(a.maxReplicas),
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: x.value(a.targetCPUUtilizationPercentage) } } }],
    },
  });
}

export interface StatefulSetOptions extends DeploymentOptions {
  /** A claim template named `data` when enabled and no existing claim is given (the pod spec brings the volume otherwise: see dataVolumes). */
  persistence: Persistence;
}

export type Persistence = Vals<{
  enabled: boolean;
  size: string;
  storageClass: string;
  existingClaim: string;
}>;

/** The pod's `data` volume where no claim template brings it: an emptyDir without persistence, or the existing claim. */
export function dataVolumes(ctx: Release, p: Persistence): k8s.Volume[] {
  const x = ctx.x;
  const persistent = x.truthy(p.enabled);
  return [
    ...x.itemsWhen(x.not(persistent), [emptyDir('data', x.value(p.size))]),
    ...x.itemsWhen(x.and(persistent, x.truthy(p.existingClaim)), [{ name: 'data', persistentVolumeClaim: { claimName: x.value(p.existingClaim) } }]),
  ];
}

export function platformStatefulSet(scope: Construct, ctx: Release, o: StatefulSetOptions): k8s.KubeStatefulSet {
  const { x } = ctx;
  const name = ctx.name(o.component);
  const storageClass = x.orDefault(o.persistence.storageClass, ctx.storageClass);
  return new k8s.KubeStatefulSet(scope, 'statefulset', {
    metadata: ctx.metadata(o.component),
    spec: {
      serviceName: `${name}-headless`,
      replicas: 1,
      selector: { matchLabels: ctx.selector(o.component) },
      template: podTemplate(ctx, o),
      volumeClaimTemplates: x.when(x.and(x.truthy(o.persistence.enabled), x.not(x.truthy(o.persistence.existingClaim))), [
        {
          metadata: { name: 'data', labels: ctx.selector(o.component) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: x.optional(storageClass),
            resources: { requests: { storage: k8s.Quantity.fromString(x.value(o.persistence.size)) } },
          },
        },
      ]),
    },
  });
}

export interface ServicePort {
  name: string;
  port: ValOr<number>;
  targetPort?: string | number;
  protocol?: 'TCP' | 'UDP';
  nodePort?: ValOr<number>;
}

export function platformService(
  scope: Construct,
  ctx: Release,
  component: Component,
  ports: ServicePort[],
  o: { id?: string; name?: string; type?: ValOr<'ClusterIP' | 'NodePort' | 'LoadBalancer'>; headless?: boolean; annotations?: ValOr<Record<string, string>> } = {},
): k8s.KubeService {
  const { x } = ctx;
  return new k8s.KubeService(scope, o.id ?? 'service', {
    metadata: ctx.metadata(component, o.name ?? ctx.name(component), { annotations: x.optional(o.annotations) }),
    spec: {
      type: o.headless ? undefined : x.value(o.type ?? 'ClusterIP'),
      clusterIp: o.headless ? 'None' : undefined,
      selector: ctx.selector(component),
      ports: ports.map((p) => ({
        name: p.name,
        port: x.value(p.port),
        protocol: p.protocol ?? 'TCP',
        nodePort: x.value(p.nodePort),
        targetPort:
          p.targetPort === undefined
            ? k8s.IntOrString.fromString(p.name)
            : typeof p.targetPort === 'number'
              ? k8s.IntOrString.fromNumber(p.targetPort)
              : k8s.IntOrString.fromString(p.targetPort),
      })),
    },
  });
}

/**
 * The ServiceAccount a component's pods run as: serviceAccount.name, else `<fullname>-<component>`;
 * created unless serviceAccount.create is false. Returns its name.
 */
export function serviceAccount(
  scope: Construct,
  ctx: Release,
  component: Component,
  settings: Vals<{ create: boolean; name: string }>,
): string {
  const name = ctx.x.orDefault(settings.name, ctx.name(component));
  ctx.x.scope(scope, ctx.x.truthy(settings.create), () => {
    new k8s.KubeServiceAccount(scope, 'service-account', { metadata: ctx.metadata(component, name), automountServiceAccountToken: false });
  });
  return name;
}

/** Binds a Role or ClusterRole to one ServiceAccount. */
export function serviceAccountBinding(
  scope: Construct,
  id: string,
  o: {
    kind: 'RoleBinding' | 'ClusterRoleBinding';
    metadata: k8s.ObjectMeta;
    role: string;
    /** A RoleBinding may grant a ClusterRole's rules in its one namespace. */
    roleKind?: 'Role' | 'ClusterRole';
    account: { name: string; namespace: string };
  },
): void {
  const props = {
    metadata: o.metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: o.roleKind ?? (o.kind === 'RoleBinding' ? 'Role' : 'ClusterRole'), name: o.role },
    subjects: [{ kind: 'ServiceAccount', ...o.account }],
  };
  if (o.kind === 'RoleBinding') new k8s.KubeRoleBinding(scope, id, props);
  else new k8s.KubeClusterRoleBinding(scope, id, props);
}
