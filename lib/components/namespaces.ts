/**
 * Workspace namespaces, labelled for Pod Security "restricted": workspace
 * pods run restricted. `default` and `kube-*` are never created or relabelled,
 * and the release namespace is left to the installer (Helm users create it
 * labelled, as the README shows), or is synth's own Namespace (ReleaseNamespace).
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformContext } from '../platform/context.js';
import { turnNamespace } from './turn-namespace.js';

export const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

/** Whether CoTURN runs in the release namespace itself (synth only: the chart leaves that namespace to the installer). */
function hostsTurn(ctx: PlatformContext): boolean {
  return ctx.values.coturn.enabled && turnNamespace(ctx) === ctx.namespace;
}

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
 * The release namespace, for `kubectl apply` users: it enforces "restricted".
 * CoTURN's hostNetwork, which "baseline" and "restricted" refuse, runs in its
 * own namespace; only when coturn.namespace is set to this one (as `migrate
 * --from-release` does, to keep an upstream NodePort in place) is it enforced
 * "privileged", still warning and auditing at "restricted".
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
          'pod-security.kubernetes.io/enforce': hostsTurn(ctx) ? 'privileged' : 'restricted',
        },
      },
    });
  }
}
