/**
 * Where the API server is and how to prove who we are. The two ways the
 * operator is run are read here directly: in the cluster (its
 * ServiceAccount's projected token, re-read as the kubelet rotates it) and a
 * kubeconfig with a token or a client certificate (tests, `npm run
 * operator`). Anything else a kubeconfig may hold (exec plugins, auth
 * providers, proxies, several files merged) goes to client-node's
 * KubeConfig, loaded only then, from its own module (the package's index
 * re-exports the generated API classes): its module graph costs about 10 MB
 * of resident memory the operator otherwise does without (bench:operator).
 */
import { existsSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

export interface TlsSettings {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface Credentials {
  server: URL;
  tls: TlsSettings;
  /** Headers that authenticate a request; called per request, so each source caches as it needs. */
  headers(): Promise<http.OutgoingHttpHeaders>;
  /** Set when requests must go through it (a proxy); else the client builds its own keep-alive agents. */
  agent?: http.Agent;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/**
 * How long credentials read from a file or from client-node are reused: the kubelet rotates a projected token
 * well before it expires, and exec plugins cache their own tokens.
 */
const CREDENTIALS_TTL_MS = 10_000;

/** Headers computed at most once every CREDENTIALS_TTL_MS, not once per request. */
function reusedFor(compute: () => Promise<http.OutgoingHttpHeaders>): () => Promise<http.OutgoingHttpHeaders> {
  let cached: { at: number; headers: Promise<http.OutgoingHttpHeaders> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > CREDENTIALS_TTL_MS) {
      const headers = compute();
      cached = { at: Date.now(), headers };
      headers.catch(() => (cached = undefined));
    }
    return cached.headers;
  };
}

/** A token read from a file, and read again as it rotates. */
function tokenFile(path: string): () => Promise<http.OutgoingHttpHeaders> {
  return reusedFor(async () => ({ Authorization: `Bearer ${readFileSync(path, 'utf8').trim()}` }));
}

export function inClusterCredentials(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): Credentials {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  return {
    server: new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`),
    tls: { ca: readFileSync(join(dir, 'ca.crt')) },
    headers: tokenFile(join(dir, 'token')),
  };
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
  clusters?: Array<{ name: string; cluster: Record<string, unknown> }>;
  users?: Array<{ name: string; user?: Record<string, unknown> }>;
}

/** The fields read here; a kubeconfig with any other (exec, auth-provider, proxy-url, ...) goes to client-node. */
const CLUSTER_FIELDS = new Set(['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name']);
const USER_FIELDS = new Set(['token', 'tokenFile', 'client-certificate', 'client-certificate-data', 'client-key', 'client-key-data']);

/** A token or client-certificate kubeconfig, or undefined when it holds something only client-node handles. */
export function simpleKubeconfig(path: string): Credentials | undefined {
  const file = parse(readFileSync(path, 'utf8')) as KubeconfigFile;
  const context = file.contexts?.find((c) => c.name === file['current-context'])?.context;
  const cluster = file.clusters?.find((c) => c.name === context?.cluster)?.cluster;
  const user = file.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!context || !cluster || typeof cluster.server !== 'string') return undefined;
  if (Object.keys(cluster).some((k) => !CLUSTER_FIELDS.has(k)) || Object.keys(user).some((k) => !USER_FIELDS.has(k))) return undefined;
  const base = dirname(path);
  const bytes = (fileField: string, dataField: string, from: Record<string, unknown>): Buffer | undefined => {
    if (typeof from[dataField] === 'string') return Buffer.from(from[dataField] as string, 'base64');
    if (typeof from[fileField] === 'string') return readFileSync(isAbsolute(from[fileField] as string) ? (from[fileField] as string) : join(base, from[fileField] as string));
    return undefined;
  };
  const tls: TlsSettings = {
    ca: bytes('certificate-authority', 'certificate-authority-data', cluster),
    cert: bytes('client-certificate', 'client-certificate-data', user),
    key: bytes('client-key', 'client-key-data', user),
  };
  if (cluster['insecure-skip-tls-verify'] === true) tls.rejectUnauthorized = false;
  if (typeof cluster['tls-server-name'] === 'string') tls.servername = cluster['tls-server-name'];
  const headers =
    typeof user.token === 'string'
      ? async () => ({ Authorization: `Bearer ${user.token}` })
      : typeof user.tokenFile === 'string'
        ? tokenFile(user.tokenFile)
        : async () => ({});
  return { server: new URL(cluster.server), tls, headers };
}

/** Whatever client-node's KubeConfig makes of the default kubeconfig (its loadFromDefault). */
async function clientNodeCredentials(): Promise<Credentials> {
  const { KubeConfig } = await import('@kubernetes/client-node/dist/config.js');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster (set current-context)');
  const applied = async () => {
    const opts: Parameters<typeof kc.applyToHTTPSOptions>[0] & { auth?: string; agent?: http.Agent } = {};
    await kc.applyToHTTPSOptions(opts);
    return opts as typeof opts & TlsSettings & { headers?: http.OutgoingHttpHeaders };
  };
  const first = await applied();
  return {
    server: new URL(cluster.server),
    tls: { ca: first.ca, cert: first.cert, key: first.key, rejectUnauthorized: first.rejectUnauthorized, servername: first.servername },
    agent: cluster.proxyUrl ? first.agent : undefined,
    // KubeConfig builds a new agent each time it is asked; ask only as often as credentials may change.
    headers: reusedFor(async () => {
      const opts = await applied();
      const headers: http.OutgoingHttpHeaders = { ...opts.headers };
      if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      return headers;
    }),
  };
}

/** In client-node's loadFromDefault order: KUBECONFIG, else ~/.kube/config, else in the cluster. */
export async function loadCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  const kubeconfig = env.KUBECONFIG;
  if (kubeconfig) return (!kubeconfig.includes(delimiter) && simpleKubeconfig(kubeconfig)) || clientNodeCredentials();
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return simpleKubeconfig(home) ?? clientNodeCredentials();
  if (env.KUBERNETES_SERVICE_HOST) return inClusterCredentials(env);
  return clientNodeCredentials();
}
