/**
 * The platform Ingress: host routing for the frontend, the manager,
 * Keycloak and the workspace sign-in callback from the publicRouting patterns, TLS from ingress.tls, and the
 * nginx WebSocket timeouts from ingress.annotations.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { Component, ConstructProps } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import type { Cond } from '../platform/expr.js';

/** The platform Ingress: `ingress.*` and publicRouting of values, and which backends are on. */
export type PlatformIngressProps = ConstructProps<Pick<Values, 'ingress' | 'publicRouting' | 'frontend' | 'workspaceManager' | 'keycloak' | 'workspaceAuth'>>;

export class PlatformIngress extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: v }: PlatformIngressProps) {
    super(scope, id);
    const { x } = ctx;
    const r = v.publicRouting;
    const backends: Array<{ host: string; component: Component; port: string; enabled: Cond }> = [
      { host: ctx.host(r.frontendHost), component: 'frontend', port: 'http', enabled: x.truthy(v.frontend.enabled) },
      { host: ctx.host(r.workspaceManagerHost), component: 'workspace-manager', port: 'http', enabled: x.truthy(v.workspaceManager.enabled) },
      { host: ctx.host(r.keycloakHost), component: 'keycloak', port: 'http', enabled: x.truthy(v.keycloak.enabled) },
      { host: ctx.host(v.workspaceAuth.callbackHost), component: 'workspace-auth', port: 'http', enabled: x.truthy(v.workspaceAuth.enabled) },
    ];
    const rules = x.list(
      ...backends.map((b) =>
        x.when(b.enabled, {
          host: b.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: ctx.name(b.component), port: { name: b.port } } },
              },
            ],
          },
        }),
      ),
    );
    // No backend, no Ingress.
    x.scope(this, x.or(...backends.map((b) => b.enabled)), () => {
      new k8s.KubeIngress(this, 'ingress', {
        metadata: ctx.metadata('platform', ctx.fullname, { annotations: x.optional(v.ingress.annotations) }),
        spec: {
          ingressClassName: x.optional(v.ingress.className),
          tls: x.when(
            x.truthy(v.ingress.tls),
            x.each(v.ingress.tls, (t) => ({ secretName: t.secretName, hosts: x.each(t.hosts, (h) => ctx.host(h)) })),
          ),
          rules,
        },
      });
    });
  }
}
