/**
 * Request latency to a workspace component, directly and through its
 * authenticating proxy, in turn, over one keep-alive connection each. Run
 * inside the sign-in lab's network namespace by bench/auth-proxy.ts:
 *   node auth-latency.js DIRECT_URL PROXIED_URL HOST COOKIE REQUESTS
 * Prints JSON: milliseconds per request, sorted, for each path.
 */
import { Agent, request } from 'node:http';

const [direct, proxied, host, cookie, count] = process.argv.slice(2);
const n = Number(count);

function once(url: string, agent: Agent, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const paths = {
  direct: { url: direct, agent: new Agent({ keepAlive: true, maxSockets: 1 }), headers: {} },
  proxied: { url: proxied, agent: new Agent({ keepAlive: true, maxSockets: 1 }), headers: { host, cookie } },
};
const times: Record<string, number[]> = { direct: [], proxied: [] };
// Warm both paths up (connections, the proxy's first JWKS-free cookie check), then alternate so drift hits both alike.
for (let i = 0; i < 200; i++) for (const p of Object.values(paths)) await once(p.url, p.agent, p.headers);
for (let i = 0; i < n; i++) {
  for (const [name, p] of Object.entries(paths)) times[name].push(await once(p.url, p.agent, p.headers));
}
for (const t of Object.values(times)) t.sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify(times)}\n`);
