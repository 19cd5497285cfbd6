/**
 * The operator as users run it, for e2e tests: a control plane of its own (a
 * test file may restart the API server or switch Cilium on and off), the
 * platform applied from a synth output, and operator processes that
 * authenticate with the operator ServiceAccount's own token, so its RBAC is
 * exercised on every call.
 */
import { HTTPROUTE_CRD } from './gateway-api.js';
import { heapLimitMb, OPERATOR_PROCESS_ENV, operatorNodeOptions } from '../../lib/components/workspace-operator.js';
import { defaultValues } from '../../lib/values/load.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ControlPlane, freePort, kubectl, kubeconfigForServiceAccount, platformConfigEnv } from '../cluster/control-plane.js';
import { ROOT } from './render.js';
import { synthToDir } from './cluster.js';

export interface Operator {
  proc: ChildProcess;
  logs: string[];
  exited: Promise<number | null>;
  healthPort: number;
  metricsPort: number;
}

export async function eventually<T>(what: string, fn: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** The operator's Kubernetes API requests so far, by verb, from its own /metrics (Lease renewals are not counted). */
type Counts = Record<'read' | 'list' | 'write' | 'reconciles' | 'renders', number>;

export async function apiRequests(op: Operator): Promise<Counts> {
  for (let attempt = 0; ; attempt++) {
    try {
      const text = await (await fetch(`http://127.0.0.1:${op.metricsPort}/metrics`)).text();
      const value = (series: string) => Number(new RegExp(`^${series} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      const count = (verb: string) => value(`aileron_operator_api_requests_total\\{verb="${verb}"\\}`);
      return { read: count('read'), list: count('list'), write: count('write'), reconciles: value('aileron_operator_reconciles_total\\{result="success"\\}'), renders: value('aileron_operator_renders_total') };
    } catch (err) {
      if (attempt >= 50) throw err; // a just-started operator is not listening yet
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Waits until the operator has finished `n` successful reconciles (a new one goes through every Workspace once). */
export async function reconciled(op: Operator, n: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await apiRequests(op)).reconciles < n) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} reconciles`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resolves once the operator's counters have not moved for `quietMs`: its work for the last change is done. */
export async function settled(op: Operator, quietMs = 2000, timeoutMs = 30_000): Promise<Counts> {
  const deadline = Date.now() + timeoutMs;
  let last = JSON.stringify(await apiRequests(op));
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const now = JSON.stringify(await apiRequests(op));
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return JSON.parse(now);
  }
  throw new Error('the operator kept calling the API');
}

/** A Workspace manifest; `extra` is indented spec YAML. */
export const workspaceYaml = (name: string, id: string, namespace: string, extra = '') => `apiVersion: platform.aileron.io/v1alpha1
kind: Workspace
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  workspaceId: ${id}
  ownerId: user-123
${extra}`;

/** What the image runs. */
export const OPERATOR_BUNDLE = join(ROOT, 'build', 'workspace-operator.mjs');

export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export class OperatorHarness {
  readonly plane = new ControlPlane();
  admin = '';
  /** The operator's ServiceAccount kubeconfig (a bearer token). */
  operatorConfig = '';
  private readonly running: Operator[] = [];

  /** Starts the control plane and applies a synth output (dist/ by default). */
  async start(platformDir = join(ROOT, 'dist')): Promise<void> {
    this.admin = (await this.plane.start()).kubeconfig;
    this.kOk(['apply', '--server-side', '-f', platformDir]);
    // Gateway API's HTTPRoute, which the operator watches in either routing mode, as most clusters now serve it.
    this.kOk(['apply', '--server-side', '-f', HTTPROUTE_CRD]);
    this.kOk(['wait', '--for=condition=Established', 'crd/workspaces.platform.aileron.io', 'crd/httproutes.gateway.networking.k8s.io']);
    this.kOk(['create', 'namespace', 'ws-owners']);
    this.operatorConfig = kubeconfigForServiceAccount({ kubeconfig: this.admin, dir: this.plane.dir, server: this.plane.server }, 'aileron', 'aileron-workspace-operator');
  }

  /** Every operator's log lines, for a failing test's report. */
  logs(): string[] {
    return this.running.flatMap((op) => op.logs);
  }

  async stop(): Promise<void> {
    for (const op of this.running) op.proc.kill('SIGKILL');
    await this.plane.stop();
  }

  k = (args: string[], input?: string) => kubectl(this.admin, args, input);

  kOk = (args: string[], input?: string): string => {
    const r = this.k(args, input);
    if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  json = (args: string[]) => JSON.parse(this.kOk([...args, '-o', 'json']));

  /** `bundle`: another build of the operator to run (the bundle the image runs by default). */
  async startOperator(name: string, env: Record<string, string> = {}, bundle = OPERATOR_BUNDLE): Promise<Operator> {
    const [healthPort, metricsPort] = [await freePort(), await freePort()];
    // The bundle, with the Deployment's Node flags and environment.
    const proc = spawn(process.execPath, [...operatorNodeOptions(heapLimitMb(defaultValues().workspaceOperator.resources.limits?.memory)).split(' '), bundle], {
      env: {
        ...process.env,
        ...platformConfigEnv(this.admin),
        ...OPERATOR_PROCESS_ENV,
        KUBECONFIG: this.operatorConfig,
        POD_NAMESPACE: 'aileron',
        POD_NAME: name,
        LEASE_DURATION_SECONDS: '3',
        HEALTH_PORT: String(healthPort),
        METRICS_PORT: String(metricsPort),
        // The workspace proxies' addresses are cluster DNS names the test host cannot (and must not) look up:
        // activity reads go to a closed loopback port unless a test runs a proxy.
        ACTIVITY_URL: 'http://127.0.0.1:9/{namespace}/{service}',
        ...env,
      },
    });
    const op: Operator = { proc, logs: [], exited: new Promise((r) => proc.on('exit', (code) => r(code))), healthPort, metricsPort };
    proc.stdout!.on('data', (c) => op.logs.push(...String(c).split('\n').filter(Boolean)));
    proc.stderr!.on('data', (c) => op.logs.push(String(c)));
    this.running.push(op);
    return op;
  }

  /** Applies the platform rendered for these `--set` values over the running one (a synth output). */
  applyPlatform(set: string[]): void {
    this.kOk(['apply', '--server-side', '--force-conflicts', '-f', synthToDir({ set }, 'aileron', 'aileron')]);
  }

  /** A platform change as it reaches the operator: new config (these `--set` values), then a new operator pod. */
  async reconfigure(op: Operator | undefined, set: string[], name = `op-${Date.now()}`): Promise<Operator> {
    this.applyPlatform(set);
    return this.replaceOperator(op, name);
  }

  /** What a config-checksum roll does: `op` stops (SIGTERM, drained) and a new operator starts. */
  async replaceOperator(op: Operator | undefined, name: string): Promise<Operator> {
    if (op) {
      op.proc.kill('SIGTERM');
      await op.exited;
    }
    return this.startOperator(name);
  }

  status = (name: string, ns = 'workspace-system') => this.json(['get', 'workspace', name, '-n', ns]).status ?? {};

  condition = (name: string, type: string, ns = 'workspace-system'): Condition | undefined =>
    (this.status(name, ns).conditions as Condition[] | undefined)?.find((c) => c.type === type);

  exists = (kind: string, name: string, ns = 'workspace-system') => this.k(['get', kind, name, '-n', ns]).status === 0;

  /** Names of the objects of one kind that carry a workspace's id. */
  owned = (kind: string, id: string, ns = 'workspace-system') =>
    this.k(['get', kind, '-n', ns, '-l', `platform.aileron.io/workspace-id=${id}`, '-o', 'name']).stdout.split('\n').filter(Boolean).sort();

  leaseHolder = () => this.json(['get', 'lease', 'aileron-workspace-operator', '-n', 'aileron']).spec.holderIdentity;
}
