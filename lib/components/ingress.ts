/**
 * The platform Ingress: host routing for the frontend, the manager,
 * Keycloak and the workspace sign-in callback from the publicRouting patterns, TLS from ingress.tls, and the
 * nginx WebSocket timeouts from ingress.annotations.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { Component, ConstructProps, Release } from '../platform/context.js';
import { AUTH_PROXY_PORT } from '../workspace/auth-proxy.js';
import type { Values } from '../values/schema.js';
import type { Cond, Expressions } from '../platform/expr.js';
import type { Val, ValOr, Vals } from '../platform/template-value.js';

/** ingress-nginx's own annotations (its WebSocket timeouts, its HTTP version): meaningless to any other controller. */
export const NGINX_ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/';

/**
 * The annotations an Ingress of `className` carries: ingress.annotations, less ingress-nginx's own unless the class
 * is nginx (or "", the cluster's default, which may be). The platform Ingress and the workspace Ingresses use it.
 */
export function ingressAnnotations(x: Expressions, className: Val<string>, annotations: Val<Record<string, string>>): Record<string, string> {
  return x.computed(
    () => nginxAnnotationsFor(x.value(className), x.value(annotations)),
    () => `include "aileron.ingressAnnotations" (list ${x.helm(className)} ${x.helm(annotations)})`,
    'map',
    { yamlText: true },
  );
}

/** ingress.annotations less ingress-nginx's own, unless the class is nginx or "" (the cluster's default, which may be). */
function nginxAnnotationsFor(className: string, annotations: Record<string, string>): Record<string, string> {
  if (className === 'nginx' || className === '') return annotations;
  return Object.fromEntries(Object.entries(annotations).filter(([k]) => !k.startsWith(NGINX_ANNOTATION_PREFIX)));
}

/** The public hosts' sections of values: the host patterns, and each backend's switch and Service. */
export type PlatformHostSections = 'publicRouting' | 'frontend' | 'workspaceManager' | 'keycloak' | 'workspaceAuth';
export type PlatformHostValues = Vals<Pick<Values, PlatformHostSections>>;

/** A public host of the platform and the Service behind it (its `http` port), where that component is on. */
export interface PlatformBackend {
  host: string;
  component: Component;
  servicePort: ValOr<number>;
  enabled: Cond;
}

/** The platform's public hosts, as the Ingress and the HTTPRoutes both route them. */
export function platformBackends(ctx: Release, v: PlatformHostValues): PlatformBackend[] {
  const { x } = ctx;
  const r = v.publicRouting;
  return [
    { host: ctx.host(r.frontendHost), component: 'frontend', servicePort: v.frontend.service.port, enabled: x.truthy(v.frontend.enabled) },
    { host: ctx.host(r.workspaceManagerHost), component: 'workspace-manager', servicePort: v.workspaceManager.service.port, enabled: x.truthy(v.workspaceManager.enabled) },
    { host: ctx.host(r.keycloakHost), component: 'keycloak', servicePort: v.keycloak.service.port, enabled: x.truthy(v.keycloak.enabled) },
    { host: ctx.host(v.workspaceAuth.callbackHost), component: 'workspace-auth', servicePort: AUTH_PROXY_PORT, enabled: x.truthy(v.workspaceAuth.enabled) },
  ];
}

/** The platform Ingress: `ingress.*` of values, and the public hosts. */
export type PlatformIngressProps = ConstructProps<Pick<Values, 'ingress' | PlatformHostSections>>;

export class PlatformIngress extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: v }: PlatformIngressProps) {
    super(scope, id);
    const { x } = ctx;
    const backends = platformBackends(ctx, v);
    const rules = x.list(
      ...backends.map((b) =>
        x.when(b.enabled, {
          host: b.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: ctx.name(b.component), port: { name: 'http' } } },
              },
            ],
          },
        }),
      ),
    );
    // No backend, no Ingress.
    x.scope(this, x.or(...backends.map((b) => b.enabled)), () => {
      new k8s.KubeIngress(this, 'ingress', {
        metadata: ctx.metadata('platform', ctx.fullname, { annotations: x.optional(ingressAnnotations(x, v.ingress.className, v.ingress.annotations)) }),
        spec: {
          ingressClassName: x.optional(v.ingress.className),
          tls: x.when(
            x.truthy(v.ingress.tls),
            x.each(v.ingress.tls, (t) => ({ secretName: x.value(t.secretName), hosts: x.each(t.hosts, (h) => ctx.host(h)) })),
          ),
          rules,
        },
      });
    });
  }
}
