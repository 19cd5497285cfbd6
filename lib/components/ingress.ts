/**
 * The platform Ingress: host routing for the frontend, the manager and
 * Keycloak from the publicRouting patterns, TLS from ingress.tls, and the
 * nginx WebSocket timeouts from ingress.annotations.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { Component, PlatformContext } from '../platform/context.js';
import { nonEmpty } from '../platform/pod.js';
import { expandHost, platformHosts } from '../values/hosts.js';

export class PlatformIngress extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const v = ctx.values;
    const hosts = platformHosts(v.publicRouting);
    const backends: Array<{ host: string; component: Component; port: string; enabled: boolean }> = [
      { host: hosts.frontend, component: 'frontend', port: 'http', enabled: v.frontend.enabled },
      { host: hosts.workspaceManager, component: 'workspace-manager', port: 'http', enabled: v.workspaceManager.enabled },
      { host: hosts.keycloak, component: 'keycloak', port: 'http', enabled: v.keycloak.enabled },
    ];
    const rules = backends
      .filter((b) => b.enabled)
      .map((b) => ({
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
      }));
    if (rules.length === 0) return;
    new k8s.KubeIngress(this, 'ingress', {
      metadata: ctx.metadata('platform', ctx.fullname, { annotations: nonEmpty(v.ingress.annotations) }),
      spec: {
        ingressClassName: v.ingress.className || undefined,
        tls:
          v.ingress.tls.length > 0
            ? v.ingress.tls.map((t) => ({ secretName: t.secretName, hosts: t.hosts.map((h) => expandHost(h, v.publicRouting)) }))
            : undefined,
        rules,
      },
    });
  }
}
