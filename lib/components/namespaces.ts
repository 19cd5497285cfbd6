/**
 * Workspace namespaces, labelled for Pod Security "restricted": workspace
 * pods run restricted; each with a ResourceQuota and a LimitRange
 * (namespace-quota.ts). `default` and `kube-*` are never created or relabelled,
 * and the release namespace is left to the installer (Helm users create it
 * labelled, as the README shows), or is synth's own Namespace (ReleaseNamespace).
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ConstructProps } from '../platform/context.js';
import type { Values } from '../values/schema.js';
import { turnNamespace } from './turn-namespace.js';
import { NamespaceLimits } from './namespace-quota.js';

export const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};


/**
 * The workspace namespaces: `kubernetes.enabled`, `createNamespaces` and `allowedNamespaces` of values, and their
 * quotas (kubernetes.namespaceQuota, derived from the workspace defaults and workspaceAuth's proxy).
 */
export type WorkspaceNamespacesProps = ConstructProps<Values>;

export class WorkspaceNamespaces extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values }: WorkspaceNamespacesProps) {
    super(scope, id);
    const { x } = ctx;
    const k = values.kubernetes;
    x.scope(this, x.and(x.truthy(k.enabled), x.truthy(k.createNamespaces)), () =>
      x.forEach(this, k.allowedNamespaces, (ns) => {
        const ours = x.and(x.not(x.equals(ns, 'default')), x.not(x.hasPrefix(ns, 'kube-')), x.not(x.equals(ns, ctx.namespace)));
        x.scope(this, ours, () => {
          new k8s.KubeNamespace(this, x.value(ns), {
            metadata: {
              name: x.value(ns),
              labels: x.merge(RESTRICTED, ctx.labels('platform')),
              // Deleting a namespace deletes its workspaces: never on uninstall.
              annotations: { 'helm.sh/resource-policy': 'keep' },
            },
          });
          new NamespaceLimits(this, `${x.value(ns)}-limits`, { release: ctx, values, namespace: x.value(ns) });
        });
      }),
    );
  }
}

/**
 * The release namespace, for `kubectl apply` users: it enforces "restricted".
 * CoTURN's hostNetwork, which "baseline" and "restricted" refuse, runs in its
 * own namespace; only when coturn.namespace is set to this one (as `migrate
 * --from-release` does, to keep an upstream NodePort in place) is it enforced
 * "privileged", still warning and auditing at "restricted".
 */
export type ReleaseNamespaceProps = ConstructProps<Pick<Values['coturn'], 'enabled' | 'namespace'>>;

export class ReleaseNamespace extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: coturn }: ReleaseNamespaceProps) {
    super(scope, id);
    // Synth only: the chart leaves the release namespace to the installer, so this test is concrete.
    const hostsTurn = coturn.enabled && turnNamespace(ctx, coturn.namespace) === ctx.namespace;
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: ctx.namespace,
        labels: {
          ...ctx.labels('platform'),
          ...RESTRICTED,
          'pod-security.kubernetes.io/enforce': hostsTurn ? 'privileged' : 'restricted',
        },
      },
    });
  }
}
