/**
 * `npm run bench:operator`: the operator against the local control plane.
 * Creates N Workspaces (1000 by default) and reports the time until all are
 * reconciled, create-to-status latency (p50, p99), API writes per workspace,
 * writes during 60 s of steady state, and the operator's peak RSS.
 *
 * `npm run bench:operator -- --pods` runs the scheduler, controller-manager
 * and kwok's simulated nodes too, and measures create -> every pod of the
 * workspace Running and Ready, and create -> the Workspace reporting Running
 * (which the operator takes from the real Deployment status).
 * Figures only; no assertion.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { ControlPlane, kubectl, kubeconfigForServiceAccount } from '../test/cluster/control-plane.js';
import { heapLimitMb } from '../lib/components/workspace-operator.js';
import { defaultValues } from '../lib/values/load.js';
import { WORKSPACE_ID_LABEL } from '../lib/workspace/labels.js';

const N = Number(process.env.BENCH_WORKSPACES ?? 1000);
const STEADY_MS = Number(process.env.BENCH_STEADY_SECONDS ?? 60) * 1000;
// The values a large install would set: workspaceOperator.apiQps=300, workspaceOperator.workers=8.
const QPS = process.env.BENCH_QPS ?? '300';
const PODS = process.argv.includes('--pods');
// Large simulated nodes, as many as a default Workspace's requests need (runtime, browser and canvas ask for
// 1.75 CPU and 1.75 GiB together), plus one for the platform.
const NODE_SIZE = { cpu: '128', memory: '512Gi', pods: 256 };
const NODES = Math.max(3, Math.ceil(Math.max((N * 1.75) / 128, (N * 3) / 256)) + 1);
const ROOT = process.cwd();
const NS = 'workspace-system';

const plane = new ControlPlane(undefined, { workloads: PODS, nodes: NODES, nodeSize: NODE_SIZE });
const info = await plane.start();
const k = (args: string[]) => {
  const r = kubectl(info.kubeconfig, args);
  if (r.status !== 0) throw new Error(r.stderr);
};
k(['apply', '--server-side', '-f', join(ROOT, 'dist')]);
k(['wait', '--for=condition=Established', 'crd/workspaces.platform.aileron.io']);
const saConfig = kubeconfigForServiceAccount(info, 'aileron', 'aileron-workspace-operator');

const metricsPort = 19280;
// The heap cap the chart's default memory limit gives the operator (heapLimitMb).
const heapMb = heapLimitMb(defaultValues().workspaceOperator.resources.limits?.memory);
const operator = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '--require', join(ROOT, 'bench', 'report-rss.cjs'), join(ROOT, 'build', 'operator', 'main.js')], {
  env: { ...process.env, KUBECONFIG: saConfig, POD_NAMESPACE: 'aileron', POD_NAME: 'bench', HEALTH_PORT: '19281', METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn', KUBE_API_QPS: QPS, KUBE_API_BURST: String(Number(QPS) * 2), WORKERS: '8' },
  stdio: ['ignore', process.env.BENCH_OPERATOR_LOG ? 'inherit' : 'ignore', 'inherit', 'pipe'],
});
let peakRssKb = 0;
operator.stdio[3]!.on('data', (c) => (peakRssKb = Number(String(c).trim())));
const exited = new Promise((r) => operator.on('exit', r));

async function writes(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    try {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return Number(/aileron_operator_api_requests_total\{verb="write"\} (\d+)/.exec(text)?.[1] ?? 0);
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error('operator metrics unreachable');
}

const kc = new KubeConfig();
kc.loadFromFile(info.kubeconfig);
const custom = kc.makeApiClient(CustomObjectsApi);
const created = new Map<string, number>();
const reconciled = new Map<string, number>();
let allDone: () => void;
const done = new Promise<void>((r) => (allDone = r));
type Seen = { metadata: { name: string }; status?: { phase?: string; components?: { runtime?: { internalUrl?: string } } } };
type SeenPod = { metadata: { labels?: Record<string, string> }; status?: { conditions?: { type: string; status: string }[] } };
// In --pods mode a workspace is done when it reports Running; its pods' last Ready time is taken then.
const isDone = (obj: Seen) => (PODS ? obj.status?.phase === 'Running' : Boolean(obj.status?.components?.runtime?.internalUrl));
const podsReady = new Map<string, number>();
// A watch ends on errors (a fresh API server answers 429 while CRD storage starts): re-establish it.
const keepWatching = <T>(path: string, query: Record<string, string>, onEvent: (obj: T) => void): void => {
  const again = () => setTimeout(() => keepWatching(path, query, onEvent), 200);
  void new Watch(kc).watch(path, query, (_type, obj: T) => onEvent(obj), again).catch(again);
};
keepWatching<Seen>(`/apis/platform.aileron.io/v1alpha1/namespaces/${NS}/workspaces`, {}, (obj) => {
  if (isDone(obj) && !reconciled.has(obj.metadata.name)) {
    reconciled.set(obj.metadata.name, Date.now());
    if (reconciled.size === N) allDone();
  }
});
if (PODS) {
  keepWatching<SeenPod>('/api/v1/pods', { labelSelector: WORKSPACE_ID_LABEL }, (pod) => {
    const id = pod.metadata.labels?.[WORKSPACE_ID_LABEL];
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (id && ready && !reconciled.has(id)) podsReady.set(id, Date.now());
  });
}

const progress = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
progress('control plane and operator up; creating workspaces');
const writesBefore = await writes();
const start = Date.now();
let next = 0;
await Promise.all(
  Array.from({ length: 20 }, async () => {
    while (next < N) {
      const i = next++;
      const name = `bench-${i}`;
      created.set(name, Date.now());
      await custom.createNamespacedCustomObject({
        group: 'platform.aileron.io',
        version: 'v1alpha1',
        namespace: NS,
        plural: 'workspaces',
        body: { apiVersion: 'platform.aileron.io/v1alpha1', kind: 'Workspace', metadata: { name, namespace: NS }, spec: { workspaceId: name, ownerId: `user-${i}` } },
      });
    }
  }),
);
const createdIn = Date.now() - start;
progress(`created ${N} in ${createdIn} ms; waiting for status`);
const ticker = setInterval(() => progress(`${reconciled.size}/${N} ${PODS ? 'Running' : 'reconciled'}`), 5000);
await done;
clearInterval(ticker);
const total = Date.now() - start;
const writesReconciled = await writes();
if (!PODS) await new Promise((r) => setTimeout(r, STEADY_MS));
const writesSteady = (await writes()) - writesReconciled;
operator.kill('SIGTERM');
await exited;
await plane.stop();

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const percentiles = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return `p50 ${seconds(at(50))}, p99 ${seconds(at(99))}`;
};
const latencies = [...reconciled].map(([name, at]) => at - created.get(name)!);
console.log(`workspaces: ${N} (created in ${(createdIn / 1000).toFixed(1)} s, operator at ${QPS} API requests/s, 8 workers, heap cap ${heapMb} MB)`);
if (PODS) {
  // Workspace name == workspaceId in this bench, so the pod label finds its Workspace.
  const podLatencies = [...reconciled.keys()].map((name) => (podsReady.get(name) ?? reconciled.get(name)!) - created.get(name)!);
  const lastPod = Math.max(...[...podsReady.values()]) - start;
  console.log(`simulated nodes: ${NODES} of ${NODE_SIZE.cpu} CPU, ${NODE_SIZE.memory}, ${NODE_SIZE.pods} pods (kwok), with kube-scheduler and kube-controller-manager`);
  console.log(`time until every workspace pod Running and Ready: ${seconds(lastPod)} (${(N / (lastPod / 1000)).toFixed(1)} workspaces/s)`);
  console.log(`create to all its pods Ready: ${percentiles(podLatencies)}`);
  console.log(`time until every Workspace reports Running: ${seconds(total)}`);
  console.log(`create to Workspace Running: ${percentiles(latencies)}`);
} else {
  console.log(`time until all reconciled: ${(total / 1000).toFixed(1)} s (${(N / (total / 1000)).toFixed(1)} workspaces/s)`);
  console.log(`create to status: ${percentiles(latencies)}`);
}
console.log(`API writes per workspace: ${((writesReconciled - writesBefore) / N).toFixed(1)}`);
if (!PODS) console.log(`writes during ${STEADY_MS / 1000} s of steady state: ${writesSteady} (target 0)`);
console.log(`operator peak RSS: ${(peakRssKb / 1024).toFixed(0)} MB (target <= 200 MB, ${(peakRssKb / 1024 / 200).toFixed(2)}x)`);

process.exit(0);
