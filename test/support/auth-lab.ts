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
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS_BIN } from '../cluster/control-plane.js';
import { NetnsLab } from './netns-lab.js';
import { AUTH_SECRET_MOUNT } from '../../lib/workspace/auth-proxy.js';

export const KEYCLOAK_HOME = join(TOOLS_BIN, '..', 'keycloak');
const TEMURIN_25 = '/usr/lib/jvm/temurin-25-jdk-amd64';
/** Keycloak 26 needs Java 21 or newer: the Temurin 25 these machines have, else JAVA_HOME. */
export const JAVA_HOME = existsSync(TEMURIN_25) ? TEMURIN_25 : (process.env.JAVA_HOME ?? TEMURIN_25);

export interface Upstream {
  host: string;
  port: number;
}

export class AuthLab extends NetnsLab {
  /** A namespace with loopback up, and the given names resolving to it. */
  constructor(hosts: string[]) {
    super('aileron-auth', hosts);
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

  /**
   * Keycloak with the rendered realm, started as the Deployment starts it (start-dev: no database of its own).
   * `home`: a private copy of the distribution, for a test that changes its import folder while another runs.
   */
  async startKeycloak(realmJson: string, env: Record<string, string>, home = KEYCLOAK_HOME): Promise<void> {
    const kc = home;
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

  /** A script that starts Debian's chromium inside the namespace (Playwright talks to it over a pipe). */
  chromiumInNamespace(): string {
    const script = join(this.dir, 'chromium.sh');
    writeFileSync(script, `#!/bin/sh\nexec ip netns exec ${this.ns} /usr/bin/chromium "$@"\n`);
    chmodSync(script, 0o755);
    return script;
  }
}
