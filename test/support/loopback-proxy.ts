/**
 * A workspace's sign-in proxy as the operator renders it (oauth2-proxy, the
 * rendered arguments), on loopback in front of a stand-in runtime, for the
 * operator's activity reading (its ACTIVITY_URL) in the lifecycle test and
 * the benchmark. It lets requests through without a session
 * (--skip-auth-route), so what uses it measures the operator's reading; that
 * only a signed-in owner's requests count is shown with real sign-ins in
 * workspace-auth.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, TOOLS_BIN } from '../cluster/control-plane.js';
import { AUTH_SECRET_MOUNT, SIGN_IN_TEMPLATE, workspaceProxyArgs } from '../../lib/workspace/auth-proxy.js';
import { COMPONENT_PORTS } from '../../lib/workspace/component-ports.js';
import type { WorkspacePlatform } from '../../lib/workspace/platform.js';
import { ROOT } from './render.js';

export interface LoopbackProxy {
  /** Where requests go (through the proxy to the stand-in). */
  url: string;
  /** The proxy's Prometheus endpoint: what ACTIVITY_URL names. */
  metrics: string;
  stop(): void;
}

export async function startLoopbackProxy(platform: WorkspacePlatform): Promise<LoopbackProxy> {
  const [http, metrics, upstream, terminal] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'proxy-'));
  writeFileSync(join(dir, 'client-secret'), 'not-used-here');
  writeFileSync(join(dir, 'cookie-secret'), '0123456789abcdef0123456789abcdef');
  writeFileSync(join(dir, SIGN_IN_TEMPLATE), 'sign in');
  const [terminalPort, httpPort] = COMPONENT_PORTS.runtime;
  const args = workspaceProxyArgs(platform.auth, 'user-123', COMPONENT_PORTS.runtime)
    .map((a) => a.replace(AUTH_SECRET_MOUNT, dir))
    .map((a) => (a.startsWith('--http-address=') ? `--http-address=127.0.0.1:${http}` : a))
    .map((a) => (a.startsWith('--metrics-address=') ? `--metrics-address=127.0.0.1:${metrics}` : a))
    .map((a) => a.replace(`127.0.0.1:${httpPort.port}/`, `127.0.0.1:${upstream}/`).replace(`127.0.0.1:${terminalPort.port}/`, `127.0.0.1:${terminal}/`));
  const procs: ChildProcess[] = [
    spawn(join(TOOLS_BIN, 'oauth2-proxy'), [...args, '--skip-auth-route=^/'], { stdio: 'ignore' }),
    spawn(process.execPath, [join(ROOT, 'build', 'test', 'support', 'stand-in-workspace.js'), 'stand-in', String(upstream), String(terminal), terminalPort.path!], { stdio: 'ignore' }),
  ];
  const url = `http://127.0.0.1:${http}`;
  const up = async () => (await fetch(`${url}/ping`).catch(() => undefined))?.status === 200;
  for (let i = 0; i < 100 && !(await up()); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await up())) throw new Error('the loopback oauth2-proxy did not start');
  return { url, metrics: `http://127.0.0.1:${metrics}/metrics`, stop: () => procs.forEach((p) => p.kill()) };
}
