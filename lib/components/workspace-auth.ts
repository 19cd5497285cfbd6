/**
 * The platform side of owner-only workspace access: the settings every
 * workspace proxy takes (WORKSPACE_PLATFORM's `auth`), and the sign-in
 * callback, an oauth2-proxy on workspaceAuth.callbackHost that completes
 * Keycloak's sign-in and sets the session cookie on the base domain. It lets
 * any signed-in user through to nothing (its upstream answers 404): each
 * workspace's own proxy decides who gets in.
 */
import { Construct } from 'constructs';
import type { ConstructProps, Release } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import type { Cond } from '../platform/expr.js';
import type { Vals } from '../platform/template-value.js';
import { container, httpProbe, imageRef, podSpec } from '../platform/pod.js';
import { platformDeployment, platformService } from '../platform/workload.js';
import { AUTH_PROXY_PORT, AUTH_SECRET_MOUNT, callbackProxyArgs, WORKSPACE_ADMIN_ROLE, type WorkspaceAuth } from '../workspace/auth-proxy.js';
import { secretNameOf } from './secrets.js';

/** oauth2-proxy's image runs as the distroless nonroot user. */
const OAUTH2_PROXY_UID = 65532;

type AuthValues = Vals<Values['workspaceAuth']>;

/** What the sign-in settings read besides workspaceAuth: the public scheme and hosts, and where Keycloak serves the realm. */
export interface SignInSources {
  readonly routing: Vals<Values['publicRouting']>;
  readonly keycloak: Vals<Pick<Values['keycloak'], 'realm' | 'service'>>;
}

/** The proxies sign in at the bundled Keycloak (no issuerUrl of an external IdP). */
const bundledIdp = (release: Release, a: Pick<AuthValues, 'issuerUrl'>): Cond => release.x.not(release.x.truthy(a.issuerUrl));

/** Workspace auth is on and uses the bundled realm: the realm then carries the proxies' client. */
export const usesBundledRealm = (release: Release, a: Pick<AuthValues, 'enabled' | 'issuerUrl'>): Cond => release.x.and(release.x.truthy(a.enabled), bundledIdp(release, a));

/** The one redirect URI the IdP knows for every workspace. */
export function callbackUrl(release: Release, routing: Pick<Vals<Values['publicRouting']>, 'scheme'>, a: Pick<AuthValues, 'callbackHost'>): string {
  return `${routing.scheme}://${release.host(a.callbackHost)}/oauth2/callback`;
}

/** The settings every workspace proxy takes (WORKSPACE_PLATFORM's `auth`). */
export function workspaceAuthOf(release: Release, a: AuthValues, { routing: r, keycloak }: SignInSources): WorkspaceAuth {
  const { x } = release;
  const bundled = bundledIdp(release, a);
  const realm = `/realms/${keycloak.realm}`;
  const oidc = '/protocol/openid-connect';
  const publicRealm = `${r.scheme}://${release.host(r.keycloakHost)}${realm}`;
  const internalRealm = `http://${release.serviceHost('keycloak')}:${keycloak.service.port}${realm}`;
  return {
    enabled: x.value(a.enabled),
    image: imageRef(a.image, x),
    provider: x.choose(bundled, 'keycloak-oidc', 'oidc'),
    issuerUrl: x.orDefault(a.issuerUrl, publicRealm),
    endpoints: {
      login: x.choose(bundled, `${publicRealm}${oidc}/auth`, ''),
      redeem: x.choose(bundled, `${internalRealm}${oidc}/token`, ''),
      jwks: x.choose(bundled, `${internalRealm}${oidc}/certs`, ''),
    },
    clientId: x.value(a.clientId),
    callbackUrl: callbackUrl(release, r, a),
    cookieDomain: `.${r.baseDomain}`,
    cookieSecure: x.choose(x.equals(r.scheme, 'https'), true, false),
    ownerClaim: x.value(a.ownerClaim),
    adminRole: x.choose(x.and(bundled, x.not(x.equals(a.adminGroup, ''))), WORKSPACE_ADMIN_ROLE, ''),
    sessionLifetimeSeconds: x.value(a.sessionLifetimeSeconds),
    secretName: secretNameOf(release, 'workspace-auth', a.existingSecret),
    resources: x.value(a.proxy.resources),
  };
}

/** The sign-in callback: `workspaceAuth.*` of values, and where users sign in. */
export type WorkspaceAuthCallbackProps = ConstructProps<Values['workspaceAuth']> & SignInSources;

export class WorkspaceAuthCallback extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: a, ...sources }: WorkspaceAuthCallbackProps) {
    super(scope, id);
    const { x } = ctx;
    platformDeployment(this, ctx, {
      component: 'workspace-auth',
      replicas: a.replicaCount,
      settings: a,
      spec: podSpec(ctx, a, {
        component: 'workspace-auth',
        runAsUser: OAUTH2_PROXY_UID,
        containers: [
          container({
            name: 'oauth2-proxy',
            image: a.image,
            resources: a.resources,
            args: callbackProxyArgs(workspaceAuthOf(ctx, a, sources), x),
            ports: [{ name: 'http', containerPort: AUTH_PROXY_PORT }],
            volumeMounts: [{ name: 'credentials', mountPath: AUTH_SECRET_MOUNT, readOnly: true }],
            readinessProbe: httpProbe('/ready', 'http'),
            livenessProbe: httpProbe('/ping', 'http', 20),
          }, x),
        ],
        volumes: [{ name: 'credentials', secret: { secretName: secretNameOf(ctx, 'workspace-auth', a.existingSecret) } }],
      }),
    });
    platformService(this, ctx, 'workspace-auth', [{ name: 'http', port: AUTH_PROXY_PORT }]);
  }
}
