/** Runs a command several times and reports wall time and peak RSS. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface Measurement {
  label: string;
  runs: number;
  medianMs: number;
  p90Ms: number;
  peakRssMb?: number;
}

const RSS_HOOK = join(process.cwd(), 'bench', 'report-rss.cjs');

export function measure(label: string, command: string, args: string[], runs: number, node = false, exitCode = 0): Measurement {
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const argv = node ? ['--require', RSS_HOOK, ...args] : args;
    const start = process.hrtime.bigint();
    const res = spawnSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (res.status !== exitCode) throw new Error(`${label} exited with ${res.status}, not ${exitCode}: ${res.stderr}`);
    if (node) rss = Math.max(rss, Number(String(res.output[3]).trim()) / 1024);
  }
  times.sort((a, b) => a - b);
  return {
    label,
    runs,
    medianMs: times[Math.floor(runs / 2)],
    p90Ms: times[Math.min(runs - 1, Math.floor(runs * 0.9))],
    peakRssMb: node ? rss : undefined,
  };
}

export function report(m: Measurement): string {
  const rss = m.peakRssMb === undefined ? '' : `, peak RSS ${m.peakRssMb.toFixed(0)} MB`;
  return `${m.label}: median ${m.medianMs.toFixed(0)} ms, p90 ${m.p90Ms.toFixed(0)} ms over ${m.runs} runs${rss}`;
}
