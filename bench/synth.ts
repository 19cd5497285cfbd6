/**
 * `npm run bench`: synth wall time and peak memory for the default values,
 * precompiled (the bundle the bin runs), against the targets of the synth
 * issue; the chart generation; helm template. Figures only; no assertion.
 */
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { homedir, tmpdir } from 'node:os';
import { measure, report } from './measure.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TARGET_MS = 500;
const TARGET_MB = 150;
const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'out');
const cli = join(process.cwd(), 'build', 'aileron-k8s.cjs');

const synth = measure('aileron-k8s synth (default values)', process.execPath, [cli, 'synth', '-o', out], RUNS, true);
const large = measure(
  'aileron-k8s synth (12 workspace namespaces, 3 replicas each)',
  process.execPath,
  [cli, 'synth', '--set', `kubernetes.allowedNamespaces={${Array.from({ length: 12 }, (_, i) => `ns-${i}`).join(',')}}`, '--set', 'kubernetes.defaultNamespace=ns-0', '--set', 'frontend.replicaCount=3', '--set', 'workspaceManager.replicaCount=3', '-o', out],
  RUNS,
  true,
);
// The chart is printed from the same constructs, run in template mode.
const chartOut = join(mkdtempSync(join(tmpdir(), 'bench-chart-')), 'aileron');
const chart = measure('aileron-k8s chart (generate charts/aileron from the constructs)', process.execPath, [cli, 'chart', '-o', chartOut], RUNS, true);
const bare = measure('node startup alone (floor)', process.execPath, ['-e', '0'], RUNS, true);

const prodValues = ['-f', 'test/values/prod.yaml'];
const synthProd = measure('aileron-k8s synth (prod example)', process.execPath, [cli, 'synth', ...prodValues, '-o', out], RUNS, true);

const helmBin = join(process.env.AILERON_TOOLS_BIN ?? join(homedir(), '.cache', 'aileron-k8s', 'bin'), 'helm');
const helm = existsSync(helmBin)
  ? [
      measure('helm template charts/aileron (default values)', helmBin, ['template', 'aileron', 'charts/aileron', '--include-crds'], RUNS),
      measure('helm template charts/aileron (prod example)', helmBin, ['template', 'aileron', 'charts/aileron', '--include-crds', ...prodValues], RUNS),
    ]
  : [];

// Hostile input: a values file of many keys is refused (at most 32 annotations), and reading it must stay
// linear in its size. Before issue 13, 20,000 keys took 11.7 s and 40,000 took 67 s (quadratic).
const keysFile = (n: number) => {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-keys-')), 'values.yaml');
  writeFileSync(file, `frontend:\n  podAnnotations:\n${Array.from({ length: n }, (_, i) => `    example.com/k${i}: value-${i}`).join('\n')}\n`);
  return file;
};
const manyKeys = [20_000, 40_000].map((n) =>
  measure(`aileron-k8s synth refusing a values file of ${n} keys (${Math.round(statSync(keysFile(n)).size / 1024)} KiB)`, process.execPath, [cli, 'synth', '-f', keysFile(n), '-o', out], 3, true, 1),
);

for (const m of [synth, large, synthProd, chart, ...helm, bare, ...manyKeys]) console.log(report(m));
console.log(
  `values file of 40,000 keys vs 20,000: ${(manyKeys[1].medianMs / manyKeys[0].medianMs).toFixed(2)}x time (linear: about 2x; quadratic: 4x)`,
);
console.log(
  `synth vs target: ${(synth.medianMs / TARGET_MS).toFixed(2)}x of ${TARGET_MS} ms wall, ${(synth.peakRssMb! / TARGET_MB).toFixed(2)}x of ${TARGET_MB} MB RSS`,
);
console.log(`synth vs bare node startup: ${(synth.medianMs / bare.medianMs).toFixed(1)}x`);
console.log(`chart generation vs synth: ${(chart.medianMs / synth.medianMs).toFixed(2)}x`);
if (helm.length > 0) {
  console.log(`helm template vs synth, default values: ${(helm[0].medianMs / synth.medianMs).toFixed(2)}x`);
  console.log(`helm template vs synth, prod example: ${(helm[1].medianMs / synthProd.medianMs).toFixed(2)}x`);
} else {
  console.log('helm not found: run scripts/install-tools.sh for the chart comparison');
}
