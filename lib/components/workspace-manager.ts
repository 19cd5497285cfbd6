/**
 * Workspace manager (the API): Deployment, Service, ServiceAccount and, in each
 * allowed namespace, a Role limited to Workspaces (seed 000's RBAC table).
 * Connection URLs that carry passwords are composed in the pod from
 * secretKeyRef variables, so no credential appears in the pod spec.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformContext } from '../platform/context.js';
import { extraEnv } from '../platform/credentials.js';
import { container, emptyDir, httpProbe, podSpec, secretEnv, tcpProbe } from '../platform/pod.js';
import { platformDeployment, platformService, serviceAccount, serviceAccountBinding } from '../platform/workload.js';
import { configMapNames } from './platform-config.js';
import { credentialsSecretName, SECRET_KEYS } from './secrets.js';
import { POSTGRES_PORT } from './postgres.js';
import { REDIS_PORT } from './redis.js';
import { WORKSPACE_API_GROUP, WORKSPACE_RESOURCE } from '../crd/workspace-crd.js';

export const WORKSPACE_MANAGER_PORT = 3001;
export const KNOWLEDGE_BASES_MOUNT = '/host/knowledge-bases';
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

export interface WorkspaceManagerProps {
  ctx: PlatformContext;
  /** Digest of the ConfigMaps the pod reads, to roll it on change. */
  configChecksum: string;
}

export function managerEnv(ctx: PlatformContext): k8s.EnvVar[] {
  const v = ctx.values;
  const managerSecret = credentialsSecretName(ctx, 'workspace-manager');
  const fromSecret = (key: string, optional?: boolean) => secretEnv(key, managerSecret, key, optional);
  const env: k8s.EnvVar[] = [fromSecret(SECRET_KEYS.workspaceManager.secretKey)];
  const given = (key: string) => key in v.workspaceManager.env;

  if (v.postgres.enabled && !given('DATABASE_URL')) {
    const host = ctx.serviceHost('postgres');
    env.push(
      secretEnv('DATABASE_PASSWORD', credentialsSecretName(ctx, 'postgres'), SECRET_KEYS.postgres.password),
      {
        name: 'DATABASE_URL',
        value: `postgresql://${v.postgres.auth.username}:$(DATABASE_PASSWORD)@${host}:${POSTGRES_PORT}/${v.postgres.auth.appDatabase}`,
      },
    );
  }
  if (v.redis.enabled && !given('REDIS_URL')) {
    const base = `redis://:$(REDIS_PASSWORD)@${ctx.serviceHost('redis')}:${REDIS_PORT}`;
    env.push(
      secretEnv('REDIS_PASSWORD', credentialsSecretName(ctx, 'redis'), SECRET_KEYS.redis.password),
      { name: 'REDIS_URL', value: `${base}/0` },
    );
    if (!given('CELERY_BROKER_URL')) env.push({ name: 'CELERY_BROKER_URL', value: `${base}/0` });
    if (!given('CELERY_RESULT_BACKEND')) env.push({ name: 'CELERY_RESULT_BACKEND', value: `${base}/1` });
  }
  if (v.keycloak.enabled) {
    if (!given('KEYCLOAK_SERVER_URL')) {
      env.push({ name: 'KEYCLOAK_SERVER_URL', value: `http://${ctx.serviceHost('keycloak')}:${v.keycloak.service.port}` });
    }
    if (!given('KEYCLOAK_REALM')) env.push({ name: 'KEYCLOAK_REALM', value: v.keycloak.realm });
    if (!given('KEYCLOAK_CLIENT_ID')) env.push({ name: 'KEYCLOAK_CLIENT_ID', value: v.keycloak.clientId });
  }
  if (v.workspaceManager.existingSecret) {
    // External-service URLs may live in the user's Secret instead of values.
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'CELERY_BROKER_URL', 'CELERY_RESULT_BACKEND']) {
      const bundled = key.startsWith('DATABASE') ? v.postgres.enabled : v.redis.enabled;
      if (!bundled && !given(key)) env.push(fromSecret(key, true));
    }
  }
  env.push(...extraEnv(v.workspaceManager.env, managerSecret, [SECRET_KEYS.workspaceManager.secretKey]));
  env.push({ name: 'KNOWLEDGE_BASES_PATH', value: KNOWLEDGE_BASES_MOUNT });
  return env;
}

export class WorkspaceManager extends Construct {
  constructor(scope: Construct, id: string, { ctx, configChecksum }: WorkspaceManagerProps) {
    super(scope, id);
    const v = ctx.values;
    const m = v.workspaceManager;
    const name = ctx.name('workspace-manager');
    const account = serviceAccount(this, ctx, 'workspace-manager', m.serviceAccount);

    // Kubernetes workspaces off: the manager provisions elsewhere and needs no Workspace access.
    for (const namespace of v.kubernetes.enabled ? v.kubernetes.allowedNamespaces : []) {
      const meta = { ...ctx.metadata('workspace-manager'), namespace };
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
    }

    const kb = v.kubernetes.knowledgeBases;
    platformDeployment(this, ctx, {
      component: 'workspace-manager',
      replicas: m.replicaCount,
      settings: m,
      checksums: { config: configChecksum },
      spec: podSpec(ctx, m, {
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
            env: managerEnv(ctx),
            volumeMounts: [
              { name: 'knowledge-bases', mountPath: KNOWLEDGE_BASES_MOUNT },
              { name: 'tmp', mountPath: '/tmp' },
            ],
            readinessProbe: httpProbe('/health', 'http'),
            livenessProbe: tcpProbe(WORKSPACE_MANAGER_PORT, 20),
            startupProbe: httpProbe('/health', 'http', 5, 60),
          }),
        ],
        volumes: [
          { name: 'knowledge-bases', persistentVolumeClaim: { claimName: kb.pvcName } },
          emptyDir('tmp', '1Gi'),
        ],
      }),
    });
    platformService(this, ctx, 'workspace-manager', [{ name: 'http', port: m.service.port }], { type: m.service.type, annotations: m.service.annotations });
  }
}
