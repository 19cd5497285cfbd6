/**
 * The physical anchor of the operator benchmark: what this API server and
 * etcd accept on this machine for the burst's work. A plain client makes, for
 * the same N workspaces, the writes the burst ends with, many workspaces at
 * once so the API server's own concurrency is the limit, and reports the total
 * time and per-workspace latency. No synthesis is timed (it is done
 * beforehand), no watches, no reads. Its objects carry a managed-by label of
 * their own and are removed afterwards (removeObjects), so the burst
 * starts from the cluster the anchor started from.
 *
 * Two forms:
 *  - `burst`: what the burst's API server must take. The Workspace is created
 *    by the benchmark's client as in the burst; then, as the operator's
 *    ServiceAccount (its RBAC, its API Priority and Fairness level), its
 *    objects in the operator's stages and form (server-side apply without
 *    field validation, metadata back, owner references and hash annotations),
 *    then its status. The same requests the burst makes, with no operator.
 *  - `objects`: only the workspace's objects, as admin: system:masters skips
 *    RBAC and is exempt from API Priority and Fairness, a path no operator
 *    should have. The cheapest figure this control plane gives, for reference.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Credentials } from '../operator/credentials.js';
import { desiredState, type DesiredStateOptions } from '../lib/workspace/workspace-chart.js';
import type { WorkspacePlatform } from '../lib/workspace/platform.js';
import { Kube, statusCode } from '../operator/kube.js';
import { annotated, applyStages } from '../operator/reconcile/apply.js';
import { appliedHash, objectHash, Planned } from '../operator/plan.js';
import { buildStatus } from '../operator/status.js';

export interface AnchorResult {
  totalMs: number;
  latenciesMs: number[];
  writesPerWorkspace: number;
}

export type AnchorForm =
  | { form: 'objects'; admin: Credentials }
  | { form: 'burst'; admin: Credentials; operator: Credentials };

/** The anchor's objects carry another managed-by, so the operator's watches never see them. */
const ANCHOR_MANAGER = 'aileron-bench-anchor';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': ANCHOR_MANAGER };
const WORKSPACES = { apiVersion: 'platform.aileron.io/v1alpha1', plural: 'workspaces' };
/** Rendered with this uid, replaced by the created Workspace's: the owner reference is then the operator's. */
const PLACEHOLDER_UID = '00000000-0000-0000-0000-000000000000';

interface Prepared {
  workspace: KubernetesObject & { spec: object };
  stages: KubernetesObject[][];
  status: Record<string, unknown>;
}

/** `credentials`: what the operator copies into each workspace (its TURN and proxy Secrets are among the objects). */
/** `run` names this run's objects apart from earlier runs'. */
export async function runAnchor(how: AnchorForm, platform: WorkspacePlatform, credentials: DesiredStateOptions, namespace: string, n: number, run: string, concurrency = 64): Promise<AnchorResult> {
  const prepared = Array.from({ length: n }, (_, i) => prepare(`anchor-${how.form}-${run}-${i}`, i, namespace, platform, credentials, how.form === 'burst'));
  // No rate limit, and a connection for every request a stage may have in flight.
  const creator = new Kube(how.admin, 1e9, 1e9, undefined, concurrency);
  const writer = new Kube(how.form === 'burst' ? how.operator : how.admin, 1e9, 1e9, undefined, concurrency * 8);
  const latenciesMs: number[] = [];
  let next = 0;
  let writes = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const { workspace, stages, status } = prepared[next++];
        const began = Date.now();
        let uid: string | undefined;
        if (how.form === 'burst') {
          uid = (await creator.create({ ...WORKSPACES, namespace }, workspace)).metadata?.uid;
          writes++;
        }
        for (const stage of stages) {
          await Promise.all(stage.map((obj) => writer.apply(uid ? withOwner(obj, uid) : obj)));
          writes += stage.length;
        }
        if (how.form === 'burst') {
          await writer.mergePatch({ ...WORKSPACES, namespace, name: workspace.metadata!.name, subresource: 'status' }, { status });
          writes++;
        }
        latenciesMs.push(Date.now() - began);
      }
    }),
  );
  return { totalMs: Date.now() - start, latenciesMs, writesPerWorkspace: writes / n };
}

/** One workspace's requests, rendered beforehand: `operatorForm` adds what the operator's carry. */
function prepare(name: string, i: number, namespace: string, platform: WorkspacePlatform, credentials: DesiredStateOptions, operatorForm: boolean): Prepared {
  const spec = { workspaceId: name, ownerId: `user-${i}` };
  const workspace = { apiVersion: WORKSPACES.apiVersion, kind: 'Workspace', metadata: { name, namespace, labels: MANAGED_BY }, spec };
  const rendered = { ...workspace, metadata: { ...workspace.metadata, generation: 1, ...(operatorForm ? { uid: PLACEHOLDER_UID } : {}) } };
  const desired = desiredState(rendered, platform, credentials);
  const objects = (desired.objects as KubernetesObject[]).map((obj) => relabel(operatorForm ? annotated(obj, objectHash(obj)) : obj));
  const status = buildStatus({ ws: rendered, resolved: desired.workspace, platform, deployments: new Map(), appliedHash: appliedHash(name, objects.map((obj) => Planned.of(obj))) });
  return { workspace, stages: applyStages(objects), status };
}

function relabel(obj: KubernetesObject): KubernetesObject {
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata?.labels, ...MANAGED_BY } } };
}

function withOwner(obj: KubernetesObject, uid: string): KubernetesObject {
  const ownerReferences = obj.metadata?.ownerReferences?.map((ref) => (ref.uid === PLACEHOLDER_UID ? { ...ref, uid } : ref));
  return ownerReferences ? { ...obj, metadata: { ...obj.metadata, ownerReferences } } : obj;
}

/** Every kind the anchor and the operator write. */
const KINDS = [
  { apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', plural: 'workspaces' },
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  { apiVersion: 'v1', kind: 'Secret', plural: 'secrets' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies' },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', plural: 'ciliumnetworkpolicies' },
];

/**
 * Deletes, 64 at a time, the objects of those kinds that `labelSelector` selects (and every Workspace with `everyWorkspace`), and waits
 * until their Services' ClusterIPs are released: the API server's ClusterIP allocator lists every allocated address
 * for each new Service, so a burst run beside the anchor's 3,000 Services would pay for them (measured at 1,000
 * workspaces: a fifth of the API server's CPU through the burst went to that list). (kubectl deletes one object at
 * a time: 13,000 took it two minutes.)
 */
export async function removeObjects(kube: Kube, namespace: string, labelSelector: string, everyWorkspace = false, timeoutMs = 300_000): Promise<void> {
  const addresses = async () => (await kube.list({ apiVersion: 'networking.k8s.io/v1', plural: 'ipaddresses' }, {}, true)).items.length;
  const before = await addresses();
  const doomed: KubernetesObject[] = [];
  for (const kind of KINDS) {
    let next: string | undefined;
    do {
      const selector = everyWorkspace && kind.kind === 'Workspace' ? undefined : labelSelector;
      const page = await kube.list({ ...kind, namespace }, { labelSelector: selector, limit: 500, continue: next }, true);
      for (const item of page.items ?? []) doomed.push({ apiVersion: kind.apiVersion, kind: kind.kind, metadata: { name: item.metadata?.name, namespace } });
      next = page.metadata?.continue || undefined;
    } while (next);
  }
  let i = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (i < doomed.length) {
      const obj = doomed[i++];
      await kube.delete(obj);
      // What kube-controller-manager's pvc-protection would do once no pod uses the claim: without it the claims
      // stayed Terminating, and a later round's operator listed and cached every earlier round's.
      if (obj.kind === 'PersistentVolumeClaim') await releaseClaim(kube, obj);
    }
  }));
  const services = doomed.filter((o) => o.kind === 'Service').length;
  const deadline = Date.now() + timeoutMs;
  while ((await addresses()) > before - services) {
    if (Date.now() > deadline) throw new Error(`${services} ClusterIPs were not released within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function releaseClaim(kube: Kube, claim: KubernetesObject): Promise<void> {
  try {
    await kube.mergePatch({ apiVersion: 'v1', plural: 'persistentvolumeclaims', namespace: claim.metadata!.namespace, name: claim.metadata!.name }, { metadata: { finalizers: null } });
  } catch (err) {
    if (statusCode(err) !== 404) throw err;
  }
}

/** The anchor's objects. */
export const anchorSelector = `app.kubernetes.io/managed-by=${ANCHOR_MANAGER}`;
