/**
 * Workspace namespaces, labelled for Pod Security "restricted": workspace
 * pods run restricted. `default` and `kube-*` are never created or relabelled,
 * and the release namespace is left to the installer (helm --create-namespace,
 * or synth's own Namespace, see ReleaseNamespace).
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformContext } from '../platform/context.js';

export const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

export function managedWorkspaceNamespaces(ctx: PlatformContext): string[] {
  const k = ctx.values.kubernetes;
  if (!k.enabled || !k.createNamespaces) return [];
  return k.allowedNamespaces.filter((ns) => ns !== 'default' && !ns.startsWith('kube-') && ns !== ctx.namespace);
}

export class WorkspaceNamespaces extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const { x, values: v } = ctx;
    const k = v.kubernetes;
    x.scope(this, x.and(x.truthy(k.enabled), x.truthy(k.createNamespaces)), () =>
      x.forEach(this, k.allowedNamespaces, (ns) => {
        const ours = x.and(x.not(x.equals(ns, 'default')), x.not(x.hasPrefix(ns, 'kube-')), x.not(x.equals(ns, ctx.namespace)));
        x.scope(this, ours, () => {
          new k8s.KubeNamespace(this, ns, {
            metadata: {
              name: ns,
              labels: x.merge(RESTRICTED, ctx.labels('platform')),
              // Deleting a namespace deletes its workspaces: never on uninstall.
              annotations: { 'helm.sh/resource-policy': 'keep' },
            },
          });
        });
      }),
    );
  }
}

/**
 * The release namespace, for `kubectl apply` users. CoTURN's hostNetwork is
 * refused by "baseline" and "restricted", so with CoTURN on the namespace is
 * enforced "privileged" but still warns and audits at "restricted".
 */
export class ReleaseNamespace extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: ctx.namespace,
        labels: {
          ...ctx.labels('platform'),
          ...RESTRICTED,
          'pod-security.kubernetes.io/enforce': ctx.values.coturn.enabled ? 'privileged' : 'restricted',
        },
      },
    });
  }
}
