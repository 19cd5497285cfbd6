/**
 * A Workspace's plan: the kind, `namespace/name` and hash of each object its
 * desired state has, which is all the operator keeps between reconciles. And
 * the applied hash: one digest of what the plan was rendered from and of the
 * plan itself, which the operator writes in status once the cluster holds the
 * plan, so that a restarted operator can take the plan from its watches
 * instead of rendering the Workspace again (plan-from-cluster below).
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { keyOf } from './list-watch.js';
import type { OwnedCache, OwnedView } from './owned-cache.js';

/**
 * A short hash of one desired object: what the applied-hash annotation records. Hex of the first 10 bytes, not
 * a slice of the full hex: a slice would keep the 64-character string alive behind each of 130,000 hashes.
 */
export function objectHash(obj: unknown): string {
  return createHash('sha256').update(JSON.stringify(obj)).digest().toString('hex', 0, 10);
}

/**
 * One desired object, as kept between reconciles: its kind, `namespace/name` and hash (not the object). A class
 * for one shared hidden class across 130,000; the key and hash strings are the ones the owned cache keeps too.
 */
export class Planned {
  constructor(
    readonly kind: string,
    readonly key: string,
    readonly hash: string,
  ) {}

  static of(obj: KubernetesObject): Planned {
    return new Planned(obj.kind!, keyOf(obj), objectHash(obj));
  }

  get ref(): string {
    return `${this.kind}/${this.key}`;
  }
}

/**
 * The plan of a workspace's objects, its strings shared: a key with the other kinds of the same name and with the
 * owned cache's view of the object; a hash with that view when they are equal (130,000 of each at 10,000 workspaces).
 */
export function planOf(objects: KubernetesObject[], owned: OwnedCache): Planned[] {
  const keys = new Map<string, string>();
  return objects.map((obj) => {
    const fresh = keyOf(obj);
    const seen = owned.get(obj.kind!, fresh);
    const key = keys.get(fresh) ?? seen?.key ?? fresh;
    keys.set(fresh, key);
    const hash = objectHash(obj);
    return new Planned(obj.kind!, key, seen?.hash === hash ? seen.hash : hash);
  });
}

/**
 * The digest a Workspace's status records once the cluster holds its plan: of the render's inputs (see
 * `renderInputs` in the reconciler: the Workspace's generation and identity, the platform settings, the TURN
 * credentials and the operator's own code) and of every planned object's kind, key and hash, in a fixed order.
 */
export function appliedHash(inputs: string, plan: readonly Pick<Planned, 'kind' | 'key' | 'hash'>[]): string {
  const entries = plan.map((p) => `${p.kind}/${p.key}=${p.hash}`).sort();
  return createHash('sha256').update(inputs).update('\n').update(entries.join('\n')).digest().toString('hex', 0, 16);
}

/**
 * The plan as the cluster has it, when that is exactly the plan last applied for these inputs: every object the
 * watches hold for the Workspace carries its applied-hash annotation, and together with the inputs they give the
 * applied hash its status records. A restarted operator, or one that never saw the Workspace, then needs no
 * render. Anything else (an object deleted or stripped of its hash meanwhile, another operator version, changed
 * settings or spec) gives undefined, and the Workspace is rendered as usual.
 */
export function planFromCluster(inputs: string, recorded: string | undefined, views: readonly OwnedView[]): Planned[] | undefined {
  if (!recorded || views.length === 0 || views.some((v) => !v.hash)) return undefined;
  const plan = views.map((v) => new Planned(v.kind, v.key, v.hash!));
  return appliedHash(inputs, plan) === recorded ? plan : undefined;
}
