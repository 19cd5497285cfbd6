/**
 * The frontend's nginx.conf as the chart renders it, run by Debian's nginx in
 * a network namespace the test creates, with a stand-in workspace manager
 * behind it at the manager Service's own name (resolved there to loopback).
 * Only the scratch paths under /tmp move into the test's folder.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadValues } from '../../lib/values/load.js';
import { renderPlatform } from '../../lib/platform/platform-chart.js';
import { FRONTEND_PORT } from '../../lib/components/frontend.js';
import { WORKSPACE_MANAGER_PORT } from '../../lib/components/workspace-manager.js';
import { NetnsLab } from '../support/netns-lab.js';
import { find } from '../support/render.js';

const MANAGER_SERVICE = 'aileron-workspace-manager.aileron.svc.cluster.local';
const objects = renderPlatform({ values: loadValues() });
const rendered = (find(objects, 'ConfigMap', 'aileron-frontend-nginx').data as Record<string, string>)['nginx.conf'];

let lab: NetnsLab;
let conf: string;

beforeAll(async () => {
  lab = new NetnsLab('aileron-frontend', [MANAGER_SERVICE]);
  // nginx's workers drop to an unprivileged user, which must reach the scratch folder.
  chmodSync(lab.dir, 0o755);
  conf = join(lab.dir, 'nginx.conf');
  writeFileSync(conf, rendered.replaceAll('/tmp/', `${lab.dir}/`));
  await lab.startStandIn('manager', WORKSPACE_MANAGER_PORT, WORKSPACE_MANAGER_PORT, '/api/ws');
  lab.start('nginx', 'nginx', ['-c', conf, '-g', 'daemon off;']);
  await lab.waitFor('nginx', () => lab.probe('http', `http://127.0.0.1:${FRONTEND_PORT}/healthz`).status === 200, 20_000);
}, 60_000);

afterAll(async () => {
  await lab?.stop();
});

test('nginx -t accepts the rendered configuration', () => {
  // The config logs to /dev/stdout and /dev/stderr, which cannot be opened on the sockets Node gives a child: a
  // file stands in for the container's output.
  const log = join(lab.dir, 'nginx-t.log');
  const res = lab.tryRun('sh', ['-c', `nginx -t -c ${conf} >${log} 2>&1; status=$?; cat ${log}; exit $status`]);
  expect(res.output).toContain('syntax is ok');
  expect(res.output).toContain('test is successful');
  expect(res.status).toBe(0);
});

test('it answers /healthz itself', () => {
  expect(lab.probe('http', `http://127.0.0.1:${FRONTEND_PORT}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
});

test('/api/ goes to the workspace manager, and a WebSocket upgrade goes through', () => {
  expect(lab.probe('http', `http://127.0.0.1:${FRONTEND_PORT}/api/workspaces?owner=u1`)).toMatchObject({ status: 200, body: 'workspace manager: GET /api/workspaces?owner=u1\n' });
  expect(lab.probe('ws', `ws://127.0.0.1:${FRONTEND_PORT}/api/ws`)).toEqual({ opened: true, echo: 'manager echoes ping' });
});
