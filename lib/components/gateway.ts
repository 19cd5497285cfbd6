/**
 * The chart's own Gateway (gatewayAPI.createGateway), for clusters with a Gateway API implementation and no shared
 * Gateway to attach to. With https: one HTTPS listener for `*.<baseDomain>` (the platform and workspace hosts) with
 * the workspace TLS Secret, or the Secret cert-manager issues into, and an HTTP listener that only redirects to it.
 * With http: one HTTP listener. Routes attach from the release namespace and the workspace namespaces, no others:
 * a route from elsewhere could claim a platform host.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ConstructProps, Release } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import type { Val, Vals } from '../platform/template-value.js';
import { wildcardTlsSecret } from '../values/hosts.js';

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';

type GatewayValues = Vals<Pick<Values, 'gatewayAPI' | 'publicRouting' | 'ingress' | 'kubernetes'>>;

/** The TLS Secret of workspace hosts: ingress.workspaceTls.secretName, else the ingress.tls entry for `*.<baseDomain>`, else "". */
export function workspaceTlsSecret(release: Release, v: Vals<Pick<Values, 'publicRouting' | 'ingress'>>): string {
  const { x } = release;
  return x.orDefault(
    v.ingress.workspaceTls.secretName,
    x.computed(() => wildcardTlsSecret(x.tree<Pick<Values, 'publicRouting' | 'ingress'>>(v)), () => 'include "aileron.wildcardTlsSecret" $', 'string'),
  );
}

/** The Secret the Gateway's HTTPS listener names: the workspace TLS Secret, else the one cert-manager writes. */
function gatewayTlsSecret(release: Release, v: GatewayValues): string {
  return release.x.orDefault(workspaceTlsSecret(release, v), `${release.fullname}-gateway-tls`);
}

/** The listener routes attach to: `https` where the scheme is https (HTTP only redirects), else `http`. */
const routeListener = (release: Release, v: Vals<Pick<Values, 'publicRouting'>>) => release.x.choose(release.x.equals(v.publicRouting.scheme, 'https'), 'https', 'http');

/**
 * The Gateways every route attaches to: gatewayAPI.parentRefs, and the chart's own Gateway (its route listener)
 * with createGateway. The platform's HTTPRoutes and the operator's (through WORKSPACE_PLATFORM) both use it.
 */
export function routeParents(release: Release, v: Vals<Pick<Values, 'gatewayAPI' | 'publicRouting'>>): Values['gatewayAPI']['parentRefs'] {
  const { x } = release;
  const own = { name: release.fullname, namespace: release.namespace, sectionName: routeListener(release, v) };
  return x.computed(
    () => [...x.value(v.gatewayAPI.parentRefs), ...(x.value(v.gatewayAPI.createGateway) ? [own] : [])],
    // concat of nothing is nil; the list stays a list (JSON []).
    () => `default (list) (concat ${x.helm(v.gatewayAPI.parentRefs)} (ternary (list ${x.helm(own)}) (list) ${x.helm(v.gatewayAPI.createGateway)}))`,
    'list',
  );
}

/** A route rule's timeouts: gatewayAPI.requestTimeout ("0s", off, keeps WebSockets open), or the implementation's where "". */
export function routeTimeouts(release: Release, requestTimeout: Val<string>): { request: string } | undefined {
  return release.x.when(release.x.truthy(requestTimeout), { request: release.x.value(requestTimeout) });
}

/** The chart's Gateway: `gatewayAPI.*`, the public scheme and domain, the TLS settings, and the workspace namespaces routes come from. */
export type PlatformGatewayProps = ConstructProps<Pick<Values, 'gatewayAPI' | 'publicRouting' | 'ingress' | 'kubernetes'>>;

export class PlatformGateway extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: v }: PlatformGatewayProps) {
    super(scope, id);
    const { x } = ctx;
    const https = x.equals(v.publicRouting.scheme, 'https');
    const routeNamespaces = x.computed(
      () => [ctx.namespace, ...x.value(v.kubernetes.allowedNamespaces)],
      () => `prepend ${x.helm(v.kubernetes.allowedNamespaces)} ${x.helm(ctx.namespace)}`,
      'list',
    );
    const fromOurNamespaces: { namespaces: Record<string, unknown> } = {
      namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: routeNamespaces }] } },
    };
    // cert-manager's gateway-shim issues the listener's certificate into the Secret it names.
    const issuer = x.and(https, x.not(x.truthy(workspaceTlsSecret(ctx, v))), x.truthy(v.ingress.workspaceTls.clusterIssuer));
    new ApiObject(this, 'gateway', {
      apiVersion: GATEWAY_API_VERSION,
      kind: 'Gateway',
      metadata: ctx.metadata('platform', ctx.fullname, {
        annotations: x.when(issuer, { 'cert-manager.io/cluster-issuer': x.value(v.ingress.workspaceTls.clusterIssuer) }),
      }),
      spec: {
        gatewayClassName: x.value(v.gatewayAPI.gatewayClassName),
        listeners: x.list<Record<string, unknown>>(
          // With https, plain HTTP carries nothing but the redirect, which lives in the release namespace.
          { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: x.when<object>(https, { namespaces: { from: 'Same' } }, fromOurNamespaces) },
          x.when(https, {
            name: 'https',
            protocol: 'HTTPS',
            port: 443,
            hostname: ctx.host('*.{baseDomain}'),
            tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: gatewayTlsSecret(ctx, v) }] },
            allowedRoutes: fromOurNamespaces,
          }),
        ),
      },
    });
    x.scope(this, https, () => {
      new ApiObject(this, 'https-redirect', {
        apiVersion: GATEWAY_API_VERSION,
        kind: 'HTTPRoute',
        metadata: ctx.metadata('platform', `${ctx.fullname}-https-redirect`),
        spec: {
          parentRefs: [{ name: ctx.fullname, sectionName: 'http' }],
          rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
        },
      });
    });
  }
}
