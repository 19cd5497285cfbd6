/**
 * Workspace operator: Deployment, ServiceAccount and least-privilege RBAC:
 * cluster-wide only Workspaces and Events; what it renders, by a RoleBinding
 * in each workspace namespace; in the release namespace its Lease and, by
 * name, the ConfigMap and Secrets it reads.
 */
import { plainEnv } from '../values/plain-env.js';
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ConstructProps, Release } from '../platform/context.js';
import type { Val, Vals } from '../platform/template-value.js';
import type { Values } from '../values/schema.js';
import type { Cond } from '../platform/expr.js';
import { container, httpProbe, podSpec } from '../platform/pod.js';
import { platformDeployment, platformService, serviceAccount, serviceAccountBinding } from '../platform/workload.js';
import { configMapNames } from './platform-config.js';
import { turnContext } from './turn-namespace.js';
import { secretNameOf } from './secrets.js';
import { WORKSPACE_API_GROUP, WORKSPACE_RESOURCE } from '../crd/workspace-crd.js';

export const OPERATOR_METRICS_PORT = 8080;

/** The operator runs only for Kubernetes workspaces (kubernetes.enabled, upstream's switch). */
export const operatorEnabled = ({ x }: Release, v: Vals<Pick<Values, 'workspaceOperator' | 'kubernetes'>>): Cond =>
  x.and(x.truthy(v.workspaceOperator.enabled), x.truthy(v.kubernetes.enabled));

/** Old-space size for the operator: half its memory limit (MiB), leaving room for V8's other spaces; 128 when the limit is not in Mi/Gi. */
export function heapLimitMb(limit: string | undefined): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(limit ?? '');
  if (!m) return 128;
  const mib = Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
  return Math.max(64, Math.floor(mib * 0.5));
}
export const OPERATOR_HEALTH_PORT = 8081;

/**
 * Node's flags for the operator: the heap cap, a 4 MB semi-space for the young generation, and V8's
 * optimize-for-size (a heap that grows less ahead of its live data). Measured on bursts of 1,000 workspaces
 * (bench:operator): semi-spaces of 2 MB took 129 s, 4 MB 92 s, 8 MB 91 s, V8's default 16 MB 97 s (steady RSS
 * 123, 148, 165, 177 MB); optimize-for-size took steady RSS from 113 to 93 MB for 52 s -> 58 s of burst. Measured
 * again with the lighter caches: without it the burst took 59.3 s against 55.5 s with it, and peaked at 102 MB
 * against 93 MB.
 */
export function operatorNodeOptions(heapMb: number): string {
  return `--max-old-space-size=${heapMb} --max-semi-space-size=4 --optimize-for-size`;
}

/**
 * The operator's environment beside NODE_OPTIONS: glibc's malloc limited to two arenas, as Node's helper
 * threads otherwise each grow their own (measured at 1,000 workspaces: steady RSS 97 -> 88 MB, peak 113 -> 104 MB,
 * the burst no slower). And fixed mmap and trim thresholds of 128 KiB: glibc otherwise raises both after freeing
 * a large block, and then keeps what a burst freed instead of returning it. At 1,000 workspaces its main heap
 * stayed at 13 MB after a burst without them, 9 MB with them; three runs each, in turn: steady RSS 72-76 -> 69-71 MB,
 * peak 88-90 -> 86-87 MB, the burst no slower.
 */
export const OPERATOR_PROCESS_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' };
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * Cluster-wide, only the Workspaces (their objects may sit in any namespace; what they ask for is checked against
 * kubernetes.allowedNamespaces) and the Events the operator reports on them.
 */
export function operatorClusterRules(): k8s.PolicyRule[] {
  return [
    { apiGroups: [WORKSPACE_API_GROUP], resources: [WORKSPACE_RESOURCE], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
    { apiGroups: [WORKSPACE_API_GROUP], resources: [`${WORKSPACE_RESOURCE}/status`], verbs: ['get', 'update', 'patch'] },
    { apiGroups: [WORKSPACE_API_GROUP], resources: [`${WORKSPACE_RESOURCE}/finalizers`], verbs: ['update'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    // A workspace namespace must enforce Pod Security "restricted": it reads the label before applying anything.
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
  ];
}

/**
 * What it renders, granted by a RoleBinding in each workspace namespace only: the upstream chart's table, less what the
 * operator never touches (pods, ConfigMaps, StatefulSets). Both policy kinds whatever cilium.enabled says: the
 * namespace baseline is a NetworkPolicy, and switching cilium.enabled must let it delete the kind it no longer uses.
 */
export function workspaceNamespaceRules(): k8s.PolicyRule[] {
  return [
    { apiGroups: [''], resources: ['services', 'persistentvolumeclaims', 'secrets'], verbs: ALL_VERBS },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ALL_VERBS },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: ALL_VERBS },
    { apiGroups: ['cilium.io'], resources: ['ciliumnetworkpolicies'], verbs: ALL_VERBS },
    // Both routing kinds whatever gatewayAPI.enabled says, so switching it lets the operator delete the other.
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: ALL_VERBS },
  ];
}

/** The workspace operator: `workspaceOperator.*` of values, where it writes, and the platform Secrets it copies. */
export interface WorkspaceOperatorProps extends ConstructProps<Values['workspaceOperator']> {
  /** Digest of the ConfigMaps the pod reads, to roll it on change. */
  readonly configChecksum: string;
  /** kubernetes.allowedNamespaces: the only namespaces it may write what it renders in. */
  readonly allowedNamespaces: Val<string[]>;
  /** workspaceAuth's Secret (in the release namespace) and CoTURN's (in its own), which it copies into workspaces. */
  readonly copies: {
    readonly workspaceAuth: Vals<Pick<Values['workspaceAuth'], 'enabled' | 'existingSecret'>>;
    readonly coturn: Vals<Pick<Values['coturn'], 'enabled' | 'existingSecret' | 'namespace'>>;
  };
}

export class WorkspaceOperator extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: o, configChecksum, allowedNamespaces, copies }: WorkspaceOperatorProps) {
    super(scope, id);
    const { x } = ctx;
    const { workspaceAuth, coturn } = copies;
    const name = ctx.name('workspace-operator');
    // V8 grows its heap lazily far past what it needs: keep it inside the memory limit.
    const heapMb = x.computed(() => heapLimitMb(x.value(o.resources).limits?.memory), () => `include "aileron.heapLimitMb" ${x.helm(o.resources)}`, 'number');
    const account = { name: serviceAccount(this, ctx, 'workspace-operator', o.serviceAccount), namespace: ctx.namespace };

    new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name, labels: ctx.labels('workspace-operator') },
      rules: operatorClusterRules(),
    });
    serviceAccountBinding(this, 'cluster-role-binding', {
      kind: 'ClusterRoleBinding',
      metadata: { name, labels: ctx.labels('workspace-operator') },
      role: name,
      account,
    });
    const objectsRole = `${name}-workspace-objects`;
    new k8s.KubeClusterRole(this, 'workspace-objects-role', {
      metadata: { name: objectsRole, labels: ctx.labels('workspace-operator') },
      rules: workspaceNamespaceRules(),
    });
    x.forEach(this, allowedNamespaces, (namespace) => {
      serviceAccountBinding(this, `workspace-objects-${namespace}`, {
        kind: 'RoleBinding',
        roleKind: 'ClusterRole',
        metadata: { ...ctx.metadata('workspace-operator', objectsRole), namespace: x.value(namespace) },
        role: objectsRole,
        account,
      });
    });
    const names = configMapNames(ctx);
    // In its own namespace: its Lease, and reading the platform's settings and the workspace proxies' credentials, by name.
    new k8s.KubeRole(this, 'own-namespace-role', {
      metadata: ctx.metadata('workspace-operator', `${name}-own-namespace`),
      rules: x.list(
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: [names.platform] },
        x.when(x.truthy(workspaceAuth.enabled), {
          apiGroups: [''],
          resources: ['secrets'],
          verbs: ['get'],
          resourceNames: [secretNameOf(ctx, 'workspace-auth', workspaceAuth.existingSecret)],
        }),
      ),
    });
    serviceAccountBinding(this, 'own-namespace-binding', {
      kind: 'RoleBinding',
      metadata: ctx.metadata('workspace-operator', `${name}-own-namespace`),
      role: `${name}-own-namespace`,
      account,
    });
    // In CoTURN's namespace: reading the TURN credential it copies to workspace browsers, by name.
    const turnSecret = secretNameOf(ctx, 'coturn', coturn.existingSecret);
    x.scope(this, x.truthy(coturn.enabled), () => {
      const turn = turnContext(ctx, coturn.namespace);
      new k8s.KubeRole(this, 'turn-credentials-role', {
        metadata: turn.metadata('workspace-operator', `${name}-turn-credentials`),
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [turnSecret] }],
      });
      serviceAccountBinding(this, 'turn-credentials-binding', {
        kind: 'RoleBinding',
        metadata: turn.metadata('workspace-operator', `${name}-turn-credentials`),
        role: `${name}-turn-credentials`,
        account,
      });
    });

    platformDeployment(this, ctx, {
      component: 'workspace-operator',
      replicas: o.replicaCount,
      settings: o,
      checksums: { config: configChecksum },
      spec: podSpec(ctx, o, {
        component: 'workspace-operator',
        runAsUser: 65532,
        serviceAccountName: account.name,
        terminationGracePeriodSeconds: 30,
        containers: [
          container({
            name: 'workspace-operator',
            image: o.image,
            resources: o.resources,
            ports: [
              { name: 'metrics', containerPort: OPERATOR_METRICS_PORT },
              { name: 'health', containerPort: OPERATOR_HEALTH_PORT },
            ],
            envFrom: [{ configMapRef: { name: names.platform } }],
            env: [
              { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'PLATFORM_CONFIGMAP_NAME', value: names.platform },
              { name: 'LEADER_ELECTION', value: x.str(o.leaderElection) },
              { name: 'WORKERS', value: x.str(o.workers) },
              { name: 'KUBE_API_QPS', value: x.str(o.apiQps) },
              { name: 'KUBE_API_BURST', value: x.computed(() => String(x.value(o.apiQps) * 2), () => `mul ${x.helm(o.apiQps)} 2 | toString`, 'string') },
              { name: 'LEADER_ELECTION_LEASE_NAME', value: name },
              { name: 'LOG_LEVEL', value: x.value(o.logLevel) },
              { name: 'COTURN_SECRET_NAME', value: x.when(x.truthy(coturn.enabled), turnSecret, '') },
              { name: 'NODE_OPTIONS', value: operatorNodeOptions(heapMb) },
              ...Object.entries(OPERATOR_PROCESS_ENV).map(([name, value]) => ({ name, value })),
              ...plainEnv(o.env, x),
            ],
            readinessProbe: httpProbe('/readyz', 'health'),
            livenessProbe: httpProbe('/healthz', 'health', 20),
          }, x),
        ],
      }),
    });
    platformService(this, ctx, 'workspace-operator', [{ name: 'metrics', port: OPERATOR_METRICS_PORT }], {
      name: `${name}-metrics`,
    });
  }
}
