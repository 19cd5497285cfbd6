/**
 * The physical anchor of the operator benchmark: what this API server and
 * etcd accept on this machine. A plain client applies the same objects the
 * operator would make for N workspaces (server-side apply, in the operator's
 * stages), many workspaces at once so the API server's own concurrency is the
 * limit, and reports the total time and per-workspace latency. No synthesis
 * is timed (it is done beforehand), no status, no watches.
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
