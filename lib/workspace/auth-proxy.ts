/**
 * Owner-only access to workspace endpoints: an oauth2-proxy in every
 * workspace pod, in front of the component's ports, which then stay
 * reachable only from inside the workspace. It holds whatever routes to the
 * pod (any Ingress controller, Gateway API, NodePort), because it sits in the
 * pod itself. Sign-in goes through one callback host (Keycloak refuses
 * wildcard hosts in redirect URIs): a platform oauth2-proxy there sets the
 * session cookie on the base domain, and each workspace's proxy lets a
 * session in only when its owner claim is the Workspace's ownerId, or it
 * holds the admin role.
 *
 * oauth2-proxy has no filter on a user id; it has one on groups, read from
 * a claim we name (`--oidc-groups-claim`): naming the owner claim there makes
 * the user's id their one "group", and `--allowed-group=<ownerId>` the check.
 * The keycloak-oidc provider adds the user's realm roles as `role:<name>`
 * groups, so `--allowed-role` lets admins in beside the owner.
 */
import type { Resources } from '../values/schema.js';
import { Expressions } from '../platform/expr.js';
import type { PortSpec } from './component-ports.js';

export const AUTH_PROXY_PORT = 4180;
export const AUTH_PROXY_PORT_NAME = 'auth';
/**
 * The proxy's Prometheus endpoint: its request counts by status code and the requests in flight (an open WebSocket
 * is one), which the operator reads as the owner's activity. Only the operator may connect to it (firewall-rules.ts).
 */
export const AUTH_METRICS_PORT = 4181;
export const AUTH_METRICS_PORT_NAME = 'auth-metrics';
/** Realm role that opens every workspace; the admin group carries it. */
export const WORKSPACE_ADMIN_ROLE = 'aileron-workspace-admin';
export const AUTH_COOKIE_NAME = '_aileron_auth';
export const AUTH_SECRET_MOUNT = '/etc/aileron-auth';
/** Paths answered 401 rather than redirected to sign-in: WebSockets and APIs cannot follow a login page. */
export const AUTH_API_ROUTE = '^/(ws|api)(/|$)';

/** The platform's side of workspace authentication (values workspaceAuth, resolved), as the operator reads it. */
export interface WorkspaceAuth {
  enabled: boolean;
  image: string;
  /** keycloak-oidc for the bundled Keycloak (it reads realm roles), oidc for an external IdP. */
  provider: string;
  /** The issuer tokens carry (the public Keycloak realm URL, or the external IdP). */
  issuerUrl: string;
  /**
   * The bundled Keycloak's endpoints: sign-in on its public host (the browser goes there), token and keys
   * from its Service (the public host may not resolve inside the cluster). All "" for an external IdP,
   * which is discovered from issuerUrl.
   */
  endpoints: { login: string; redeem: string; jwks: string };
  clientId: string;
  /** The one redirect URI Keycloak knows: the callback host's /oauth2/callback. */
  callbackUrl: string;
  /** `.<baseDomain>`: one sign-in serves every workspace host. */
  cookieDomain: string;
  cookieSecure: boolean;
  ownerClaim: string;
  /** "" when there is no admin group, or the IdP is not the bundled Keycloak. */
  adminRole: string;
  sessionLifetimeSeconds: number;
  /** The platform Secret (release namespace) with client-secret and cookie-secret; the operator copies it. */
  secretName: string;
  resources: Resources;
}

/** The flags both proxies share: same client, same cookie, same claims, so a session made on one is read by the other. */
export function oauth2ProxyArgs(a: WorkspaceAuth, x: Expressions = new Expressions()): string[] {
  return [
    `--http-address=0.0.0.0:${AUTH_PROXY_PORT}`,
    `--provider=${a.provider}`,
    `--client-id=${a.clientId}`,
    `--client-secret-file=${AUTH_SECRET_MOUNT}/client-secret`,
    `--cookie-secret-file=${AUTH_SECRET_MOUNT}/cookie-secret`,
    `--oidc-issuer-url=${a.issuerUrl}`,
    ...x.itemsWhen(x.truthy(a.endpoints.jwks), [
      '--skip-oidc-discovery=true',
      `--login-url=${a.endpoints.login}`,
      `--redeem-url=${a.endpoints.redeem}`,
      `--oidc-jwks-url=${a.endpoints.jwks}`,
    ]),
    `--redirect-url=${a.callbackUrl}`,
    `--cookie-name=${AUTH_COOKIE_NAME}`,
    `--cookie-domain=${a.cookieDomain}`,
    `--whitelist-domain=${a.cookieDomain}`,
    `--cookie-secure=${x.str(a.cookieSecure)}`,
    '--cookie-httponly=true',
    '--cookie-samesite=lax',
    `--cookie-expire=${x.str(a.sessionLifetimeSeconds)}s`,
    // The session keeps who the user is, not their tokens: it stays one small cookie, and no session store is needed.
    '--session-cookie-minimal=true',
    '--cookie-refresh=0',
    `--oidc-groups-claim=${a.ownerClaim}`,
    // Access is decided by the owner claim and the admin role; the e-mail is not used.
    '--email-domain=*',
    '--insecure-oidc-allow-unverified-email=true',
    '--scope=openid email profile',
    // The bundled realm's clients require PKCE.
    '--code-challenge-method=S256',
    '--reverse-proxy=true',
    '--silence-ping-logging=true',
  ];
}

/** The callback proxy's own flags: it starts sign-ins itself, and has nothing behind it. */
export function callbackProxyArgs(a: WorkspaceAuth, x: Expressions): string[] {
  return [...oauth2ProxyArgs(a, x), '--skip-provider-button=true', '--upstream=static://404'];
}

/** The page the workspace proxy serves to a browser without a session (file of the proxy's Secret, see below). */
export const SIGN_IN_TEMPLATE = 'sign_in.html';

/**
 * oauth2-proxy remembers where to return after sign-in as a path, not a URL, unless the request came through a
 * proxy that changed its Host; and the sign-in completes on the callback host. So a workspace proxy does not start
 * the sign-in itself: its sign-in page sends the browser to the callback host's /oauth2/start with the full URL of
 * the page it asked for (checked there against the base domain). A request that cannot follow a page (a WebSocket,
 * an API call) gets 401 instead.
 */
export function signInPage(a: WorkspaceAuth): string {
  const start = a.callbackUrl.replace(/\/oauth2\/callback$/, '/oauth2/start');
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Signing in</title>
<script>location.replace(${JSON.stringify(start)} + "?rd=" + encodeURIComponent(location.href));</script>
</head><body><noscript>Sign in at <a href="${start}">${start}</a>, then open this page again.</noscript></body></html>
`;
}

/** The workspace proxy's own flags: who may pass, and the component's ports behind it by path (longest first). */
export function workspaceProxyArgs(a: WorkspaceAuth, ownerId: string, ports: PortSpec[]): string[] {
  return [
    ...oauth2ProxyArgs(a),
    `--custom-templates-dir=${AUTH_SECRET_MOUNT}`,
    `--allowed-group=${ownerId}`,
    ...(a.adminRole ? [`--allowed-role=${a.adminRole}`] : []),
    // The manager and scripts call with the user's access token (audience: this client), checked the same way.
    '--skip-jwt-bearer-tokens=true',
    `--api-route=${AUTH_API_ROUTE}`,
    ...ports.filter((p) => p.path).map((p) => `--upstream=http://127.0.0.1:${p.port}${p.path}`),
    `--metrics-address=0.0.0.0:${AUTH_METRICS_PORT}`,
  ];
}

