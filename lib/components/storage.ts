/**
 * The shared knowledge-bases PVC (the upstream chart): mounted by the manager, and
 * attached by the operator into workspace runtimes.
 */
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { ConstructProps } from '../platform/context.js';
import type { Values } from '../values/schema.js';

/** The knowledge-bases claim: `kubernetes.knowledgeBases.*` of values. */
export type KnowledgeBasesPvcProps = ConstructProps<Values['kubernetes']['knowledgeBases']>;

export class KnowledgeBasesPvc extends Construct {
  constructor(scope: Construct, id: string, { release: ctx, values: kb }: KnowledgeBasesPvcProps) {
    super(scope, id);
    const { x } = ctx;
    new k8s.KubePersistentVolumeClaim(this, 'pvc', {
      metadata: {
        ...ctx.metadata('platform', x.value(kb.pvcName)),
        // Knowledge bases outlive an uninstall, as databases do.
        annotations: { 'helm.sh/resource-policy': 'keep' },
      },
      spec: {
        accessModes: x.value(kb.accessModes),
        storageClassName: x.optional(x.orDefault(kb.storageClassName, ctx.storageClass)),
        resources: { requests: { storage: k8s.Quantity.fromString(x.value(kb.size)) } },
      },
    });
  }
}
