/**
 * What workspace sign-in costs (`npm run bench:auth`): the real oauth2-proxy
 * in front of a stand-in component, with a session made by signing in on the
 * real Keycloak in chromium (test/support/sign-in-lab.ts). Prints the added
 * latency per request at p50/p90/p99 against the component reached directly,
 * and the proxy's memory, per sidecar and per workspace (three sidecars).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { AUTH_COOKIE_NAME } from '../lib/workspace/auth-proxy.js';
import { runtimeHost, signIn, startSignInLab } from '../test/support/sign-in-lab.js';
import { ROOT } from '../test/support/render.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const kb = (pid: number, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

const lab = await startSignInLab([{ username: 'alice' }], [{ id: 'bench', owner: 'alice' }]);
try {
  const context = await lab.browser.newContext();
  await signIn(lab, context, 'alice', `http://${runtimeHost('bench')}/`);
  const cookie = (await context.cookies()).find((c) => c.name === AUTH_COOKIE_NAME)!;
  await context.close();
  const pid = lab.proxyPids.bench;
  const idleRss = kb(pid, 'VmRSS') / 1024;

  console.log(`workspace sign-in benchmark: ${cpus().length} x ${cpus()[0].model}, oauth2-proxy ${REQUESTS} requests x ${ROUNDS} rounds, one keep-alive connection per path`);
  const added: number[][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const out = lab.lab.run(process.execPath, [
      join(ROOT, 'build', 'bench', 'auth-latency.js'),
      'http://127.0.0.1:3002/files',
      'http://127.0.0.1:4181/files',
      runtimeHost('bench'),
      `${cookie.name}=${cookie.value}`,
      String(REQUESTS),
    ]);
    const t = JSON.parse(out) as { direct: number[]; proxied: number[] };
    const row = [0.5, 0.9, 0.99].map((q) => at(t.proxied, q) - at(t.direct, q));
    added.push(row);
    const f = (x: number) => x.toFixed(3);
    console.log(
      `  round ${round}: direct p50 ${f(at(t.direct, 0.5))} ms, through the proxy p50 ${f(at(t.proxied, 0.5))} ms (${(at(t.proxied, 0.5) / at(t.direct, 0.5)).toFixed(2)}x); ` +
        `added p50 ${f(row[0])} ms, p90 ${f(row[1])} ms, p99 ${f(row[2])} ms`,
    );
  }
  const median = (i: number) => added.map((r) => r[i]).sort((a, b) => a - b)[Math.floor(added.length / 2)];
  const rss = kb(pid, 'VmRSS') / 1024;
  const peak = kb(pid, 'VmHWM') / 1024;
  // File-backed pages are the binary's, shared by every proxy of the same image on a node; anonymous ones are its own.
  const own = kb(pid, 'RssAnon') / 1024;
  const shared = kb(pid, 'RssFile') / 1024;
  console.log(`added latency, median of rounds: p50 ${median(0).toFixed(3)} ms, p90 ${median(1).toFixed(3)} ms, p99 ${median(2).toFixed(3)} ms (target: p50 at most 2 ms)`);
  console.log(`proxy memory: RSS idle ${idleRss.toFixed(1)} MB, after the load ${rss.toFixed(1)} MB (its own ${own.toFixed(1)} MB, ${shared.toFixed(1)} MB mapped from the binary), peak ${peak.toFixed(1)} MB`);
  console.log(`per workspace (three proxies: runtime, browser, canvas): ${(3 * own).toFixed(1)} MB of their own, ${(3 * rss).toFixed(1)} MB counting the binary's pages in each (target: at most 30 MB)`);
} finally {
  await lab.stop();
}
