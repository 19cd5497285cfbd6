/**
 * `npm run bench:operator`: the operator against the local control plane, N
 * Workspaces (1000 by default, BENCH_WORKSPACES), Cilium on (its real CRD),
 * at the chart's default workers and API rate (BENCH_WORKERS, BENCH_QPS
 * override). Reports, with ratios to the physical anchor (a plain client
 * making the burst's writes, bench/anchor.ts; and to its cheapest path):
 *  - a burst of N creations: time until all reconciled, create-to-status p50/p99;
 *  - writes during 60 s of steady state (BENCH_STEADY_SECONDS), with activity reading on: the operator reads a real
 *    workspace proxy (oauth2-proxy on loopback) for every workspace every 15 s (BENCH_ACTIVITY_INTERVAL);
 *  - activity: requests through that proxy for 150 s (BENCH_ACTIVITY_SECONDS), so every workspace is active: its
 *    status.lastActivityTime writes, and the shortest time between two of one workspace's (target >= 60 s);
 *  - one allowedDomains change on all N: time to converge, writes and LISTs per workspace;
 *  - an operator restart over N converged workspaces: time until back to steady state, and its writes;
 *  - the operator's RSS, peak and per 1,000 workspaces;
 *  - the CPU the API server and etcd used through the anchor and through the burst, and the operator's.
 *
 * `npm run bench:operator -- --pods` runs the scheduler, controller-manager
 * and kwok's simulated nodes too, and measures create -> every pod of the
 * workspace Running and Ready, and create -> the Workspace reporting Running
 * (which the operator takes from the real Deployment status).
 * Figures only; no assertion.
 */
import { ControlPlane, kubectl, kubeconfigForServiceAccount, platformConfigEnv } from '../test/cluster/control-plane.js';
import { synthToDir } from '../test/support/cluster.js';
import { CILIUM_NETWORK_POLICY_CRD } from '../test/support/cilium.js';
import { HTTPROUTE_CRD } from '../test/support/gateway-api.js';
import { heapLimitMb } from '../lib/components/workspace-operator.js';
import { defaultValues, loadValues } from '../lib/values/load.js';
import { workspacePlatform } from '../lib/workspace/platform.js';
import { COMPONENTS } from '../lib/workspace/model.js';
import type { WorkspaceComponent } from '../lib/values/hosts.js';
import { PlatformCredentials } from '../operator/platform-credentials.js';
import { ReconcileCaches } from '../operator/reconcile/caches.js';
import { Logger } from '../operator/log.js';
import { MANAGED_BY, WORKSPACE_ID_LABEL } from '../lib/workspace/labels.js';
import { anchorSelector, removeObjects, runAnchor, type AnchorForm } from './anchor.js';
import { loadCredentials } from '../operator/credentials.js';
import { Kube } from '../operator/kube.js';
import { delta, OperatorProcess } from './operator-process.js';
import { treeCpuSeconds } from './cpu.js';
import { startLoopbackProxy } from '../test/support/loopback-proxy.js';

const N = Number(process.env.BENCH_WORKSPACES ?? 1000);
const STEADY_MS = Number(process.env.BENCH_STEADY_SECONDS ?? 60) * 1000;
const ACTIVITY_MS = Number(process.env.BENCH_ACTIVITY_SECONDS ?? 150) * 1000;
const ACTIVITY_INTERVAL_S = Number(process.env.BENCH_ACTIVITY_INTERVAL ?? 15);
const PODS = process.argv.includes('--pods');
const chartDefaults = defaultValues().workspaceOperator;
const WORKERS = Number(process.env.BENCH_WORKERS ?? chartDefaults.workers);
const QPS = Number(process.env.BENCH_QPS ?? chartDefaults.apiQps);
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? heapLimitMb(chartDefaults.resources.limits?.memory));
const NS = 'workspace-system';
// Platform values beside Cilium, as --set would take them (BENCH_SET="workspaceAuth.enabled=false,..."): to weigh a
// feature, run the benchmark with it on and off, same code, same machine.
const SET = ['cilium.enabled=true', ...(process.env.BENCH_SET ?? '').split(',').filter(Boolean)];
// Anchor and burst in turn, ROUNDS times: the machine's pace drifts by a third within minutes, so one pair can
// read 1.2x and the next 1.9x; the median of the rounds' ratios is the figure.
const ROUNDS = PODS || process.env.BENCH_ANCHOR === '0' ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
const DOMAIN = 'docs.example.org';
// Large simulated nodes, as many as a default Workspace's requests need (runtime, browser and canvas ask for
// 1.75 CPU and 1.75 GiB together), plus one for the platform.
const NODE_SIZE = { cpu: '128', memory: '512Gi', pods: 256 };
const NODES = Math.max(3, Math.ceil(Math.max((N * 1.75) / 128, (N * 3) / 256)) + 1);

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (ms: number[], p: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))];
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

const plane = new ControlPlane(undefined, { workloads: PODS, nodes: NODES, nodeSize: NODE_SIZE });
const info = await plane.start();
const k = (args: string[]): string => {
  const r = kubectl(info.kubeconfig, args);
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};
k(['apply', '--server-side', '-f', CILIUM_NETWORK_POLICY_CRD]);
// The HTTPRoute CRD too: the operator watches the kind in either routing mode (a kind not served is listed again
// every 15 s, which a cluster without it pays).
k(['apply', '--server-side', '-f', HTTPROUTE_CRD]);
k(['apply', '--server-side', '-f', synthToDir({ set: SET }, 'aileron', 'aileron')]);
k(['wait', '--for=condition=Established', 'crd/workspaces.platform.aileron.io', 'crd/ciliumnetworkpolicies.cilium.io', 'crd/httproutes.gateway.networking.k8s.io']);
// Every workspace's activity is read from one real proxy on loopback (workspace pods do not run here).
const activityProxy = await startLoopbackProxy(workspacePlatform(loadValues({ set: SET }), { namespace: 'aileron', release: 'aileron' }));
const operatorSettings = {
  env: { ACTIVITY_URL: activityProxy.metrics, ACTIVITY_INTERVAL_SECONDS: String(ACTIVITY_INTERVAL_S) },
  kubeconfig: kubeconfigForServiceAccount(info, 'aileron', 'aileron-workspace-operator'),
  platformEnv: platformConfigEnv(info.kubeconfig),
  heapMb: HEAP_MB,
  workers: WORKERS,
  qps: QPS,
  burst: QPS * 2,
};

// The benchmark's own client, as admin, with no rate limit: creating and changing Workspaces never paces the run.
const credentials = await loadCredentials({ KUBECONFIG: info.kubeconfig });
const kube = new Kube(credentials, 1e9, 1e9, undefined, 64);
const workspaces = { apiVersion: 'platform.aileron.io/v1alpha1', plural: 'workspaces', namespace: NS };

const platform = workspacePlatform(loadValues({ set: SET }), { namespace: 'aileron', release: 'aileron' });
// BENCH_ANCHOR=0 skips it (a quicker run when only the operator's own figures are wanted); so does --pods, where
// the anchor's Deployments would take the simulated nodes' room.
// The same platform credentials the operator reads, so the anchor applies the same objects (each workspace's TURN
// and proxy Secrets too).
const platformCredentials = await new PlatformCredentials(kube, new Logger('warn'), new ReconcileCaches().credentials).get(platform);
// The API server's and etcd's CPU through the anchor and through the burst: the two cores are shared.
// And the benchmark's own process: the anchor's client, or the Workspaces' creation and the status watch.
const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const planeCpu = () => ({ apiserver: treeCpuSeconds([info.pids.apiserver ?? 0]), etcd: treeCpuSeconds([info.pids.etcd ?? 0]), bench: ownCpu() });
type CpuSplit = ReturnType<typeof planeCpu>;
const cpuSince = (start: CpuSplit): CpuSplit => {
  const now = planeCpu();
  return { apiserver: now.apiserver - start.apiserver, etcd: now.etcd - start.etcd, bench: now.bench - start.bench };
};
const skipAnchor = process.env.BENCH_ANCHOR === '0' || PODS;
const operatorCredentials = await loadCredentials({ KUBECONFIG: operatorSettings.kubeconfig });
/** Runs one form of the anchor and removes its objects; its CPU is read around the run alone. */
async function anchorRun(form: AnchorForm, round: number) {
  if (skipAnchor) return { totalMs: NaN, latenciesMs: [NaN], writesPerWorkspace: NaN, cpu: planeCpu() };
  progress(form.form === 'burst' ? `anchor: a plain client makes the burst's writes for ${N} workspaces` : 'anchor, cheapest path: the objects alone, as admin');
  const cpuStart = planeCpu();
  const result = await runAnchor(form, platform, platformCredentials, NS, N, `r${round}`);
  const cpu = cpuSince(cpuStart);
  progress(`removing the anchor's objects (${form.form} form)`);
  await removeObjects(kube, NS, anchorSelector);
  return { ...result, cpu };
}
type Seen = {
  metadata: { name: string; generation?: number };
  status?: {
    phase?: string;
    observedGeneration?: number;
    components?: Partial<Record<WorkspaceComponent, { internalUrl?: string; lastRestartedAt?: string }>>;
    firewall?: { workspace?: { effectiveAllowedDomains?: string[] } };
  };
};
/** Watches Workspaces and records, per name, when each predicate first held. */
class StatusWatch {
  readonly at = new Map<string, number>();
  private resolve?: () => void;
  constructor(private predicate: (w: Seen) => boolean) {
    this.watch();
  }
  reset(predicate: (w: Seen) => boolean): void {
    this.at.clear();
    this.predicate = predicate;
  }
  whenAll(n: number): Promise<void> {
    return this.at.size >= n ? Promise.resolve() : new Promise((r) => (this.resolve = () => this.at.size >= n && r()));
  }
  private watch(): void {
    // A watch ends on errors (a fresh API server answers 429 while CRD storage starts): re-establish it.
    const again = () => setTimeout(() => this.watch(), 200);
    void kube
      .watch<Seen>(workspaces, {}, ({ object: w }) => {
        if (!w.metadata?.name || this.at.has(w.metadata.name) || !this.predicate(w)) return;
        this.at.set(w.metadata.name, Date.now());
        this.resolve?.();
      }, again)
      .catch(again);
  }
}

const reconciled = (w: Seen) => (PODS ? w.status?.phase === 'Running' : Boolean(w.status?.components?.runtime?.internalUrl));
const statuses = new StatusWatch(reconciled);
const podsReady = new Map<string, number>();
if (PODS) {
  const watchPods = () =>
    void kube
      .watch<{ metadata?: { labels?: Record<string, string> }; status?: { conditions?: { type: string; status: string }[] } }>({ apiVersion: 'v1', plural: 'pods' }, { labelSelector: WORKSPACE_ID_LABEL }, ({ object: pod }) => {
        const id = pod.metadata?.labels?.[WORKSPACE_ID_LABEL];
        if (id && !statuses.at.has(id) && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) podsReady.set(id, Date.now());
      }, () => setTimeout(watchPods, 200))
      .catch(() => setTimeout(watchPods, 200));
  watchPods();
}

/** Prints, every 10 s, how many Workspaces the status watch has seen reach its predicate. */
const tickProgress = () => setInterval(() => progress(`${statuses.at.size}/${N} ${PODS ? 'Running' : 'reconciled'}`), 10_000);

let metricsPort = 19280;
let round = 0;
/** Workspace i of the current round: each round's names are its own. */
const nameOf = (i: number) => `bench-${round}-${i}`;

/** One round: the anchor in both forms, then a fresh operator's burst over the same N. */
async function burstRound() {
  round++;
  const anchor = await anchorRun({ form: 'burst', admin: credentials, operator: operatorCredentials }, round);
  const cheapest = await anchorRun({ form: 'objects', admin: credentials }, round);
  statuses.reset(reconciled);
  metricsPort += 10;
  const operator = new OperatorProcess(`bench-${round}`, operatorSettings, metricsPort);
  const idle = await operator.ready();
  progress(`burst ${round}/${ROUNDS}: creating ${N} workspaces (operator: ${WORKERS} workers, ${QPS} requests/s)`);
  const created = new Map<string, number>();
  const cpuStart = planeCpu();
  const start = Date.now();
  await inParallel(N, 20, async (i) => {
    const name = nameOf(i);
    created.set(name, Date.now());
    await kube.create(workspaces, { apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', metadata: { name, namespace: NS }, spec: { workspaceId: name, ownerId: `user-${i}` } });
  });
  const createdIn = Date.now() - start;
  const ticker = tickProgress();
  await statuses.whenAll(N);
  clearInterval(ticker);
  const burstMs = Date.now() - start;
  const latencies = [...statuses.at].map(([name, at]) => at - created.get(name)!);
  const settled = await operator.settled();
  const cpu = cpuSince(cpuStart);
  return { anchor, cheapest, operator, idle, settled, created, start, createdIn, burstMs, latencies, cpu, counters: delta(settled, idle) };
}

/** Ends a round that is not the last: its operator stops, and its Workspaces and their objects go. */
async function clearRound(r: Awaited<ReturnType<typeof burstRound>>) {
  await r.operator.stop();
  progress(`removing round ${round}'s workspaces and their objects`);
  // The operator has stopped, and no finalizer holds a Workspace whose objects are in its own namespace.
  await removeObjects(kube, NS, `app.kubernetes.io/managed-by=${MANAGED_BY}`, true);
}

const rounds: Awaited<ReturnType<typeof burstRound>>[] = [];
for (;;) {
  rounds.push(await burstRound());
  if (rounds.length === ROUNDS) break;
  await clearRound(rounds[rounds.length - 1]);
}
const last = rounds[rounds.length - 1];
let { operator } = last;
const { anchor, cheapest, idle, created, start, createdIn, burstMs, latencies, cpu: burstCpu, settled: afterBurst, counters: burst } = last;
const ticker = tickProgress();

const lines: string[] = [];
const out = (s: string) => lines.push(s);
out(`workspaces: ${N}, values: ${SET.join(', ')}; operator: ${WORKERS} workers, ${QPS} requests/s (burst ${QPS * 2}), heap cap ${HEAP_MB} MB`);
const anchorText = (a: typeof anchor) => `${seconds(a.totalMs)}, ${a.writesPerWorkspace.toFixed(1)} writes per workspace, per-workspace p50 ${seconds(pct(a.latenciesMs, 50))}`;
const median = (xs: number[]) => pct(xs, 50);
if (Number.isNaN(anchor.totalMs)) {
  out('anchor: skipped (BENCH_ANCHOR=0 or --pods)');
  out(`burst: created in ${seconds(createdIn)}; all reconciled in ${seconds(burstMs)}`);
  out(`burst: create to status p50 ${seconds(pct(latencies, 50))}, p99 ${seconds(pct(latencies, 99))}`);
} else {
  out(`anchor: a plain client makes the burst's writes (the Workspace; its objects and status as the operator's ServiceAccount), 64 workspaces in flight; cheapest path: the objects alone, as admin (no RBAC, exempt from API Priority and Fairness)`);
  for (const [i, r] of rounds.entries()) {
    const p99 = pct(r.latencies, 99);
    out(`round ${i + 1}: anchor ${anchorText(r.anchor)}; cheapest path ${seconds(r.cheapest.totalMs)}; burst all reconciled in ${seconds(r.burstMs)} (${ratio(r.burstMs, r.anchor.totalMs)} the anchor, ${ratio(r.burstMs, r.cheapest.totalMs)} the cheapest path), create to status p50 ${seconds(pct(r.latencies, 50))}, p99 ${seconds(p99)} (${ratio(p99, r.anchor.totalMs)})`);
  }
  const ratios = (f: (r: (typeof rounds)[number]) => number) => median(rounds.map(f)).toFixed(2);
  out(`burst over ${rounds.length} round(s), median: all reconciled ${ratios((r) => r.burstMs / r.anchor.totalMs)}x the anchor (target <= 1.50x), ${ratios((r) => r.burstMs / r.cheapest.totalMs)}x its cheapest path; create to status p99 ${ratios((r) => pct(r.latencies, 99) / r.anchor.totalMs)}x the anchor's total (target <= 1.50x)`);
}
out(`burst (last round): per workspace ${(burst.write / N).toFixed(1)} writes, ${(burst.read / N).toFixed(2)} reads, ${(burst.list / N).toFixed(3)} LISTs, ${(burst.reconciles / N).toFixed(1)} reconciles, ${(burst.renders / N).toFixed(2)} renders; 429s ${burst.throttled}`);
const msEach = (cpu: number) => ((cpu / N) * 1000).toFixed(0);
const planeCpuText = (cpu: CpuSplit) => `${msEach(cpu.apiserver + cpu.etcd)} ms (API server ${msEach(cpu.apiserver)}, etcd ${msEach(cpu.etcd)}; the benchmark's client ${msEach(cpu.bench)})`;
const anchorsCpu = Number.isNaN(anchor.totalMs) ? '' : `${planeCpuText(anchor.cpu)} through the anchor, ${planeCpuText(cheapest.cpu)} through its cheapest path, `;
out(`CPU a workspace (last round): API server and etcd ${anchorsCpu}${planeCpuText(burstCpu)} through the burst; the operator ${msEach(burst.cpuSeconds)} ms`);

if (PODS) {
  const podLatencies = [...statuses.at.keys()].map((name) => (podsReady.get(name) ?? statuses.at.get(name)!) - created.get(name)!);
  const lastPod = Math.max(...podsReady.values()) - start;
  out(`simulated nodes: ${NODES} of ${NODE_SIZE.cpu} CPU, ${NODE_SIZE.memory}, ${NODE_SIZE.pods} pods (kwok), with kube-scheduler and kube-controller-manager`);
  out(`every workspace pod Running and Ready after ${seconds(lastPod)}; create to all its pods Ready p50 ${seconds(pct(podLatencies, 50))}, p99 ${seconds(pct(podLatencies, 99))}`);
  out(`every Workspace reports Running after ${seconds(burstMs)}`);
} else {
  progress(`steady state for ${STEADY_MS / 1000} s`);
  await new Promise((r) => setTimeout(r, STEADY_MS));
  const steady = delta(await operator.counters(), afterBurst);
  out(`steady state: ${steady.write} writes and ${steady.list} LISTs in ${STEADY_MS / 1000} s (target 0; Lease renewals not counted; activity read every ${ACTIVITY_INTERVAL_S} s, none seen); RSS ${steady.rssMb.toFixed(0)} MB (${steady.rssFileMb.toFixed(0)} MB of it mapped from Node's binary and libraries), heap used ${steady.heapUsedMb.toFixed(0)} MB`);

  const activity = await activityPhase();
  out(`activity (requests through the proxy every workspace reads, for ${ACTIVITY_MS / 1000} s): ${activity.writesPerWorkspace.toFixed(2)} writes per workspace (at most ${1 + Math.floor(ACTIVITY_MS / 60_000)}: the first activity, then one a minute); shortest time between two lastActivityTime values of one workspace ${seconds(activity.shortestGapMs)} (target >= 60 s); ${activity.recorded} of ${N} recorded`);

  const update = await changeEvery('update: allowedDomains', { firewall: { workspace: { allowedDomains: [DOMAIN] } } }, (w) => (w.status?.firewall?.workspace?.effectiveAllowedDomains ?? []).includes(DOMAIN));
  out(`update (one allowedDomains change on all ${N}): converged in ${seconds(update.ms)}; per workspace ${update.writes.toFixed(2)} writes (target <= 2), ${update.lists.toFixed(3)} LISTs (target 0)`);
  // spec.operations: a restart rolls a component's Deployment by its pod template, so it costs that Deployment and the status.
  const restartAt = (offsetS: number) => new Date(Date.now() + offsetS * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const runtimeAt = restartAt(0);
  const runtimeRestart = await changeEvery('restart operation: restartRuntimeAt', { operations: { restartRuntimeAt: runtimeAt } }, (w) => w.status?.components?.runtime?.lastRestartedAt === runtimeAt);
  out(`restart operation (spec.operations.restartRuntimeAt on all ${N}): shown in status in ${seconds(runtimeRestart.ms)}; per workspace ${runtimeRestart.writes.toFixed(2)} writes (target <= 2: the runtime Deployment and the status), ${runtimeRestart.lists.toFixed(3)} LISTs (target 0)`);
  const workspaceAt = restartAt(1);
  const workspaceRestart = await changeEvery('restart operation: restartWorkspaceAt', { operations: { restartWorkspaceAt: workspaceAt } }, (w) => COMPONENTS.every((c) => w.status?.components?.[c]?.lastRestartedAt === workspaceAt));
  out(`restart operation (spec.operations.restartWorkspaceAt on all ${N}): shown in status in ${seconds(workspaceRestart.ms)}; per workspace ${workspaceRestart.writes.toFixed(2)} writes (its ${COMPONENTS.length} Deployments and the status), ${workspaceRestart.lists.toFixed(3)} LISTs (target 0)`);

  progress('restart: a new operator over converged workspaces');
  const peakFirst = await operator.stop();
  metricsPort += 10;
  const restartStart = Date.now();
  operator = new OperatorProcess('bench-restarted', operatorSettings, metricsPort);
  let restarted = await operator.counters();
  while (restarted.reconciles < N) {
    await new Promise((r) => setTimeout(r, 200));
    restarted = await operator.counters();
  }
  const restartMs = Date.now() - restartStart;
  const afterRestart = await operator.settled();
  out(`restart: all ${N} reconciled again ${seconds(restartMs)} after start; ${afterRestart.write} writes (target 0), ${afterRestart.renders} renders, ${afterRestart.list} LISTs (the watches' initial pages)`);
  // The restarted operator's steady state, read as the first one's is: after the same quiet time.
  await new Promise((r) => setTimeout(r, STEADY_MS));
  const steadyAfterRestart = await operator.counters();
  const peakSecond = await operator.stop();
  const perThousand = ((steady.rssMb - idle.rssMb) / N) * 1000;
  out(`operator RSS: ${idle.rssMb.toFixed(0)} MB before the first workspace, ${steady.rssMb.toFixed(0)} MB in steady state (${perThousand.toFixed(0)} MB more per 1,000 workspaces); ` +
    `peak ${peakFirst.toFixed(0)} MB through burst, steady state, update and restart operations; after a restart ${afterRestart.rssMb.toFixed(0)} MB, ${steadyAfterRestart.rssMb.toFixed(0)} MB ${STEADY_MS / 1000} s later, peak ${peakSecond.toFixed(0)} MB`);
}
clearInterval(ticker);
if (PODS) await operator.stop();
const warnings = [...rounds.map((r) => r.operator), operator].flatMap((o) => o.warnings);
out(`operator log: ${warnings.length} warnings or errors${warnings.length ? `, the first: ${warnings[0]}` : ''}`);
activityProxy.stop();
await plane.stop();
console.log(lines.join('\n'));
process.exit(0);

/** Merge-patches every Workspace's spec, waits until each status shows it for the new generation, and reads what that cost the operator. */
async function changeEvery(what: string, spec: object, shown: (w: Seen) => boolean) {
  progress(`${what} on all ${N}`);
  statuses.reset((w) => shown(w) && w.status?.observedGeneration === w.metadata.generation);
  const before = await operator.counters();
  const changeStart = Date.now();
  await inParallel(N, 20, (i) => kube.mergePatch({ ...workspaces, name: nameOf(i) }, { spec }));
  await statuses.whenAll(N);
  const ms = Date.now() - changeStart;
  const cost = delta(await operator.settled(), before);
  return { ms, writes: cost.write / N, lists: cost.list / N };
}

/** Requests through the proxy for ACTIVITY_MS; status.lastActivityTime sampled every 5 s to find its shortest step. */
async function activityPhase() {
  progress(`activity: requests through the workspace proxy for ${ACTIVITY_MS / 1000} s`);
  const before = await operator.counters();
  const values = new Map<string, Set<string>>();
  const sample = () => {
    const text = k(['get', 'workspaces', '-n', NS, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.lastActivityTime}{"\\n"}{end}']);
    for (const line of text.split('\n').filter(Boolean)) {
      const [name, at] = line.split(' ');
      if (at) (values.get(name) ?? values.set(name, new Set()).get(name)!).add(at);
    }
  };
  const end = Date.now() + ACTIVITY_MS;
  let nextSample = 0;
  while (Date.now() < end) {
    await fetch(`${activityProxy.url}/`);
    if (Date.now() >= nextSample) {
      sample();
      nextSample = Date.now() + 5000;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  // The last reads and writes of the window.
  await new Promise((r) => setTimeout(r, ACTIVITY_INTERVAL_S * 1000 + 2000));
  sample();
  const cost = delta(await operator.counters(), before);
  const gaps = [...values.values()].flatMap((set) => {
    const times = [...set].map((t) => Date.parse(t)).sort((a, b) => a - b);
    return times.slice(1).map((t, i) => t - times[i]);
  });
  return { writesPerWorkspace: cost.write / N, shortestGapMs: gaps.length ? Math.min(...gaps) : NaN, recorded: values.size };
}

async function inParallel(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}
