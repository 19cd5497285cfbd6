/**
 * `npm run bench:operator`: the operator against the local control plane.
 * Creates N Workspaces (1000 by default) and reports the time until all are
 * reconciled, create-to-status latency (p50, p99), API writes per workspace,
 * writes during 60 s of steady state, and the operator's peak RSS.
 * Figures only; no assertion.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { ControlPlane, kubectl, kubeconfigForServiceAccount } from '../test/cluster/control-plane.js';
import { heapLimitMb } from '../lib/components/workspace-operator.js';
import { defaultValues } from '../lib/values/load.js';

const N = Number(process.env.BENCH_WORKSPACES ?? 1000);
const STEADY_MS = Number(process.env.BENCH_STEADY_SECONDS ?? 60) * 1000;
// The values a large install would set: workspaceOperator.apiQps=300, workspaceOperator.workers=8.
const QPS = process.env.BENCH_QPS ?? '300';
const ROOT = process.cwd();
const NS = 'workspace-system';

const plane = new ControlPlane();
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
type Seen = { metadata: { name: string }; status?: { components?: { runtime?: { internalUrl?: string } } } };
// The watch ends on errors (a fresh API server answers 429 while CRD storage starts): re-establish it.
const watchStatus = (): void =>
  void new Watch(kc)
    .watch(
      `/apis/platform.aileron.io/v1alpha1/namespaces/${NS}/workspaces`,
      {},
      (_type, obj: Seen) => {
        if (obj.status?.components?.runtime?.internalUrl && !reconciled.has(obj.metadata.name)) {
          reconciled.set(obj.metadata.name, Date.now());
          if (reconciled.size === N) allDone();
        }
      },
      () => setTimeout(watchStatus, 200),
    )
    .catch(() => setTimeout(watchStatus, 200));
watchStatus();

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
const ticker = setInterval(() => progress(`${reconciled.size}/${N} reconciled`), 5000);
await done;
clearInterval(ticker);
const total = Date.now() - start;
const writesReconciled = await writes();
await new Promise((r) => setTimeout(r, STEADY_MS));
const writesSteady = (await writes()) - writesReconciled;
operator.kill('SIGTERM');
await exited;
await plane.stop();

const latencies = [...reconciled].map(([name, at]) => at - created.get(name)!).sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(`workspaces: ${N} (created in ${(createdIn / 1000).toFixed(1)} s, operator at ${QPS} API requests/s, 8 workers, heap cap ${heapMb} MB)`);
console.log(`time until all reconciled: ${(total / 1000).toFixed(1)} s (${(N / (total / 1000)).toFixed(1)} workspaces/s)`);
console.log(`create to status: p50 ${(pct(50) / 1000).toFixed(2)} s, p99 ${(pct(99) / 1000).toFixed(2)} s`);
console.log(`API writes per workspace: ${((writesReconciled - writesBefore) / N).toFixed(1)}`);
console.log(`writes during ${STEADY_MS / 1000} s of steady state: ${writesSteady} (target 0)`);
console.log(`operator peak RSS: ${(peakRssKb / 1024).toFixed(0)} MB (target <= 200 MB, ${(peakRssKb / 1024 / 200).toFixed(2)}x)`);
process.exit(0);
