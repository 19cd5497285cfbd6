/**
 * The real pieces of workspace sign-in, wired as a cluster wires them, inside
 * a network namespace the test creates (so port 80 and the public host names
 * are its own, and no traffic leaves it):
 * - Debian's nginx on port 80 stands in for the ingress controller, routing
 *   the public hosts;
 * - Keycloak (the Maven Central distribution) imports the realm JSON exactly
 *   as the chart renders it, with the Deployment's own environment (its
 *   database aside: dev-mem);
 * - oauth2-proxy, built from its Go module, runs the sign-in callback and
 *   each workspace's proxy with the arguments the constructs render: only
 *   the listening address, the Secret volume's path and, for the second
 *   workspace, the upstream ports move, since every "pod" here shares one
 *   loopback;
 * - stand-in component servers sit behind the workspace proxies.
 * /etc/netns/<ns>/hosts makes the public hosts and the Keycloak Service name
 * resolve to the namespace's loopback, for every process in it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { TOOLS_BIN } from '../cluster/control-plane.js';
import { ROOT } from './render.js';
import { AUTH_SECRET_MOUNT } from '../../lib/workspace/auth-proxy.js';

export const KEYCLOAK_HOME = join(TOOLS_BIN, '..', 'keycloak');
const TEMURIN_25 = '/usr/lib/jvm/temurin-25-jdk-amd64';
/** Keycloak 26 needs Java 21 or newer: the Temurin 25 these machines have, else JAVA_HOME. */
export const JAVA_HOME = existsSync(TEMURIN_25) ? TEMURIN_25 : (process.env.JAVA_HOME ?? TEMURIN_25);
const SUPPORT = join(ROOT, 'build', 'test', 'support');

export interface Upstream {
  host: string;
  port: number;
}

export class AuthLab {
  readonly ns = `aileron-auth-${process.pid}-${randomBytes(2).toString('hex')}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'aileron-auth-'));
  private readonly procs: ChildProcess[] = [];
  /** Each process's output goes to a file: a pipe nobody reads while a synchronous probe runs would fill and stall it. */
  private readonly logFiles: Record<string, string> = {};

  /** A namespace with loopback up, and the given names resolving to it. */
  constructor(hosts: string[]) {
    this.sh('ip', ['netns', 'add', this.ns]);
    this.sh('ip', ['-n', this.ns, 'link', 'set', 'lo', 'up']);
    mkdirSync(`/etc/netns/${this.ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${this.ns}/hosts`, `127.0.0.1 localhost ${hosts.join(' ')}\n::1 localhost\n`);
  }

  private sh(cmd: string, args: string[]): string {
    const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${res.status ?? res.signal} ${res.error?.message ?? ''} ${res.stderr}`);
    return res.stdout;
  }

  /** A long-running process inside the namespace, its output kept in a file under `name`. */
  start(name: string, cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const file = join(this.dir, `${name.replace(/[^\w.-]+/g, '_')}.log`);
    const out = openSync(file, 'a');
    const proc = spawn('ip', ['netns', 'exec', this.ns, cmd, ...args], { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    this.logFiles[name] = file;
    this.procs.push(proc);
    return proc;
  }

  /** What a process has printed so far. */
  output(name: string): string {
    return existsSync(this.logFiles[name]) ? readFileSync(this.logFiles[name], 'utf8') : '';
  }

  /** A short command inside the namespace; its stdout. */
  run(cmd: string, args: string[]): string {
    return this.sh('ip', ['netns', 'exec', this.ns, cmd, ...args]);
  }

  /** One HTTP request or WebSocket upgrade from inside the namespace (http-probe.ts). */
  probe(mode: 'http' | 'ws', url: string, headers: Record<string, string> = {}): { status?: number; location?: string; body?: string; opened?: boolean; echo?: string; error?: string } {
    return JSON.parse(this.run(process.execPath, [join(SUPPORT, 'http-probe.js'), mode, url, JSON.stringify(headers)]));
  }

  async waitFor(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (ok()) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`timed out waiting for ${what}:\n${Object.keys(this.logFiles).map((n) => `--- ${n}\n${this.output(n).slice(-3000)}`).join('\n')}`);
  }

  /** Debian's nginx on port 80, routing each public host to a loopback port, WebSocket upgrades included. */
  startIngress(routes: Upstream[]): void {
    const d = join(this.dir, 'nginx');
    mkdirSync(d, { recursive: true });
    const servers = routes.map((r) => `
  server {
    listen 127.0.0.1:80;
    server_name ${r.host};
    location / {
      proxy_pass http://127.0.0.1:${r.port};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port 80;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffer_size 16k;
      proxy_buffers 8 16k;
    }
  }`).join('\n');
    writeFileSync(join(d, 'nginx.conf'), `user root;
worker_processes 1;
daemon off;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${d}/access.log;
  client_body_temp_path ${d}/body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
${servers}
}
`);
    this.start('nginx', 'nginx', ['-c', join(d, 'nginx.conf'), '-e', join(d, 'error.log')]);
  }

  /** Keycloak with the rendered realm, started as the Deployment starts it (start-dev: no database of its own). */
  async startKeycloak(realmJson: string, env: Record<string, string>): Promise<void> {
    const kc = KEYCLOAK_HOME;
    if (!existsSync(join(kc, 'bin', 'kc.sh'))) throw new Error(`${kc} is missing: run scripts/install-tools.sh`);
    mkdirSync(join(kc, 'data', 'import'), { recursive: true });
    writeFileSync(join(kc, 'data', 'import', 'realm.json'), realmJson);
    this.start('keycloak', join(kc, 'bin', 'kc.sh'), ['start-dev', '--import-realm', '--db=dev-mem'], { ...env, JAVA_HOME });
    await this.waitFor('Keycloak ready', () => (this.probe('http', 'http://127.0.0.1:9000/health/ready').status ?? 0) === 200, 180_000);
  }

  /** An oauth2-proxy with the given flags and its credentials as files (what the Secret volume holds). */
  startProxy(name: string, args: string[], secrets: Record<string, string>): ChildProcess {
    const d = join(this.dir, name);
    mkdirSync(d, { recursive: true });
    for (const [key, value] of Object.entries(secrets)) writeFileSync(join(d, key), value);
    const rewritten = args.map((a) => a.replace(`=${AUTH_SECRET_MOUNT}`, `=${d}`));
    return this.start(name, join(TOOLS_BIN, 'oauth2-proxy'), rewritten);
  }

  /** A stand-in component: HTTP on one port, the terminal WebSocket on another (stand-in-workspace.ts). */
  async startStandIn(name: string, httpPort: number, wsPort: number, wsPath: string): Promise<void> {
    const proc = this.start(`stand-in ${name}`, process.execPath, [join(SUPPORT, 'stand-in-workspace.js'), name, String(httpPort), String(wsPort), wsPath]);
    await this.waitFor(`stand-in ${name}`, () => {
      if (proc.exitCode !== null) throw new Error(`stand-in ${name} exited ${proc.exitCode}: ${this.output(`stand-in ${name}`)}`);
      return this.output(`stand-in ${name}`).includes('ready');
    }, 20_000);
  }

  /** A script that starts Debian's chromium inside the namespace (Playwright talks to it over a pipe). */
  chromiumInNamespace(): string {
    const script = join(this.dir, 'chromium.sh');
    writeFileSync(script, `#!/bin/sh\nexec ip netns exec ${this.ns} /usr/bin/chromium "$@"\n`);
    chmodSync(script, 0o755);
    return script;
  }

  async stop(): Promise<void> {
    for (const p of this.procs) {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', this.ns]);
    rmSync(`/etc/netns/${this.ns}`, { recursive: true, force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
