/**
 * The platform side of owner-only workspace access: the settings every
 * workspace proxy takes (WORKSPACE_PLATFORM's `auth`), and the sign-in
 * callback, an oauth2-proxy on workspaceAuth.callbackHost that completes
 * Keycloak's sign-in and sets the session cookie on the base domain. It lets
 * any signed-in user through to nothing (its upstream answers 404): each
 * workspace's own proxy decides who gets in.
 */
import { Construct } from 'constructs';
import type { PlatformContext } from '../platform/context.js';
import type { Cond } from '../platform/expr.js';
import { container, httpProbe, imageRef, podSpec } from '../platform/pod.js';
import { platformDeployment, platformService } from '../platform/workload.js';
import { AUTH_PROXY_PORT, AUTH_SECRET_MOUNT, callbackProxyArgs, WORKSPACE_ADMIN_ROLE, type WorkspaceAuth } from '../workspace/auth-proxy.js';
import { credentialsSecretName } from './secrets.js';

/** oauth2-proxy's image runs as the distroless nonroot user. */
const OAUTH2_PROXY_UID = 65532;

/** The proxies sign in at the bundled Keycloak (no issuerUrl of an external IdP). */
const bundledIdp = (ctx: PlatformContext): Cond => ctx.x.not(ctx.x.truthy(ctx.values.workspaceAuth.issuerUrl));

/** Workspace auth is on and uses the bundled realm: the realm then carries the proxies' client. */
export const usesBundledRealm = (ctx: PlatformContext): Cond => ctx.x.and(ctx.x.truthy(ctx.values.workspaceAuth.enabled), bundledIdp(ctx));

/** The one redirect URI the IdP knows for every workspace. */
export function callbackUrl(ctx: PlatformContext): string {
  const r = ctx.values.publicRouting;
  return `${r.scheme}://${ctx.host(ctx.values.workspaceAuth.callbackHost)}/oauth2/callback`;
}

export function workspaceAuthOf(ctx: PlatformContext): WorkspaceAuth {
  const { x, values: v } = ctx;
  const a = v.workspaceAuth;
  const r = v.publicRouting;
  const bundled = bundledIdp(ctx);
  const realm = `/realms/${v.keycloak.realm}`;
  const oidc = '/protocol/openid-connect';
  const publicRealm = `${r.scheme}://${ctx.host(r.keycloakHost)}${realm}`;
  const internalRealm = `http://${ctx.serviceHost('keycloak')}:${v.keycloak.service.port}${realm}`;
  return {
    enabled: a.enabled,
    image: imageRef(a.image, x),
    provider: x.choose(bundled, 'keycloak-oidc', 'oidc'),
    issuerUrl: x.firstSet(a.issuerUrl, publicRealm),
    endpoints: {
      login: x.choose(bundled, `${publicRealm}${oidc}/auth`, ''),
      redeem: x.choose(bundled, `${internalRealm}${oidc}/token`, ''),
      jwks: x.choose(bundled, `${internalRealm}${oidc}/certs`, ''),
    },
    clientId: a.clientId,
    callbackUrl: callbackUrl(ctx),
    cookieDomain: `.${r.baseDomain}`,
    cookieSecure: x.choose(x.equals(r.scheme, 'https'), true, false),
    ownerClaim: a.ownerClaim,
    adminRole: x.choose(x.and(bundled, x.not(x.equals(a.adminGroup, ''))), WORKSPACE_ADMIN_ROLE, ''),
    sessionLifetimeSeconds: a.sessionLifetimeSeconds,
    secretName: credentialsSecretName(ctx, 'workspace-auth'),
    resources: a.proxy.resources,
  };
}

export class WorkspaceAuthCallback extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const { x, values: v } = ctx;
    const a = v.workspaceAuth;
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
            args: callbackProxyArgs(workspaceAuthOf(ctx), x),
            ports: [{ name: 'http', containerPort: AUTH_PROXY_PORT }],
            volumeMounts: [{ name: 'credentials', mountPath: AUTH_SECRET_MOUNT, readOnly: true }],
            readinessProbe: httpProbe('/ready', 'http'),
            livenessProbe: httpProbe('/ping', 'http', 20),
          }, x),
        ],
        volumes: [{ name: 'credentials', secret: { secretName: credentialsSecretName(ctx, 'workspace-auth') } }],
      }),
    });
    platformService(this, ctx, 'workspace-auth', [{ name: 'http', port: AUTH_PROXY_PORT }]);
  }
}
