/**
 * Everything one Workspace needs, as a cdk8s Chart of the workspace
 * constructs, and desiredState(): the pure function the operator applies and
 * `aileron-k8s workspace` prints.
 */
import { App, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { K8sObject } from '../platform/platform-chart.js';
import { COMPONENTS, resolveWorkspace, WorkspaceError, type ResolvedWorkspace, type WorkspaceResource } from './model.js';
import type { WorkspacePlatform } from './platform.js';
import { WorkspaceComponentConstruct } from './components.js';
import { WorkspaceFirewall } from './firewall.js';
import { metadata } from './labels.js';
import { SECRET_KEYS } from '../components/secrets.js';
import { SIGN_IN_TEMPLATE, signInPage } from './auth-proxy.js';

export interface TurnCredentials {
  username: string;
  credential: string;
}

/** A Secret's data (base64) under the given keys, decoded and named as `keys` names them; undefined when one is missing. */
function decoded<K extends string>(data: Record<string, string>, keys: Record<K, string>): Record<K, string> | undefined {
  const entries = Object.entries(keys) as Array<[K, string]>;
  if (entries.some(([, key]) => !data[key])) return undefined;
  return Object.fromEntries(entries.map(([name, key]) => [name, Buffer.from(data[key], 'base64').toString()])) as Record<K, string>;
}

/** TURN credentials from the CoTURN Secret's data (base64), or undefined when it lacks either. */
export function turnCredentialsFrom(data: Record<string, string> = {}): TurnCredentials | undefined {
  return decoded(data, SECRET_KEYS.coturn);
}

export interface DesiredStateOptions {
  /** TURN credentials copied into the workspace namespace for the browser (from the CoTURN Secret). */
  turn?: TurnCredentials;
  /** The workspace proxies' client and cookie secrets (from the platform's workspace-auth Secret). */
  auth?: WorkspaceAuthCredentials;
}

export interface WorkspaceAuthCredentials {
  clientSecret: string;
  cookieSecret: string;
}

/** The proxies' credentials from the platform's workspace-auth Secret data (base64), or undefined when it lacks either. */
export function authCredentialsFrom(data: Record<string, string> = {}): WorkspaceAuthCredentials | undefined {
  return decoded(data, SECRET_KEYS.workspaceAuth);
}

export const turnSecretName = (ws: ResolvedWorkspace) => `workspace-browser-${ws.id}-turn`;
export const authSecretName = (ws: ResolvedWorkspace) => `workspace-${ws.id}-auth`;

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
    const auth = platform.auth.enabled ? authSecretName(ws) : undefined;
    if (auth) {
      // Without the platform's credentials the proxies could not start: fail the render, never open the ports.
      if (!options.auth) throw new WorkspaceError('workspaceAuth', `the platform Secret ${platform.releaseNamespace}/${platform.auth.secretName} with client-secret and cookie-secret is missing; install the chart with workspaceAuth enabled, or name an existing Secret in workspaceAuth.existingSecret`, 'AuthCredentialsMissing', true);
      new k8s.KubeSecret(this, 'auth', {
        metadata: metadata(ws, 'credentials', auth),
        type: 'Opaque',
        stringData: {
          [SECRET_KEYS.workspaceAuth.clientSecret]: options.auth.clientSecret,
          [SECRET_KEYS.workspaceAuth.cookieSecret]: options.auth.cookieSecret,
          [SIGN_IN_TEMPLATE]: signInPage(platform.auth),
        },
      });
    }
    for (const c of COMPONENTS) {
      const component = ws.components[c];
      if (component.enabled) {
        new WorkspaceComponentConstruct(this, c, { ws, platform, component, turnSecret: c === 'browser' ? turn : undefined, authSecret: auth });
      }
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
  return { workspace: resolved, objects: renderWorkspace(resolved, platform, options) };
}

/** The objects of a Workspace already resolved (the operator resolves once a reconcile); throws WorkspaceError like desiredState. */
export function renderWorkspace(resolved: ResolvedWorkspace, platform: WorkspacePlatform, options: DesiredStateOptions = {}): K8sObject[] {
  return new WorkspaceChart(new App(), resolved, platform, options).toJson() as K8sObject[];
}
