/**
 * A Workspace resolved against the platform: namespace, images, resources,
 * hosts, URLs, firewall and restart times, with every default applied. The
 * constructs render this; the operator reports it in status.
 */
import type { WorkspaceSpec, WorkspaceSpecStorageSize } from '../../imports/workspace-platform.aileron.io.js';
import type { Resources } from '../values/schema.js';
import { publicUrl, workspaceHost, type WorkspaceComponent } from '../values/hosts.js';
import { WORKSPACE_PORTS } from '../components/platform-config.js';
import type { WorkspacePlatform } from './platform.js';
import { specProblems } from './spec-rules.js';
import { formatDuration, parseDuration } from '../values/duration.js';

export const COMPONENTS: WorkspaceComponent[] = ['runtime', 'browser', 'canvas'];

/** The generated (builder) types, as they arrive in JSON: timestamps and quantities are plain values. */
type AsJson<T> = T extends Date
  ? string
  : T extends WorkspaceSpecStorageSize
    ? string | number
    : T extends Array<infer U>
      ? Array<AsJson<U>>
      : T extends object
        ? { readonly [K in keyof T]: AsJson<T[K]> }
        : T;
export type WorkspaceSpecJson = AsJson<WorkspaceSpec>;

export interface WorkspaceResource {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    deletionTimestamp?: string;
    finalizers?: string[];
    annotations?: Record<string, string>;
  };
  spec: WorkspaceSpecJson;
  status?: Record<string, unknown>;
}

export interface ResolvedComponent {
  component: WorkspaceComponent;
  enabled: boolean;
  name: string;
  image: string;
  resources: Resources;
  host: string;
  internalUrl: string;
  externalUrl: string;
  /** Latest restart trigger that applies to this component. */
  restartedAt?: string;
}

export type FirewallGroup = 'workspace' | 'browser';

export interface ResolvedFirewall {
  networkAccessEnabled: boolean;
  domainAccessMode: 'specific' | 'all';
  /** Defaults ∪ spec, sorted; empty without network access. */
  domains: string[];
}

/** When a running workspace stops by itself, in milliseconds (0: never). */
export interface ResolvedLifecycle {
  idleTimeoutMs: number;
  maxAgeMs: number;
  warnBeforeMs: number;
}

export interface ResolvedWorkspace {
  id: string;
  /**
   * Whether its pods run and its hosts route: spec.started, unless the operator holds it back (a running limit).
   * A workspace not running keeps its volume, Secrets and policies.
   */
  running: boolean;
  lifecycle: ResolvedLifecycle;
  /** Each pod's bandwidth in bits per second, where limited. */
  bandwidth: { ingress?: string; egress?: string };
  namespace: string;
  owner: { name: string; namespace: string; uid?: string };
  ownerId: string;
  workspacePath: string;
  components: Record<WorkspaceComponent, ResolvedComponent>;
  env: Array<{ name: string; value: string }>;
  knowledgeBases: Array<{ kbId: string; alias: string; readOnly: boolean }>;
  storage: { name: string; size: string; storageClassName: string };
  firewall: Record<FirewallGroup, ResolvedFirewall>;
}

export class WorkspaceError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly reason = 'InvalidSpec',
    /** The platform, not the spec, lacks something (a Secret): worth retrying without a change to the Workspace. */
    readonly platformIncomplete = false,
  ) {
    super(`${field}: ${message}`);
    this.name = 'WorkspaceError';
  }
}

function hasResources(r: { requests?: object; limits?: object } | undefined): boolean {
  return !!r && (Object.keys(r.requests ?? {}).length > 0 || Object.keys(r.limits ?? {}).length > 0);
}

function asResources(r: unknown): Resources {
  return JSON.parse(JSON.stringify(r)) as Resources;
}

function latest(...times: Array<string | undefined>): string | undefined {
  const set = times.filter((t): t is string => !!t).sort((a, b) => Date.parse(a) - Date.parse(b));
  return set.at(-1);
}

/** A duration setting in milliseconds; 0 where unset or unreadable (a platform from an older chart has none). */
const durationMs = (text: string | undefined) => (text ? (parseDuration(text) ?? 0) : 0);

/**
 * The stop deadlines: the platform's, or the spec's own within the platform's limits (a limit of 0 allows any).
 * Asking for more than the limit, or for never under a limit, is refused with the field named.
 */
function lifecycleOf(spec: WorkspaceSpecJson, platform: WorkspacePlatform): ResolvedLifecycle {
  const settings = platform.lifecycle;
  const deadline = (key: 'idleTimeout' | 'maxAge'): number => {
    const own = spec.lifecycle?.[key];
    if (own === undefined) return durationMs(settings?.[key]);
    const ms = parseDuration(own);
    if (ms === undefined) throw new WorkspaceError(`spec.lifecycle.${key}`, `"${own}" is not a duration: write 2h, 90m, 1h30m, 45s, or 0 for never`);
    const limit = durationMs(settings?.limits?.[key]);
    if (limit > 0 && (ms === 0 || ms > limit)) {
      throw new WorkspaceError(`spec.lifecycle.${key}`, `${own} is beyond the platform's limit of ${formatDuration(limit)} (workspaceLifecycle.limits.${key}); ask for ${formatDuration(limit)} or less`);
    }
    return ms;
  };
  return { idleTimeoutMs: deadline('idleTimeout'), maxAgeMs: deadline('maxAge'), warnBeforeMs: durationMs(settings?.warnBefore) };
}

/** Where a Workspace's objects go: its spec.targetNamespace, else the platform's default. */
export function targetNamespaceOf(spec: Pick<WorkspaceResource['spec'], 'targetNamespace'>, platform: Pick<WorkspacePlatform, 'defaultNamespace'>): string {
  return spec.targetNamespace || platform.defaultNamespace;
}

export function resolveWorkspace(ws: WorkspaceResource, platform: WorkspacePlatform): ResolvedWorkspace {
  const spec = ws.spec;
  const [problem] = specProblems(spec);
  if (problem) throw new WorkspaceError(problem.field, problem.message);
  const id = spec.workspaceId;
  const namespace = targetNamespaceOf(spec, platform);
  if (!platform.allowedNamespaces.includes(namespace)) {
    throw new WorkspaceError(
      'spec.targetNamespace',
      `"${namespace}" is not an allowed namespace (${platform.allowedNamespaces.join(', ')}); use one of them or add it to kubernetes.allowedNamespaces`,
      'NamespaceNotAllowed',
    );
  }
  const ops = spec.operations ?? {};
  const restart = {
    runtime: latest(ops.restartWorkspaceAt, ops.restartRuntimeAt),
    browser: latest(ops.restartWorkspaceAt, ops.restartBrowserAt),
    canvas: latest(ops.restartWorkspaceAt, ops.restartCanvasAt),
  };
  const specs = { runtime: spec.runtime, browser: spec.browser, canvas: spec.canvas };
  const component = (c: WorkspaceComponent): ResolvedComponent => {
    const s = specs[c] as { image?: string; resources?: { requests?: object; limits?: object }; enabled?: boolean } | undefined;
    const name = `workspace-${c}-${id}`;
    const host = workspaceHost(platform.routing, c, id);
    const port = { runtime: WORKSPACE_PORTS.runtime.http, browser: WORKSPACE_PORTS.browser.webrtc, canvas: WORKSPACE_PORTS.canvas.http }[c];
    return {
      component: c,
      enabled: c === 'runtime' ? true : s?.enabled !== false,
      name,
      image: s?.image || platform.images[c],
      resources: hasResources(s?.resources) ? asResources(s!.resources) : platform.defaults[c],
      host,
      internalUrl: `http://${name}.${namespace}.svc.cluster.local:${port}`,
      externalUrl: publicUrl(platform.routing, host),
      restartedAt: restart[c],
    };
  };
  const firewall = (group: FirewallGroup): ResolvedFirewall => {
    const f = spec.firewall?.[group];
    const enabled = f?.networkAccessEnabled !== false;
    const mode = (f?.domainAccessMode as 'specific' | 'all' | undefined) ?? 'specific';
    const domains = enabled ? [...new Set([...platform.firewall[group], ...(f?.allowedDomains ?? [])])].sort() : [];
    return { networkAccessEnabled: enabled, domainAccessMode: mode, domains };
  };
  const env = [
    { name: 'WORKSPACE_ID', value: id },
    { name: 'WORKSPACE_OWNER_ID', value: spec.ownerId },
    { name: 'WORKSPACE_PATH', value: spec.workspacePath ?? '/workspace' },
    ...(spec.git?.url ? [{ name: 'GIT_URL', value: spec.git.url }] : []),
    ...(spec.git?.branch ? [{ name: 'GIT_BRANCH', value: spec.git.branch }] : []),
    ...(spec.envVars ?? []).map((e) => ({ name: e.key, value: e.value ?? '' })),
  ];
  const storageSize = spec.storage?.size;
  return {
    id,
    running: spec.started !== false,
    lifecycle: lifecycleOf(spec, platform),
    bandwidth: {
      ingress: spec.bandwidth?.ingress || platform.bandwidth?.ingress || undefined,
      egress: spec.bandwidth?.egress || platform.bandwidth?.egress || undefined,
    },
    namespace,
    owner: { name: ws.metadata.name, namespace: ws.metadata.namespace ?? 'default', uid: ws.metadata.uid },
    ownerId: spec.ownerId,
    workspacePath: spec.workspacePath ?? '/workspace',
    components: { runtime: component('runtime'), browser: component('browser'), canvas: component('canvas') },
    env,
    knowledgeBases: (spec.knowledgeBases ?? []).map((kb) => ({ kbId: kb.kbId, alias: kb.alias, readOnly: kb.readOnly !== false })),
    storage: {
      name: `${platform.storage.pvcPrefix}-${id}`,
      size: storageSize === undefined ? platform.storage.size : String(storageSize),
      storageClassName: spec.storage?.storageClassName || platform.storage.storageClassName,
    },
    firewall: { workspace: firewall('workspace'), browser: firewall('browser') },
  };
}
