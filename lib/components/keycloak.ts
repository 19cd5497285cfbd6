/**
 * Keycloak with the platform realm imported from the keycloak-realm
 * ConfigMap. Admin and database credentials come from Secrets; health and
 * metrics are on the management port.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ConstructProps } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { checksum, goJson } from '../platform/checksum.js';
import { extraEnv } from '../platform/credentials.js';
import { container, emptyDir, httpProbe, podSpec, secretEnv } from '../platform/pod.js';
import { platformDeployment, platformService } from '../platform/workload.js';
import { secretNameOf, SECRET_KEYS } from './secrets.js';
import { POSTGRES_PORT } from './postgres.js';
import { callbackUrl, usesBundledRealm } from './workspace-auth.js';
import { WORKSPACE_ADMIN_ROLE } from '../workspace/auth-proxy.js';
import type { ValOr, Vals } from '../platform/template-value.js';

export const KEYCLOAK_HTTP_PORT = 8080;
export const KEYCLOAK_MANAGEMENT_PORT = 9000;

/** Where Keycloak reads the workspace client's secret at import (a placeholder in the realm JSON). */
export const WORKSPACE_CLIENT_SECRET_ENV = 'AILERON_WORKSPACE_CLIENT_SECRET';

/** Adds a client to the access token's audience, so that client's proxies accept the token. */
function audienceMapper(clientId: ValOr<string>) {
  return {
    name: `audience-${clientId}`,
    protocol: 'openid-connect',
    protocolMapper: 'oidc-audience-mapper',
    config: { 'included.client.audience': clientId, 'access.token.claim': 'true', 'id.token.claim': 'false' },
  };
}

/** Keycloak: `keycloak.*` of values, and what the realm and the database connection read besides. */
export interface KeycloakProps extends ConstructProps<Values['keycloak']> {
  /** publicRouting: Keycloak's own public URL, and the frontend's, which the platform client redirects to. */
  readonly routing: Vals<Values['publicRouting']>;
  /** postgres.enabled and postgres.auth: with the bundled database, Keycloak connects as its own role. */
  readonly database: Vals<Pick<Values['postgres'], 'enabled' | 'auth'>>;
  /** workspaceAuth: with the bundled realm, it carries the workspace proxies' client. */
  readonly workspaceAuth: Vals<Values['workspaceAuth']>;
}

function realmJson({ release: ctx, values: kc, routing, workspaceAuth: a }: KeycloakProps): string {
  const { x } = ctx;
  const frontend = `${routing.scheme}://${ctx.host(routing.frontendHost)}`;
  const auth = usesBundledRealm(ctx, a);
  const realm = {
    realm: x.value(kc.realm),
    enabled: true,
    sslRequired: x.choose(x.equals(routing.scheme, 'https'), 'external', 'none'),
    registrationAllowed: false,
    clients: x.list<Record<string, unknown>>(
      {
        clientId: x.value(kc.clientId),
        enabled: true,
        publicClient: true,
        standardFlowEnabled: true,
        directAccessGrantsEnabled: false,
        redirectUris: [`${frontend}/*`],
        webOrigins: [frontend],
        attributes: { 'pkce.code.challenge.method': 'S256', 'post.logout.redirect.uris': `${frontend}/*` },
        // The platform's tokens also open the user's own workspaces (as bearer tokens to their proxies).
        protocolMappers: x.list(x.when(auth, audienceMapper(a.clientId))),
      },
      x.when(auth, {
        clientId: x.value(a.clientId),
        enabled: true,
        publicClient: false,
        clientAuthenticatorType: 'client-secret',
        // Resolved by Keycloak from the pod's environment at import: the secret stays out of the ConfigMap.
        secret: `\${${WORKSPACE_CLIENT_SECRET_ENV}}`,
        standardFlowEnabled: true,
        directAccessGrantsEnabled: false,
        redirectUris: [callbackUrl(ctx, routing, a)],
        attributes: { 'pkce.code.challenge.method': 'S256', 'access.token.lifespan': x.str(a.sessionLifetimeSeconds) },
        protocolMappers: [audienceMapper(a.clientId)],
      }),
    ),
    roles: { realm: [{ name: WORKSPACE_ADMIN_ROLE, description: 'Opens every workspace (workspaceAuth.adminGroup)' }] },
    groups: x.list(x.when(x.and(auth, x.truthy(a.adminGroup)), { name: x.value(a.adminGroup), path: `/${a.adminGroup}`, realmRoles: [WORKSPACE_ADMIN_ROLE] })),
  };
  return x.toJson(realm, (r) => goJson(r, '  '), true);
}

export class Keycloak extends Construct {
  constructor(scope: Construct, id: string, props: KeycloakProps) {
    super(scope, id);
    const { release: ctx, values: kc, routing, database: db, workspaceAuth } = props;
    const { x } = ctx;
    const realmName = ctx.name('keycloak-realm');
    const data = x.named('keycloak-realm', { 'realm.json': realmJson(props) });
    new k8s.KubeConfigMap(this, 'realm', { metadata: ctx.metadata('keycloak', realmName), data });

    const secret = secretNameOf(ctx, 'keycloak', kc.auth.existingSecret);
    const env: k8s.EnvVar[] = [
      secretEnv('KC_BOOTSTRAP_ADMIN_USERNAME', secret, SECRET_KEYS.keycloak.adminUser),
      secretEnv('KC_BOOTSTRAP_ADMIN_PASSWORD', secret, SECRET_KEYS.keycloak.adminPassword),
      { name: 'KC_HTTP_ENABLED', value: 'true' },
      { name: 'KC_HTTP_PORT', value: String(KEYCLOAK_HTTP_PORT) },
      { name: 'KC_HEALTH_ENABLED', value: 'true' },
      { name: 'KC_METRICS_ENABLED', value: 'true' },
      { name: 'KC_PROXY_HEADERS', value: 'xforwarded' },
      { name: 'KC_HOSTNAME', value: `${routing.scheme}://${ctx.host(routing.keycloakHost)}` },
      ...x.itemsWhen(x.truthy(db.enabled), [
        { name: 'KC_DB', value: 'postgres' },
        {
          name: 'KC_DB_URL',
          value: `jdbc:postgresql://${ctx.serviceHost('postgres')}:${POSTGRES_PORT}/${db.auth.keycloakDatabase}`,
        },
        { name: 'KC_DB_USERNAME', value: x.value(db.auth.keycloakUsername) },
        secretEnv('KC_DB_PASSWORD', secretNameOf(ctx, 'postgres', db.auth.existingSecret), SECRET_KEYS.postgres.keycloakPassword),
      ]),
      // An external database: the user names its kind in env, PostgreSQL by default.
      ...x.itemsWhen(x.and(x.not(x.truthy(db.enabled)), x.not(x.hasKey(kc.env, 'KC_DB'))), [{ name: 'KC_DB', value: 'postgres' }]),
      ...x.itemsWhen(usesBundledRealm(ctx, workspaceAuth), [
        secretEnv(WORKSPACE_CLIENT_SECRET_ENV, secretNameOf(ctx, 'workspace-auth', workspaceAuth.existingSecret), SECRET_KEYS.workspaceAuth.clientSecret),
      ]),
      ...extraEnv(kc.env, secret, x),
    ];

    platformDeployment(this, ctx, {
      component: 'keycloak',
      replicas: kc.replicaCount,
      settings: kc,
      checksums: { realm: x.checksum(data, checksum) },
      spec: podSpec(ctx, kc, {
        component: 'keycloak',
        runAsUser: 1000,
        fsGroup: 1000,
        containers: [
          container({
            name: 'keycloak',
            image: kc.image,
            resources: kc.resources,
            args: ['start', '--import-realm'],
            ports: [
              { name: 'http', containerPort: KEYCLOAK_HTTP_PORT },
              { name: 'management', containerPort: KEYCLOAK_MANAGEMENT_PORT },
            ],
            env,
            volumeMounts: [
              { name: 'data', mountPath: '/opt/keycloak/data' },
              { name: 'realm', mountPath: '/opt/keycloak/data/import', readOnly: true },
              { name: 'tmp', mountPath: '/tmp' },
            ],
            readinessProbe: httpProbe('/health/ready', 'management'),
            livenessProbe: httpProbe('/health/live', 'management', 20),
            startupProbe: httpProbe('/health/started', 'management', 5, 60),
            // Keycloak's start step rewrites files under /opt/keycloak; the rest of restricted still holds.
            readOnlyRootFilesystem: false,
          }, x),
        ],
        volumes: [emptyDir('data', '512Mi'), { name: 'realm', configMap: { name: realmName } }, emptyDir('tmp', '256Mi')],
      }),
    });
    platformService(this, ctx, 'keycloak', [
      { name: 'http', port: kc.service.port },
      { name: 'management', port: KEYCLOAK_MANAGEMENT_PORT },
    ], { type: kc.service.type, annotations: kc.service.annotations });
  }
}
