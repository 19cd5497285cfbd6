/**
 * A network namespace a test creates for itself, and the processes it runs
 * there: traffic stays inside it (its own loopback, veth pairs it adds), and
 * /etc/netns/<ns>/hosts makes the names it is given resolve to its loopback
 * for every process in it. Needs root (CI and these machines run as root).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ROOT } from './render.js';

const SUPPORT = join(ROOT, 'build', 'test', 'support');

export class NetnsLab {
  readonly ns: string;
  readonly dir: string;
  private readonly procs: ChildProcess[] = [];
  /** Each process's output goes to a file: a pipe nobody reads while a synchronous probe runs would fill and stall it. */
  private readonly logFiles: Record<string, string> = {};

  /** A namespace with loopback up, and the given names resolving to it. */
  constructor(prefix: string, hosts: string[] = []) {
    this.ns = `${prefix}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    this.sh('ip', ['netns', 'add', this.ns]);
    this.sh('ip', ['-n', this.ns, 'link', 'set', 'lo', 'up']);
    mkdirSync(`/etc/netns/${this.ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${this.ns}/hosts`, `127.0.0.1 localhost ${hosts.join(' ')}\n::1 localhost\n`);
  }

  /** A veth pair inside the namespace, each end up with its address (for programs that will not use loopback). */
  addVethPair(a: { name: string; cidr: string }, b: { name: string; cidr: string }): void {
    this.sh('ip', ['-n', this.ns, 'link', 'add', a.name, 'type', 'veth', 'peer', 'name', b.name]);
    for (const end of [a, b]) {
      this.sh('ip', ['-n', this.ns, 'addr', 'add', end.cidr, 'dev', end.name]);
      this.sh('ip', ['-n', this.ns, 'link', 'set', end.name, 'up']);
    }
  }

  protected sh(cmd: string, args: string[]): string {
    const res = this.exec(cmd, args);
    if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${res.status ?? res.signal} ${res.error?.message ?? ''} ${res.stderr}`);
    return res.stdout;
  }

  private exec(cmd: string, args: string[]) {
    return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
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

  /** A short command inside the namespace, whatever its exit code: its output and status. */
  tryRun(cmd: string, args: string[], timeoutMs = 60_000): { status: number | null; output: string } {
    const res = spawnSync('ip', ['netns', 'exec', this.ns, cmd, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs });
    return { status: res.status, output: `${res.stdout}${res.stderr}` };
  }

  /** One HTTP request or WebSocket upgrade from inside the namespace (http-probe.ts). */
  probe(mode: 'http' | 'ws', url: string, headers: Record<string, string> = {}): { status?: number; location?: string; body?: string; opened?: boolean; echo?: string; error?: string } {
    return JSON.parse(this.run(process.execPath, [join(SUPPORT, 'http-probe.js'), mode, url, JSON.stringify(headers)]));
  }

  /** A stand-in component: HTTP on one port, the terminal WebSocket on another or the same (stand-in-workspace.ts). */
  async startStandIn(name: string, httpPort: number, wsPort: number, wsPath: string): Promise<void> {
    const proc = this.start(`stand-in ${name}`, process.execPath, [join(SUPPORT, 'stand-in-workspace.js'), name, String(httpPort), String(wsPort), wsPath]);
    await this.waitFor(`stand-in ${name}`, () => {
      if (proc.exitCode !== null) throw new Error(`stand-in ${name} exited ${proc.exitCode}: ${this.output(`stand-in ${name}`)}`);
      return this.output(`stand-in ${name}`).includes('ready');
    }, 20_000);
  }

  async waitFor(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (ok()) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`timed out waiting for ${what}:\n${Object.keys(this.logFiles).map((n) => `--- ${n}\n${this.output(n).slice(-3000)}`).join('\n')}`);
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
