/**
 * How desired objects go out: in stages (policies before anything they
 * govern, Deployments last), each with the hash it was computed to, and what
 * a refusal looks like.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { apiMessage, statusCode } from '../kube.js';
import { APPLIED_HASH_ANNOTATION } from '../owned-cache.js';

/** A write the API server refused, with the object and the server's own message. */
export class ApplyError extends Error {
  constructor(
    readonly verb: 'apply' | 'delete',
    readonly obj: KubernetesObject,
    readonly cause: unknown,
  ) {
    const where = `${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name ?? ''}`.trim();
    super(`${verb} ${where}: ${apiMessage(cause)}${hint(obj, cause)}`);
    this.name = 'ApplyError';
  }
}

function hint(obj: KubernetesObject, cause: unknown): string {
  if (obj.kind === 'CiliumNetworkPolicy' && statusCode(cause) === 404) {
    return ' (the cluster has no CiliumNetworkPolicy API: install Cilium, or set cilium.enabled=false)';
  }
  if (statusCode(cause) === 403) return ' (the operator\'s ClusterRole does not allow it)';
  return '';
}

/**
 * Policies before anything they govern, Deployments (the only source of pods) last: a workspace's pods never
 * start before its firewall is in place. Within a stage the objects are independent and go out together.
 */
const APPLY_STAGES = [['NetworkPolicy', 'CiliumNetworkPolicy'], ['Secret', 'PersistentVolumeClaim', 'Service', 'Ingress', 'HTTPRoute'], ['Deployment']];
export function applyStages<T extends { kind?: string }>(objects: T[]): T[][] {
  const stageOf = (o: T) => {
    const i = APPLY_STAGES.findIndex((kinds) => kinds.includes(o.kind ?? ''));
    return i < 0 ? APPLY_STAGES.length - 1 : i;
  };
  return APPLY_STAGES.map((_, i) => objects.filter((o) => stageOf(o) === i)).filter((stage) => stage.length > 0);
}

/** The desired object with the hash it was computed to, as it is applied. */
export function annotated(obj: KubernetesObject, hash: string): KubernetesObject {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
}
