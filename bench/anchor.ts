/**
 * The physical anchor of the operator benchmark: what this API server and
 * etcd accept on this machine. A plain client applies the same objects the
 * operator would make for N workspaces (server-side apply, sent as the operator
 * sends it: no field validation, metadata back; the cheapest form this API
 * server takes), in the operator's stages, many workspaces at once so the API
 * server's own concurrency is the limit, and reports the total time and
 * per-workspace latency. No synthesis is timed (it is done beforehand), no
 * status, no watches. Its objects are removed afterwards (removeAnchorObjects),
 * so the operator's burst starts from the cluster the anchor started from.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Credentials } from '../operator/credentials.js';
import { desiredState, type TurnCredentials } from '../lib/workspace/workspace-chart.js';
import type { WorkspacePlatform } from '../lib/workspace/platform.js';
import { Kube } from '../operator/kube.js';
import { applyStages } from '../operator/reconciler.js';

export interface AnchorResult {
  totalMs: number;
  latenciesMs: number[];
  writesPerWorkspace: number;
}

/** The anchor's objects carry another managed-by, so the operator's watches never see them. */
const ANCHOR_MANAGER = 'aileron-bench-anchor';

/** `turn`: the CoTURN credentials the operator copies into each workspace (its browser's TURN Secret is one of the objects). */
export async function runAnchor(credentials: Credentials, platform: WorkspacePlatform, turn: TurnCredentials | undefined, namespace: string, n: number, concurrency = 64): Promise<AnchorResult> {
  const workspaces = Array.from({ length: n }, (_, i) => {
    const ws = { apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', metadata: { name: `anchor-${i}`, namespace, generation: 1 }, spec: { workspaceId: `anchor-${i}`, ownerId: `user-${i}` } };
    return applyStages((desiredState(ws, platform, { turn }).objects as KubernetesObject[]).map(relabel));
  });
  // No rate limit, and a connection for every request a stage may have in flight.
  const kube = new Kube(credentials, 1e9, 1e9, undefined, concurrency * 8);
  const latenciesMs: number[] = [];
  let next = 0;
  let writes = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const objects = workspaces[next++];
        const began = Date.now();
        for (const stage of objects) {
          await Promise.all(stage.map((obj) => kube.apply(obj)));
          writes += stage.length;
        }
        latenciesMs.push(Date.now() - began);
      }
    }),
  );
  return { totalMs: Date.now() - start, latenciesMs, writesPerWorkspace: writes / n };
}

function relabel(obj: KubernetesObject): KubernetesObject {
  const labels = { ...obj.metadata?.labels, 'app.kubernetes.io/managed-by': ANCHOR_MANAGER };
  return { ...obj, metadata: { ...obj.metadata, labels } };
}

/** Every kind the anchor applies. */
const ANCHOR_KINDS = 'deployments,services,secrets,persistentvolumeclaims,ingresses,networkpolicies,ciliumnetworkpolicies';

/**
 * Deletes the anchor's objects and waits until their Services' ClusterIPs are released: the API server's ClusterIP
 * allocator lists every allocated address for each new Service, so a burst run beside the anchor's 3,000 Services
 * would pay for them (measured at 1,000 workspaces: a fifth of the API server's CPU through the burst went to that
 * list). PVCs stay Terminating (no controller-manager removes their protection finalizer); they hold no address.
 */
export async function removeAnchorObjects(kubectl: (args: string[]) => string, namespace: string, timeoutMs = 300_000): Promise<void> {
  const addresses = () => kubectl(['get', 'ipaddresses.networking.k8s.io', '-o', 'name']).split('\n').filter(Boolean).length;
  const before = addresses();
  const services = kubectl(['get', 'services', '-n', namespace, '-l', `app.kubernetes.io/managed-by=${ANCHOR_MANAGER}`, '-o', 'name']).split('\n').filter(Boolean).length;
  kubectl(['delete', ANCHOR_KINDS, '-n', namespace, '-l', `app.kubernetes.io/managed-by=${ANCHOR_MANAGER}`, '--wait=false']);
  const deadline = Date.now() + timeoutMs;
  while (addresses() > before - services) {
    if (Date.now() > deadline) throw new Error(`the anchor's ${services} ClusterIPs were not released within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
