/**
 * The workspace operator: elects a leader, watches Workspaces and reconciles
 * each one into its runtime, browser and canvas objects. SIGTERM drains the
 * reconciles in flight, gives up the Lease and exits.
 */
import { configFromEnv } from './config.js';
import { Logger } from './log.js';
import { Kube } from './kube.js';
import { loadCredentials } from './credentials.js';
import { Metrics } from './metrics.js';
import { Controller } from './controller.js';
import { LeaderElector } from './leader.js';
import { startServers } from './server.js';
import { codeVersion } from './code-version.js';

const cfg = configFromEnv();
const log = new Logger(cfg.logLevel, { component: 'workspace-operator', pod: cfg.podName });
const metrics = new Metrics();
const kube = new Kube(await loadCredentials(), cfg.qps, cfg.burst, metrics);
const controller = new Controller(cfg, kube, metrics, log, codeVersion(import.meta.url));
const elector = new LeaderElector(kube, { namespace: cfg.podNamespace, name: cfg.leaseName, identity: cfg.podName, leaseDurationSeconds: cfg.leaseDurationSeconds }, log);
// A standby replica is ready: it serves health and waits for the Lease.
const servers = startServers({ healthPort: cfg.healthPort, metricsPort: cfg.metricsPort, metrics, ready: () => !cfg.leaderElection || !elector.isLeader || controller.synced });

let shuttingDown = false;
async function shutdown(signal: string, code = 0): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info('shutting down', { signal });
  await controller.stop();
  await elector.release();
  metrics.leader.set(0);
  for (const s of servers) s.close();
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

log.info('starting', { watchNamespace: cfg.watchNamespace || '(all)', leaderElection: cfg.leaderElection });
if (cfg.leaderElection) {
  // Losing the Lease means another replica may act: stop at once, as controller-runtime does.
  await elector.acquire(() => void shutdown('leadership lost', 1));
}
metrics.leader.set(1);
await controller.start();
