/**
 * CoTURN's own namespace. Its hostNetwork pod needs Pod Security "privileged"
 * where it runs; alone in a namespace of its own, it leaves the release
 * namespace free to enforce "restricted" for every other platform pod.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformContext } from '../platform/context.js';
import type { Cond } from '../platform/expr.js';

export const TURN_POD_SECURITY = { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'restricted' };

/** coturn.namespace, else `<release>-turn`. */
export function turnNamespace(ctx: PlatformContext): string {
  const { x, values: v } = ctx;
  return x.dual(() => v.coturn.namespace || `${ctx.release}-turn`, () => 'include "aileron.turnNamespace" $', 'string');
}

/** The context CoTURN's objects (its Deployment, Service and credentials Secret) are made in. */
export function turnContext(ctx: PlatformContext): PlatformContext {
  return ctx.inNamespace(turnNamespace(ctx));
}

/** Whether CoTURN runs apart from the release namespace (coturn.namespace left to its default, or set elsewhere). */
export function turnRunsApart(ctx: PlatformContext): Cond {
  return ctx.x.and(ctx.x.truthy(ctx.values.coturn.enabled), ctx.x.not(ctx.x.equals(turnNamespace(ctx), ctx.namespace)));
}

export class TurnNamespace extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const { x, values: v } = ctx;
    x.scope(this, x.and(turnRunsApart(ctx), x.truthy(v.coturn.createNamespace)), () => {
      new k8s.KubeNamespace(this, 'namespace', {
        // Enforces "privileged" (hostNetwork) and audits at "restricted", so anything else run here shows in the audit
        // log; no "warn", which would repeat CoTURN's one known exception on every apply.
        metadata: { name: turnNamespace(ctx), labels: x.merge(TURN_POD_SECURITY, ctx.labels('coturn')) },
      });
    });
  }
}
