/**
 * Everything one Workspace needs, as a cdk8s Chart of the workspace
 * constructs, and desiredState(): the pure function the operator applies and
 * `aileron-k8s workspace` prints.
 */
import { App, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { K8sObject } from '../platform/platform-chart.js';
import { COMPONENTS, resolveWorkspace, type ResolvedWorkspace, type WorkspaceResource } from './model.js';
import type { WorkspacePlatform } from './platform.js';
import { WorkspaceComponentConstruct } from './components.js';
import { WorkspaceFirewall } from './firewall.js';
import { metadata } from './labels.js';
import { SECRET_KEYS } from '../components/secrets.js';

export interface TurnCredentials {
  username: string;
  credential: string;
}

/** TURN credentials from the CoTURN Secret's data (base64), or undefined when it lacks either. */
export function turnCredentialsFrom(data: Record<string, string> = {}): TurnCredentials | undefined {
  const { username, credential } = SECRET_KEYS.coturn;
  if (!data[username] || !data[credential]) return undefined;
  const decode = (key: string) => Buffer.from(data[key], 'base64').toString();
  return { username: decode(username), credential: decode(credential) };
}

export interface DesiredStateOptions {
  /** TURN credentials copied into the workspace namespace for the browser (from the CoTURN Secret). */
  turn?: TurnCredentials;
}

export const turnSecretName = (ws: ResolvedWorkspace) => `workspace-browser-${ws.id}-turn`;

class WorkspaceChart extends Chart {
  constructor(scope: App, ws: ResolvedWorkspace, platform: WorkspacePlatform, options: DesiredStateOptions) {
    super(scope, `workspace-${ws.id}`, { disableResourceNameHashes: true });
    new k8s.KubePersistentVolumeClaim(this, 'storage', {
      metadata: {
        ...metadata(ws, 'storage', ws.storage.name),
        // Kept on Workspace delete unless configured otherwise: no owner to cascade from.
        ownerReferences: platform.storage.deleteWithWorkspace ? metadata(ws, 'storage', ws.storage.name).ownerReferences : undefined,
      },
      spec: {
        accessModes: platform.storage.accessModes,
        storageClassName: ws.storage.storageClassName || undefined,
        resources: { requests: { storage: k8s.Quantity.fromString(ws.storage.size) } },
      },
    });
    const browser = ws.components.browser;
    const turn = browser.enabled && platform.turn.enabled && options.turn ? turnSecretName(ws) : undefined;
    if (turn) {
      new k8s.KubeSecret(this, 'turn', {
        metadata: metadata(ws, 'credentials', turn),
        type: 'Opaque',
        stringData: { username: options.turn!.username, credential: options.turn!.credential },
      });
    }
    for (const c of COMPONENTS) {
      const component = ws.components[c];
      if (component.enabled) new WorkspaceComponentConstruct(this, c, { ws, platform, component, turnSecret: c === 'browser' ? turn : undefined });
    }
    new WorkspaceFirewall(this, 'firewall-workspace', { ws, platform, group: 'workspace' });
    if (browser.enabled) new WorkspaceFirewall(this, 'firewall-browser', { ws, platform, group: 'browser' });
  }
}

export interface DesiredState {
  workspace: ResolvedWorkspace;
  objects: K8sObject[];
}

/** The objects one Workspace needs; throws WorkspaceError naming the field when it cannot have them. */
export function desiredState(ws: WorkspaceResource, platform: WorkspacePlatform, options: DesiredStateOptions = {}): DesiredState {
  const resolved = resolveWorkspace(ws, platform);
  const app = new App();
  const chart = new WorkspaceChart(app, resolved, platform, options);
  return { workspace: resolved, objects: chart.toJson() as K8sObject[] };
}
