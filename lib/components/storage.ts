/**
 * The shared knowledge-bases PVC (the upstream chart): mounted by the manager, and
 * attached by the operator into workspace runtimes.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { PlatformContext } from '../platform/context.js';

export class KnowledgeBasesPvc extends Construct {
  constructor(scope: Construct, id: string, ctx: PlatformContext) {
    super(scope, id);
    const kb = ctx.values.kubernetes.knowledgeBases;
    new k8s.KubePersistentVolumeClaim(this, 'pvc', {
      metadata: {
        ...ctx.metadata('platform', kb.pvcName),
        // Knowledge bases outlive an uninstall, as databases do.
        annotations: { 'helm.sh/resource-policy': 'keep' },
      },
      spec: {
        accessModes: kb.accessModes,
        storageClassName: ctx.x.optional(ctx.x.firstSet(kb.storageClassName, ctx.values.global.storageClass)),
        resources: { requests: { storage: k8s.Quantity.fromString(kb.size) } },
      },
    });
  }
}
