/**
 * CoTURN's own namespace. Its hostNetwork pod needs Pod Security "privileged"
 * where it runs; alone in a namespace of its own, it leaves the release
 * namespace free to enforce "restricted" for every other platform pod.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ConstructProps, Release } from '../platform/context.js';
import type { ValOr, Vals } from '../platform/template-value.js';
import type { Cond } from '../platform/expr.js';
import type { Values } from '../values/schema.js';

/** coturn.namespace, else `<release>-turn`. */
export function turnNamespace(release: Release, coturnNamespace: ValOr<string>): string {
  return release.x.computed(() => release.x.value(coturnNamespace) || `${release.release}-turn`, () => 'include "aileron.turnNamespace" $', 'string');
}

/** The release, as seen from CoTURN's namespace: where its Deployment, Service and credentials Secret are made. */
export function turnContext(release: Release, coturnNamespace: ValOr<string>): Release {
  return release.inNamespace(turnNamespace(release, coturnNamespace));
}

/** Whether CoTURN runs apart from the release namespace (coturn.namespace left to its default, or set elsewhere). */
export function turnRunsApart(release: Release, coturn: Vals<Pick<Values['coturn'], 'enabled' | 'namespace'>>): Cond {
  const { x } = release;
  return x.and(x.truthy(coturn.enabled), x.not(x.equals(turnNamespace(release, coturn.namespace), release.namespace)));
}

/** Enforces "privileged" (hostNetwork) and audits at "restricted", so anything else run here shows in the audit log. */
const TURN_POD_SECURITY = { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'restricted' };

/** CoTURN's namespace: `coturn.enabled`, `namespace` and `createNamespace` of values. */
export type TurnNamespaceProps = ConstructProps<Pick<Values['coturn'], 'enabled' | 'namespace' | 'createNamespace'>>;

export class TurnNamespace extends Construct {
  constructor(scope: Construct, id: string, { release, values: coturn }: TurnNamespaceProps) {
    super(scope, id);
    const { x } = release;
    x.scope(this, x.and(turnRunsApart(release, coturn), x.truthy(coturn.createNamespace)), () => {
      new k8s.KubeNamespace(this, 'namespace', {
        // No "warn" label, which would repeat CoTURN's one known exception on every apply.
        metadata: { name: turnNamespace(release, coturn.namespace), labels: x.merge(TURN_POD_SECURITY, release.labels('coturn')) },
      });
    });
  }
}
