/**
 * Workspace manager (the API): Deployment, Service, ServiceAccount and, in each
 * allowed namespace, a Role limited to Workspaces (the upstream chart's RBAC table).
 * Connection URLs that carry passwords are composed in the pod from
 * secretKeyRef variables, so no credential appears in the pod spec.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ConstructProps, Release } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { CONNECTION_KEYS, extraEnv } from '../platform/credentials.js';
import { container, emptyDir, httpProbe, podSpec, secretEnv, tcpProbe } from '../platform/pod.js';
import { platformDeployment, platformService, serviceAccount, serviceAccountBinding } from '../platform/workload.js';
import { configMapNames } from './platform-config.js';
import { secretNameOf, SECRET_KEYS } from './secrets.js';
import { POSTGRES_PORT } from './postgres.js';
import { REDIS_PORT } from './redis.js';
import { WORKSPACE_API_GROUP, WORKSPACE_RESOURCE } from '../crd/workspace-crd.js';
import type { Vals } from '../platform/template-value.js';

export const WORKSPACE_MANAGER_PORT = 3001;
export const KNOWLEDGE_BASES_MOUNT = '/host/knowledge-bases';
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** The bundled services the manager connects to when they are on: their Secrets, its database role, Keycloak's realm. */
export interface ManagerServices {
  readonly postgres: Vals<Pick<Values['postgres'], 'enabled' | 'auth'>>;
  readonly redis: Vals<Pick<Values['redis'], 'enabled' | 'auth'>>;
  readonly keycloak: Vals<Pick<Values['keycloak'], 'enabled' | 'service' | 'realm' | 'clientId'>>;
}

/** The workspace manager: `workspaceManager.*` of values, where it manages Workspaces, and the services it uses. */
export interface WorkspaceManagerProps extends ConstructProps<Values['workspaceManager']> {
  /** Digest of the ConfigMaps the pod reads, to roll it on change. */
  readonly configChecksum: string;
  /** kubernetes.enabled, allowedNamespaces and knowledgeBases: where it may manage Workspaces, and the volume it mounts. */
  readonly workspaces: Vals<Pick<Values['kubernetes'], 'enabled' | 'allowedNamespaces' | 'knowledgeBases'>>;
  readonly services: ManagerServices;
}

function managerEnv(ctx: Release, m: Vals<Values['workspaceManager']>, { postgres: pg, redis: rd, keycloak: kc }: ManagerServices): k8s.EnvVar[] {
  const { x } = ctx;
  const managerSecret = secretNameOf(ctx, 'workspace-manager', m.existingSecret);
  const fromSecret = (key: string, optional?: boolean) => secretEnv(key, managerSecret, key, optional);
  const unset = (key: string) => x.not(x.hasKey(m.env, key));
  const postgres = x.truthy(pg.enabled);
  const redis = x.truthy(rd.enabled);
  const keycloak = x.truthy(kc.enabled);
  const redisBase = `redis://:$(REDIS_PASSWORD)@${ctx.serviceHost('redis')}:${REDIS_PORT}`;
  const usesRedis = x.and(redis, unset('REDIS_URL'));

  return [
    fromSecret(SECRET_KEYS.workspaceManager.secretKey),
    ...x.itemsWhen(x.and(postgres, unset('DATABASE_URL')), [
      secretEnv('DATABASE_PASSWORD', secretNameOf(ctx, 'postgres', pg.auth.existingSecret), SECRET_KEYS.postgres.appPassword),
      {
        name: 'DATABASE_URL',
        value: `postgresql://${pg.auth.appUsername}:$(DATABASE_PASSWORD)@${ctx.serviceHost('postgres')}:${POSTGRES_PORT}/${pg.auth.appDatabase}`,
      },
    ]),
    ...x.itemsWhen(usesRedis, [
      secretEnv('REDIS_PASSWORD', secretNameOf(ctx, 'redis', rd.auth.existingSecret), SECRET_KEYS.redis.password),
      { name: 'REDIS_URL', value: `${redisBase}/0` },
    ]),
    x.when(x.and(usesRedis, unset('CELERY_BROKER_URL')), { name: 'CELERY_BROKER_URL', value: `${redisBase}/0` }),
    x.when(x.and(usesRedis, unset('CELERY_RESULT_BACKEND')), { name: 'CELERY_RESULT_BACKEND', value: `${redisBase}/1` }),
    x.when(x.and(keycloak, unset('KEYCLOAK_SERVER_URL')), {
      name: 'KEYCLOAK_SERVER_URL',
      value: `http://${ctx.serviceHost('keycloak')}:${kc.service.port}`,
    }),
    x.when(x.and(keycloak, unset('KEYCLOAK_REALM')), { name: 'KEYCLOAK_REALM', value: kc.realm }),
    x.when(x.and(keycloak, unset('KEYCLOAK_CLIENT_ID')), { name: 'KEYCLOAK_CLIENT_ID', value: kc.clientId }),
    // External-service URLs may live in the user's Secret instead of values.
    ...CONNECTION_KEYS.map((key) => {
      const bundled = key.startsWith('DATABASE') ? postgres : redis;
      return x.when(x.and(x.truthy(m.existingSecret), x.not(bundled), unset(key)), fromSecret(key, true));
    }),
    ...extraEnv(m.env, managerSecret, x, SECRET_KEYS.workspaceManager.secretKey),
    { name: 'KNOWLEDGE_BASES_PATH', value: KNOWLEDGE_BASES_MOUNT },
  ].filter((e): e is k8s.EnvVar => e !== undefined);
}

export class WorkspaceManager extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: m, configChecksum, workspaces, services }: WorkspaceManagerProps) {
    super(scope, id);
    const { x } = ctx;
    const name = ctx.name('workspace-manager');
    const account = serviceAccount(this, ctx, 'workspace-manager', m.serviceAccount);

    // Kubernetes workspaces off: the manager provisions elsewhere and needs no Workspace access.
    x.scope(this, x.truthy(workspaces.enabled), () =>
      x.forEach(this, workspaces.allowedNamespaces, (namespace) => {
        const meta = { ...ctx.metadata('workspace-manager'), namespace: x.value(namespace) };
        new k8s.KubeRole(this, `role-${namespace}`, {
          metadata: meta,
          rules: [{ apiGroups: [WORKSPACE_API_GROUP], resources: [WORKSPACE_RESOURCE], verbs: ALL_VERBS }],
        });
        serviceAccountBinding(this, `rolebinding-${namespace}`, {
          kind: 'RoleBinding',
          metadata: meta,
          role: name,
          account: { name: account, namespace: ctx.namespace },
        });
      }),
    );

    const kb = workspaces.knowledgeBases;
    platformDeployment(this, ctx, {
      component: 'workspace-manager',
      replicas: m.replicaCount,
      autoscaling: m.autoscaling,
      settings: m,
      checksums: { config: configChecksum },
      spec: podSpec(ctx, m, {
        component: 'workspace-manager',
        runAsUser: 1000,
        fsGroup: 1000,
        serviceAccountName: account,
        containers: [
          container({
            name: 'workspace-manager',
            image: m.image,
            resources: m.resources,
            ports: [{ name: 'http', containerPort: WORKSPACE_MANAGER_PORT }],
            envFrom: [{ configMapRef: { name: configMapNames(ctx).platform } }],
            env: managerEnv(ctx, m, services),
            volumeMounts: [
              { name: 'knowledge-bases', mountPath: KNOWLEDGE_BASES_MOUNT },
              { name: 'tmp', mountPath: '/tmp' },
            ],
            readinessProbe: httpProbe('/health', 'http'),
            livenessProbe: tcpProbe(WORKSPACE_MANAGER_PORT, 20),
            startupProbe: httpProbe('/health', 'http', 5, 60),
          }, x),
        ],
        volumes: [
          { name: 'knowledge-bases', persistentVolumeClaim: { claimName: x.value(kb.pvcName) } },
          emptyDir('tmp', '1Gi'),
        ],
      }),
    });
    platformService(this, ctx, 'workspace-manager', [{ name: 'http', port: m.service.port }], { type: m.service.type, annotations: m.service.annotations });
  }
}
