/**
 * The operator's HTTP client for the Kubernetes API: plain JSON requests
 * over one keep-alive agent, and watches as streams of JSON lines, with the
 * server and credentials of credentials.ts.
 *
 * Why not client-node's generated API classes: they load a serializer for
 * every Kubernetes type (7 MB of heap and 10 MB of RSS at idle in the bundle,
 * measured), and build a new agent, so a new TCP and TLS handshake, for every
 * request.
 */
import http from 'node:http';
import https from 'node:https';
import type { Credentials } from './credentials.js';

/** An answer outside 2xx, with the server's body (its Status, as text) and headers. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
    readonly headers: http.IncomingHttpHeaders,
  ) {
    super(`HTTP ${code}`);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Defaults to application/json when there is a body. */
  contentType?: string;
  /** Defaults to application/json. */
  accept?: string;
}

/** One event of a watch, as the server sends it. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A request the server never answers fails instead of holding a worker. */
const REQUEST_TIMEOUT_MS = 60_000;

export class ApiClient {
  /** Requests share a bounded pool of connections; watches hold one each, outside that pool. */
  private readonly requestAgent: http.Agent;
  private readonly watchAgent: http.Agent;

  constructor(
    private readonly credentials: Credentials,
    maxSockets = 32,
  ) {
    this.requestAgent = credentials.agent ?? this.agent({ keepAlive: true, maxSockets });
    this.watchAgent = credentials.agent ?? this.agent({ keepAlive: true });
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: http.OutgoingHttpHeaders = { ...(await this.credentials.headers()), Accept: options.accept ?? 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    return new Promise<T>((resolve, reject) => {
      const req = this.send(path, options.query, { method, headers, agent: this.requestAgent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code < 200 || code > 299) return reject(new ApiError(code, text, res.headers));
          try {
            resolve((text ? JSON.parse(text) : undefined) as T);
          } catch (err) {
            reject(err);
          }
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * Watches `path` from `query.resourceVersion`: `onEvent` for every event, then `onDone` once when the stream
   * ends, fails or is aborted (with the error, if any; a refusal is an ApiError).
   */
  async watch<T>(path: string, query: Query, onEvent: (event: WatchEvent<T>) => void, onDone: (err?: Error) => void, accept = 'application/json'): Promise<{ abort(): void }> {
    const headers = { ...(await this.credentials.headers()), Accept: accept };
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      req.destroy();
      onDone(err);
    };
    const req = this.send(path, { ...query, watch: true }, { method: 'GET', headers, agent: this.watchAgent }, (res) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish(new ApiError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers)));
        return;
      }
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          if (!line.trim()) continue;
          try {
            onEvent(JSON.parse(line) as WatchEvent<T>);
          } catch (err) {
            return finish(err as Error);
          }
        }
      });
      res.on('end', () => finish());
      res.on('error', finish);
    });
    // A connection that died without a word (a node gone) is noticed by TCP keep-alive probes.
    req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
    req.on('error', finish);
    req.end();
    return { abort: () => finish() };
  }

  private send(path: string, query: Query | undefined, options: https.RequestOptions, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
    const { server } = this.credentials;
    const url = new URL(server.pathname.replace(/\/$/, '') + path, server);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    return (url.protocol === 'https:' ? https.request : http.request)(url, options, onResponse);
  }

  private agent(options: http.AgentOptions): http.Agent {
    if (this.credentials.server.protocol === 'http:') return new http.Agent(options);
    const { ca, cert, key, rejectUnauthorized, servername } = this.credentials.tls;
    return new https.Agent({ ...options, ca, cert, key, servername, ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }) });
  }
}
