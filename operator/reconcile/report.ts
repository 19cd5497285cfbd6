/**
 * What a reconcile tells the user: the Workspace's status, written only when
 * it changed (by digest, as ReconcileCaches.writtenStatus keeps it), and
 * Events on the Workspace.
 */
import { WORKSPACE_API_GROUP, WORKSPACE_VERSION } from '../../lib/crd/workspace-crd.js';
import { statusCode, type Kube } from '../kube.js';
import type { Logger } from '../log.js';
import { statusDigest, type ObservedWorkspace } from '../status.js';
import { workspaceRef } from './finalizers.js';

/** The key of the per-Workspace caches. */
export const uidOf = (ws: ObservedWorkspace) => ws.metadata.uid ?? `${ws.metadata.namespace}/${ws.metadata.name}`;

export class WorkspaceReport {
  constructor(
    private readonly kube: Kube,
    private readonly log: Logger,
    private readonly written: Map<string, string>,
  ) {}

  /** Writes status when it changed; says whether it did. */
  async status(ws: ObservedWorkspace, status: Record<string, unknown>): Promise<boolean> {
    const uid = uidOf(ws);
    const digest = statusDigest(status);
    if (ws.status?.digest === digest || this.written.get(uid) === digest) return false;
    try {
      await this.kube.mergePatch(workspaceRef(ws, 'status'), { status });
      this.written.set(uid, digest);
      return true;
    } catch (err) {
      if (statusCode(err) !== 404) throw err; // deleted meanwhile
      return false;
    }
  }

  async event(ws: ObservedWorkspace, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = ws.metadata.namespace!;
    const now = new Date().toISOString();
    try {
      await this.kube.create({ apiVersion: 'v1', plural: 'events', namespace }, {
        metadata: { generateName: `${ws.metadata.name}.`, namespace },
        involvedObject: { apiVersion: `${WORKSPACE_API_GROUP}/${WORKSPACE_VERSION}`, kind: 'Workspace', name: ws.metadata.name, namespace, uid: ws.metadata.uid },
        type,
        reason,
        message,
        source: { component: 'aileron-workspace-operator' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
    } catch (err) {
      this.log.warn('could not record an Event', { error: (err as Error).message });
    }
  }
}
