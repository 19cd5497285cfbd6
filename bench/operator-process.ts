/**
 * The operator as the benchmark runs it: a child process under its own
 * ServiceAccount, with the heap cap and settings the chart would give it, and
 * its /metrics read back (API requests by verb, reconciles, RSS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { OPERATOR_PROCESS_ENV, operatorNodeOptions } from '../lib/components/workspace-operator.js';
import { join } from 'node:path';

export interface OperatorSettings {
  kubeconfig: string;
  /** The platform ConfigMap's data, which the Deployment's envFrom gives the operator. */
  platformEnv: Record<string, string>;
  heapMb: number;
  workers: number;
  qps: number;
  burst: number;
  /** More environment (the activity reading's address and pace). */
  env?: Record<string, string>;
}

export interface Counters {
  read: number;
  list: number;
  write: number;
  reconciles: number;
  /** Workspaces rendered from the constructs. */
  renders: number;
  throttled: number;
  rssMb: number;
  /** The part of RSS mapped from files (Node's binary and its libraries): clean pages, reclaimed before an OOM kill. */
  rssFileMb: number;
  heapUsedMb: number;
  /** The operator's user + system CPU seconds. */
  cpuSeconds: number;
}

const ROOT = process.cwd();

export class OperatorProcess {
  private readonly proc: ChildProcess;
  private peakRssKb = 0;
  private readonly exited: Promise<unknown>;

  constructor(
    readonly name: string,
    settings: OperatorSettings,
    private readonly metricsPort: number,
  ) {
    this.proc = spawn(
      process.execPath,
      // As the chart runs it: the bundle, with the Deployment's NODE_OPTIONS (BENCH_NODE_OPTIONS to compare others).
      [...(process.env.BENCH_NODE_OPTIONS ?? operatorNodeOptions(settings.heapMb)).split(' '), '--require', join(ROOT, 'bench', 'report-rss.cjs'), join(ROOT, 'build', 'workspace-operator.mjs')],
      {
        env: {
          ...process.env,
          ...settings.platformEnv,
          ...OPERATOR_PROCESS_ENV,
          KUBECONFIG: settings.kubeconfig,
          POD_NAMESPACE: 'aileron',
          POD_NAME: name,
          HEALTH_PORT: String(metricsPort + 1),
          METRICS_PORT: String(metricsPort),
          LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
          KUBE_API_QPS: String(settings.qps),
          KUBE_API_BURST: String(settings.burst),
          WORKERS: String(settings.workers),
          ...settings.env,
        },
        stdio: ['ignore', process.env.BENCH_OPERATOR_LOG ? 'inherit' : 'pipe', 'inherit', 'pipe'],
      },
    );
    // Its warnings and errors are kept (a relist, a failed write), so the report can say there were none.
    let partial = '';
    this.proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) if (/"level":"(warn|error)"/.test(line)) this.warnings.push(line);
    });
    this.proc.stdio[3]!.on('data', (c) => (this.peakRssKb = Number(String(c).trim())));
    this.exited = new Promise((r) => this.proc.on('exit', r));
    // An operator that dies mid-run (out of memory, say) ends the benchmark, rather than leaving it waiting.
    this.proc.on('exit', (code, signal) => {
      if (this.stopping) return;
      process.stderr.write(`[bench] operator ${name} exited (${signal ?? code}) before the benchmark stopped it\n`);
      process.exit(1);
    });
  }

  private stopping = false;
  /** Log lines at warn or error level. */
  readonly warnings: string[] = [];

  async counters(): Promise<Counters> {
    for (let i = 0; i < 100; i++) {
      try {
        const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
        const value = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
        return {
          read: value('aileron_operator_api_requests_total\\{verb="read"\\}'),
          list: value('aileron_operator_api_requests_total\\{verb="list"\\}'),
          write: value('aileron_operator_api_requests_total\\{verb="write"\\}'),
          reconciles: value('aileron_operator_reconciles_total\\{result="success"\\}'),
          renders: value('aileron_operator_renders_total'),
          throttled: value('aileron_operator_api_throttled_total'),
          rssMb: value('process_resident_memory_bytes') / 2 ** 20,
          rssFileMb: this.rssFileKb() / 1024,
          heapUsedMb: value('nodejs_heap_size_used_bytes') / 2 ** 20,
          cpuSeconds: value('process_cpu_seconds_total'),
        };
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`operator ${this.name}: metrics unreachable`);
  }

  /** RssFile from /proc (0 where there is none). */
  private rssFileKb(): number {
    try {
      return Number(/^RssFile:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /** Waits until it leads and its caches have listed (its /readyz, once it holds the Lease), and returns its counters. */
  async ready(timeoutMs = 60_000): Promise<Counters> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const metrics = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
        const leads = /^aileron_operator_leader 1$/m.test(metrics);
        if (leads && (await fetch(`http://127.0.0.1:${this.metricsPort + 1}/readyz`)).status === 200) return this.counters();
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`operator ${this.name}: not ready within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until the API counters stay still for `quietMs`: the operator is done with what it was given. */
  async settled(quietMs = 3000): Promise<Counters> {
    let last = await this.counters();
    let since = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await this.counters();
      if (now.write !== last.write || now.read !== last.read || now.list !== last.list || now.reconciles !== last.reconciles) {
        [last, since] = [now, Date.now()];
      } else if (Date.now() - since >= quietMs) return now;
    }
  }

  /** Stops it (SIGTERM) and returns its peak RSS in MB. */
  async stop(): Promise<number> {
    this.stopping = true;
    this.proc.kill('SIGTERM');
    await this.exited;
    return this.peakRssKb / 1024;
  }
}

export function delta(after: Counters, before: Counters): Counters {
  return {
    read: after.read - before.read,
    list: after.list - before.list,
    write: after.write - before.write,
    reconciles: after.reconciles - before.reconciles,
    renders: after.renders - before.renders,
    throttled: after.throttled - before.throttled,
    rssMb: after.rssMb,
    rssFileMb: after.rssFileMb,
    heapUsedMb: after.heapUsedMb,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
  };
}
