/** /healthz and /readyz on the health port, /metrics on the metrics port. */
import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics.js';

export function startServers(o: { healthPort: number; metricsPort: number; metrics: Metrics; ready: () => boolean }): Server[] {
  const health = createServer((req, res) => {
    if (req.url === '/healthz') return void res.writeHead(200).end('ok');
    if (req.url === '/readyz') {
      const ready = o.ready();
      return void res.writeHead(ready ? 200 : 503).end(ready ? 'ok' : 'not ready');
    }
    res.writeHead(404).end();
  });
  const metrics = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    void o.metrics.registry.metrics().then((text) => res.writeHead(200, { 'Content-Type': o.metrics.registry.contentType }).end(text));
  });
  health.listen(o.healthPort);
  metrics.listen(o.metricsPort);
  return [health, metrics];
}
