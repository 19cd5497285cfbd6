/**
 * A real control plane on loopback, as envtest gives Go projects: etcd and
 * kube-apiserver processes with RBAC, PodSecurity admission, service-account
 * token signing and an admin kubeconfig. With workloads (the default),
 * kube-controller-manager, kube-scheduler and kwok run too (workloads.ts):
 * Deployments become scheduled pods on simulated nodes that turn Ready, Jobs
 * complete, claims bind, owners cascade and namespaces terminate.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';

import { startWorkloads, type NodeSize } from './workloads.js';

export const TOOLS_BIN = process.env.AILERON_TOOLS_BIN ?? join(homedir(), '.cache', 'aileron-k8s', 'bin');

export interface ControlPlaneInfo {
  dir: string;
  kubeconfig: string;
  server: string;
  etcdUrl: string;
  /** The processes behind the plane (their guards), by name: what the benchmark reads CPU time of. */
  pids: { etcd?: number; apiserver?: number };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** tmpfs when there is one: etcd's fsyncs then cost nothing. */
function dataRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

function binary(name: string): string {
  const dir = process.env.KUBEBUILDER_ASSETS && name !== 'kubectl' ? process.env.KUBEBUILDER_ASSETS : TOOLS_BIN;
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run scripts/install-tools.sh (or set KUBEBUILDER_ASSETS) first`);
  }
  return path;
}

export interface ControlPlaneOptions {
  /** Run kube-controller-manager, kube-scheduler and kwok with simulated nodes (default true). */
  workloads?: boolean;
  /** How many simulated nodes (default 3, one per zone a, b, c). */
  nodes?: number;
  /** What each node offers (default DEFAULT_NODE_SIZE). */
  nodeSize?: NodeSize;
}

export class ControlPlane {
  private etcd?: ChildProcess;
  private apiserver?: ChildProcess;
  private readonly others: ChildProcess[] = [];
  private stopping = false;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly adminToken = randomBytes(24).toString('hex');
  server = '';
  private etcdUrl = '';
  private args: string[] = [];

  constructor(
    dir?: string,
    readonly options: ControlPlaneOptions = {},
  ) {
    this.dir = dir ?? mkdtempSync(join(dataRoot(), 'aileron-cp-'));
    this.kubeconfig = join(this.dir, 'kubeconfig');
  }

  async start(): Promise<ControlPlaneInfo> {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    this.etcdUrl = `http://127.0.0.1:${etcdPort}`;
    this.server = `https://127.0.0.1:${apiPort}`;
    this.etcd = this.spawnGuarded('etcd', binary('etcd'), [
      `--data-dir=${join(this.dir, 'etcd')}`,
      `--listen-client-urls=${this.etcdUrl}`,
      `--advertise-client-urls=${this.etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
    ]);
    await waitFor('etcd', async () => (await httpGet(`${this.etcdUrl}/health`)).includes('true'), 30_000);

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(this.dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(join(this.dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(this.dir, 'tokens.csv'), `${this.adminToken},admin,admin,system:masters\n`);
    mkdirSync(join(this.dir, 'certs'), { recursive: true });
    this.args = [
      `--etcd-servers=${this.etcdUrl}`,
      `--secure-port=${apiPort}`,
      '--bind-address=127.0.0.1',
      `--cert-dir=${join(this.dir, 'certs')}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${join(this.dir, 'tokens.csv')}`,
      '--enable-admission-plugins=NamespaceLifecycle,PodSecurity,LimitRanger,ResourceQuota',
      // No controller-manager creates `default` ServiceAccounts, which this plugin would demand.
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(this.dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(this.dir, 'sa.key')}`,
      // kubeadm's default: room for thousands of workspace Services.
      '--service-cluster-ip-range=10.96.0.0/12',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      '--v=0',
    ];
    await this.startApiserver();
    this.writeKubeconfig(this.kubeconfig, 'admin', { token: this.adminToken });
    if (this.options.workloads !== false) await startWorkloads(this, this.options.nodes ?? 3, this.options.nodeSize);
    return this.info();
  }

  /** Starts one more component of the cluster under the same guard; stop() ends it first. */
  spawnComponent(name: string, args: string[]): ChildProcess {
    const child = this.spawnGuarded(name, binary(name), args);
    this.others.push(child);
    return child;
  }

  private async startApiserver(): Promise<void> {
    this.apiserver = this.spawnGuarded('kube-apiserver', binary('kube-apiserver'), this.args);
    await waitFor(
      'kube-apiserver',
      async () => (await httpGet(`${this.server}/readyz`, this.adminToken)) === 'ok',
      120_000,
      () => this.apiserver?.exitCode !== null,
    );
  }

  /** Stops and starts the API server only (etcd keeps the data), for restart tests. */
  async restartApiserver(): Promise<void> {
    await stopProcess(this.apiserver);
    await this.startApiserver();
  }

  info(): ControlPlaneInfo {
    return {
      dir: this.dir,
      kubeconfig: this.kubeconfig,
      server: this.server,
      etcdUrl: this.etcdUrl,
      pids: { etcd: this.etcd?.pid, apiserver: this.apiserver?.pid },
    };
  }

  caData(): string {
    return readFileSync(join(this.dir, 'certs', 'apiserver.crt')).toString('base64');
  }

  writeKubeconfig(path: string, user: string, auth: { token: string }, namespace = 'default'): string {
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'aileron-test', cluster: { server: this.server, 'certificate-authority-data': this.caData() } }],
      users: [{ name: user, user: auth }],
      contexts: [{ name: user, context: { cluster: 'aileron-test', user, namespace } }],
      'current-context': user,
    };
    writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
    return path;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const child of this.others) await stopProcess(child);
    await stopProcess(this.apiserver);
    await stopProcess(this.etcd);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Starts a process under a shell guard that kills it when this Node process
   * dies, so an interrupted test run never leaves etcd or the apiserver behind.
   */
  private spawnGuarded(name: string, bin: string, args: string[]): ChildProcess {
    const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const guard = `${quoted} & child=$!
trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
while kill -0 ${process.pid} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1 & wait $!; done
kill -TERM $child 2>/dev/null; wait $child`;
    const log = join(this.dir, `${name}.log`);
    writeFileSync(log, '');
    const child = spawn('/bin/sh', ['-c', guard], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => writeFileSync(log, chunk, { flag: 'a' }));
    child.on('exit', (code) => {
      if (!this.stopping && code !== 0 && code !== null) process.stderr.write(`${name} exited with ${code}; see ${log}\n`);
    });
    return child;
  }
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, died?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died?.()) throw new Error(`${what} exited during start`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000}s`);
}

/** A GET that trusts the apiserver's self-signed serving cert (readiness probe only). */
function httpGet(url: string, token?: string): Promise<string> {
  if (url.startsWith('http://')) return fetch(url).then((r) => r.text());
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { rejectUnauthorized: false, headers: token ? { Authorization: `Bearer ${token}` } : {}, timeout: 2000 },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** kubectl against a kubeconfig; returns status, stdout and stderr. */
export function kubectl(kubeconfig: string, args: string[], input?: string) {
  const res = spawnSync(binary('kubectl'), ['--kubeconfig', kubeconfig, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: res.status ?? 1, stdout: res.stdout, stderr: res.stderr };
}

/** A kubeconfig that authenticates as a ServiceAccount, with a token from the TokenRequest API. */
export function kubeconfigForServiceAccount(cp: { kubeconfig: string; dir: string; server: string }, namespace: string, name: string): string {
  const res = kubectl(cp.kubeconfig, ['create', 'token', name, '-n', namespace, '--duration=1h']);
  if (res.status !== 0) throw new Error(`create token for ${namespace}/${name}: ${res.stderr}`);
  const admin = JSON.parse(readFileSync(cp.kubeconfig, 'utf8'));
  admin.users = [{ name, user: { token: res.stdout.trim() } }];
  admin.contexts = [{ name, context: { cluster: 'aileron-test', user: name, namespace } }];
  admin['current-context'] = name;
  const path = join(cp.dir, `sa-${namespace}-${name}.kubeconfig`);
  writeFileSync(path, JSON.stringify(admin, null, 2), { mode: 0o600 });
  return path;
}

/**
 * What the operator Deployment's envFrom gives it: the platform ConfigMap's data as environment (its workspace
 * namespaces among them, which decide where it watches).
 */
export function platformConfigEnv(kubeconfig: string, namespace = 'aileron', name = 'aileron-platform-config'): Record<string, string> {
  const res = kubectl(kubeconfig, ['get', 'configmap', name, '-n', namespace, '-o', 'jsonpath={.data}']);
  if (res.status !== 0) throw new Error(`reading ConfigMap ${namespace}/${name}: ${res.stderr}`);
  return JSON.parse(res.stdout || '{}') as Record<string, string>;
}
