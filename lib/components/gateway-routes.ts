/**
 * Gateway API routing for the platform hosts: one HTTPRoute per public host
 * (frontend, manager, Keycloak, the sign-in callback), attached to the
 * Gateways in gatewayAPI.parentRefs. The same hosts and Services as the
 * Ingress (platformBackends), for clusters that left ingress-nginx behind.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ConstructProps } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { platformBackends, type PlatformHostSections } from './ingress.js';
import { GATEWAY_API_VERSION, routeParents, routeTimeouts } from './gateway.js';

/** The platform HTTPRoutes: `gatewayAPI.*` of values, and the public hosts. */
export type PlatformRoutesProps = ConstructProps<Pick<Values, 'gatewayAPI' | PlatformHostSections>>;

export class PlatformRoutes extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: v }: PlatformRoutesProps) {
    super(scope, id);
    const { x } = ctx;
    const parentRefs = routeParents(ctx, v);
    const timeouts = routeTimeouts(ctx, v.gatewayAPI.requestTimeout);
    for (const b of platformBackends(ctx, v)) {
      x.scope(this, b.enabled, () => {
        new ApiObject(this, b.component, {
          apiVersion: GATEWAY_API_VERSION,
          kind: 'HTTPRoute',
          metadata: ctx.metadata(b.component),
          spec: {
            parentRefs,
            hostnames: [b.host],
            rules: [{ backendRefs: [{ name: ctx.name(b.component), port: x.value(b.servicePort) }], timeouts }],
          },
        });
      });
    }
  }
}
