import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/render.js';
import { eventually, OperatorHarness, reconciled, settled, workspaceYaml as workspace, type Operator } from '../support/operator-harness.js';

// The operator as a real process, with its own ServiceAccount token (so its
// RBAC is exercised too), against its own control plane: this file restarts
// the API server, which the other test files must not see.
const h = new OperatorHarness();
const plane = h.plane;
const { k, kOk, json, status, exists, leaseHolder } = h;
const startOperator = (name: string, env: Record<string, string> = {}) => h.startOperator(name, env);

beforeAll(() => h.start());
afterAll(() => h.stop());

describe('one operator', () => {
  let op: Operator;
  beforeAll(async () => {
    op = await startOperator('op-a');
  });

  test('the upstream example Workspace: objects, hosts, URLs, and Running from real Deployment status', async () => {
    kOk(['apply', '-f', join(ROOT, 'examples', 'workspace.yaml')]);
    const s = await eventually('status with URLs', () => status('ws-example').components?.runtime?.internalUrl && status('ws-example'));
    expect(s.targetNamespace).toBe('workspace-system');
    expect(s.components.runtime).toMatchObject({
      internalUrl: 'http://workspace-runtime-my-workspace.workspace-system.svc.cluster.local:3002',
      externalUrl: 'http://workspace-runtime-my-workspace.aileron.local',
    });
    expect(s.firewall.workspace.enforcedBy).toBe('NetworkPolicy');
    for (const c of ['runtime', 'browser', 'canvas']) {
      for (const kind of ['deployment', 'service', 'ingress']) expect(exists(kind, `workspace-${c}-my-workspace`)).toBe(true);
    }
    expect(json(['get', 'ingress', 'workspace-browser-my-workspace', '-n', 'workspace-system']).spec.rules[0].host).toBe('workspace-browser-my-workspace.aileron.local');
    // The scheduler places the pods on simulated nodes, kwok makes them Ready, the Deployment controller
    // reports them available: the operator follows that to Running.
    const ready = await eventually('phase Running', () => status('ws-example').phase === 'Running' && status('ws-example'), 60_000);
    expect(ready.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'ComponentsReady' });
    expect(ready.observedGeneration).toBe(1);
    const pods = json(['get', 'pods', '-n', 'workspace-system', '-l', 'platform.aileron.io/workspace-id=my-workspace']).items;
    expect(pods.map((p: { status: { phase: string } }) => p.status.phase)).toEqual(['Running', 'Running', 'Running']);
    // The canvas shares the runtime's ReadWriteOnce volume: the scheduler put it on the runtime's node.
    const nodeOf = (c: string) => pods.find((p: { metadata: { labels: Record<string, string> } }) => p.metadata.labels['app.kubernetes.io/component'] === c).spec.nodeName;
    expect(nodeOf('canvas')).toBe(nodeOf('runtime'));
  });

  test('an allowed namespace the chart does not create must enforce Pod Security "restricted": Failed naming the label, then Running once set', async () => {
    // Two more allowed namespaces: one the chart creates (labelled), and `default`, which it never labels.
    h.applyPlatform(['kubernetes.allowedNamespaces={workspace-system,ws-quota,default}']);
    op = await h.replaceOperator(op, 'op-a'); // the same name: later tests expect op-a to hold the Lease
    kOk(['apply', '-f', '-'], workspace('ws-default', 'in-default', 'default', '  targetNamespace: default\n  browser: {enabled: false}\n  canvas: {enabled: false}\n'));
    const s = await eventually('Failed', () => status('ws-default', 'default').phase === 'Failed' && status('ws-default', 'default'));
    expect(s.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'NamespaceNotRestricted' });
    expect(s.conditions.find((c: { type: string }) => c.type === 'Ready').message).toContain('kubectl label namespace default pod-security.kubernetes.io/enforce=restricted');
    expect(k(['get', 'deployments', '-n', 'default', '-l', 'platform.aileron.io/workspace-id=in-default', '-o', 'name']).stdout.trim()).toBe('');
    kOk(['label', 'namespace', 'default', 'pod-security.kubernetes.io/enforce=restricted']);
    await eventually('Running once labelled', () => status('ws-default', 'default').phase === 'Running', 120_000);
    kOk(['delete', 'workspace', 'ws-default', '-n', 'default']);
  });

  test('a component that cannot progress shows as Degraded, with the controller\'s own reason', async () => {
    // A quota that admits no pods in an allowed namespace: the ReplicaSets cannot create theirs, and the
    // Deployment controller reports ReplicaFailure.
    kOk(['create', 'quota', 'no-pods', '-n', 'ws-quota', '--hard=pods=0']);
    kOk(['apply', '-f', '-'], workspace('ws-quota', 'quota', 'ws-quota', '  targetNamespace: ws-quota\n  browser: {enabled: false}\n  canvas: {enabled: false}\n'));
    const s = await eventually('Degraded', () => status('ws-quota', 'ws-quota').conditions?.find((c: { type: string; status: string }) => c.type === 'Degraded' && c.status === 'True') && status('ws-quota', 'ws-quota'), 60_000);
    expect(s.components.runtime.phase).toBe('Failed');
    expect(s.conditions.find((c: { type: string }) => c.type === 'Degraded').message).toMatch(/runtime: .*(FailedCreate|exceeded quota)/);
    kOk(['delete', 'quota', 'no-pods', '-n', 'ws-quota']);
    await eventually('Running once the quota is gone', () => status('ws-quota', 'ws-quota').phase === 'Running', 90_000);
    kOk(['delete', 'workspace', 'ws-quota', '-n', 'ws-quota']);
  });

  test('turning the browser off removes it; on brings it back', async () => {
    kOk(['patch', 'workspace', 'ws-example', '-n', 'workspace-system', '--type=merge', '-p', '{"spec":{"browser":{"enabled":false}}}']);
    await eventually('browser removed', () => !exists('deployment', 'workspace-browser-my-workspace') && !exists('networkpolicy', 'workspace-my-workspace-browser'));
    expect(exists('service', 'workspace-browser-my-workspace')).toBe(false);
    expect(exists('ingress', 'workspace-browser-my-workspace')).toBe(false);
    await eventually('status Disabled', () => status('ws-example').components.browser.phase === 'Disabled');
    kOk(['patch', 'workspace', 'ws-example', '-n', 'workspace-system', '--type=merge', '-p', '{"spec":{"browser":{"enabled":true}}}']);
    await eventually('browser back', () => exists('deployment', 'workspace-browser-my-workspace') && exists('ingress', 'workspace-browser-my-workspace'));
  });

  test('a restart operation restarts the component and shows in status, with two writes', async () => {
    // From a workspace at rest: the browser turned back on in the test before reports its rollout in status too.
    await eventually('Running again', () => status('ws-example').phase === 'Running');
    const before = await settled(op);
    const at = '2026-11-21T10:00:00Z';
    kOk(['patch', 'workspace', 'ws-example', '-n', 'workspace-system', '--type=merge', '-p', JSON.stringify({ spec: { operations: { restartRuntimeAt: at } } })]);
    await eventually('restart annotation', () =>
      json(['get', 'deployment', 'workspace-runtime-my-workspace', '-n', 'workspace-system']).spec.template.metadata.annotations?.['platform.aileron.io/restarted-at'] === at,
    );
    await eventually('lastRestartedAt', () => status('ws-example').components.runtime.lastRestartedAt === at);
    // The canvas was not asked to restart.
    expect(json(['get', 'deployment', 'workspace-canvas-my-workspace', '-n', 'workspace-system']).spec.template.metadata.annotations).toBeUndefined();
    // The runtime Deployment and the status; the rollout's own status updates may add a status write.
    const after = await settled(op);
    expect(after.list - before.list).toBe(0);
    expect(after.write - before.write).toBeGreaterThanOrEqual(2);
    expect(after.write - before.write).toBeLessThanOrEqual(3);
  });

  test('a namespace that is not allowed: status Failed, an Event, nothing created', async () => {
    kOk(['apply', '-f', '-'], workspace('ws-forbidden', 'forbidden', 'workspace-system', '  targetNamespace: kube-public\n'));
    const s = await eventually('Failed', () => status('ws-forbidden').phase === 'Failed' && status('ws-forbidden'));
    expect(s.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'NamespaceNotAllowed' });
    expect(s.conditions.find((c: { type: string }) => c.type === 'Degraded')).toMatchObject({ status: 'True' });
    expect(k(['get', 'deployments', '-A', '-l', 'platform.aileron.io/workspace-id=forbidden', '-o', 'name']).stdout.trim()).toBe('');
    const events = json(['get', 'events', '-n', 'workspace-system', '--field-selector', 'involvedObject.name=ws-forbidden']).items;
    expect(events.map((e: { reason: string; type: string }) => [e.type, e.reason])).toContainEqual(['Warning', 'NamespaceNotAllowed']);
  });

  test('delete with a cross-namespace target: the finalizer cleans up', async () => {
    kOk(['apply', '-f', '-'], workspace('ws-remote', 'remote', 'ws-owners', '  targetNamespace: workspace-system\n'));
    await eventually('objects in the target namespace', () => exists('deployment', 'workspace-runtime-remote') && exists('networkpolicy', 'workspace-remote-workspace'));
    expect(json(['get', 'workspace', 'ws-remote', '-n', 'ws-owners']).metadata.finalizers).toEqual(['platform.aileron.io/cleanup']);
    kOk(['delete', 'workspace', 'ws-remote', '-n', 'ws-owners', '--wait=false']);
    await eventually('cleanup', () => !exists('deployment', 'workspace-runtime-remote') && !exists('service', 'workspace-canvas-remote'));
    await eventually('Workspace gone', () => k(['get', 'workspace', 'ws-remote', '-n', 'ws-owners']).status !== 0);
    // The workspace volume is kept unless kubernetes.workspaceStorage.deleteWithWorkspace is set.
    expect(exists('pvc', 'workspace-runtime-pvc-remote')).toBe(true);
  });

  test('deleting a Workspace removes what it owns through the garbage collector (no finalizer needed)', async () => {
    kOk(['apply', '-f', '-'], workspace('ws-gc', 'gc', 'workspace-system'));
    await eventually('running', () => status('ws-gc').phase === 'Running', 60_000);
    expect(json(['get', 'workspace', 'ws-gc', '-n', 'workspace-system']).metadata.finalizers).toBeUndefined();
    const owned = (kind: string) => k(['get', kind, '-n', 'workspace-system', '-l', 'platform.aileron.io/workspace-id=gc', '-o', 'name']).stdout.trim();
    expect(owned('pods').split('\n')).toHaveLength(3);
    kOk(['delete', 'workspace', 'ws-gc', '-n', 'workspace-system']);
    await eventually('every owned object gone', () =>
      ['deployments', 'replicasets', 'pods', 'services', 'ingresses', 'networkpolicies', 'secrets'].every((kind) => owned(kind) === ''), 60_000);
    // The volume is kept unless kubernetes.workspaceStorage.deleteWithWorkspace is set.
    expect(owned('pvc')).toBe('persistentvolumeclaim/workspace-runtime-pvc-gc');
  });

  test('the API server restarts mid-run, and the operator converges', async () => {
    await plane.restartApiserver();
    kOk(['apply', '-f', '-'], workspace('ws-after-restart', 'after-restart', 'workspace-system'));
    await eventually('reconciled after the restart', () => status('ws-after-restart').components?.canvas?.internalUrl, 60_000);
    expect(exists('deployment', 'workspace-canvas-after-restart')).toBe(true);
  });

  test('metrics and health endpoints answer', async () => {
    const { healthPort, metricsPort } = op;
    expect(await (await fetch(`http://127.0.0.1:${healthPort}/healthz`)).text()).toBe('ok');
    expect((await fetch(`http://127.0.0.1:${healthPort}/readyz`)).status).toBe(200);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/aileron_operator_reconciles_total\{result="success"\} \d+/);
    expect(text).toContain('aileron_operator_reconcile_duration_seconds_bucket');
    expect(text).toContain('aileron_operator_workspace_start_seconds_bucket');
    expect(text).toMatch(/aileron_operator_leader 1/);
  });

  test('logs are JSON lines with workspace and namespace fields', () => {
    const applied = op.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'applied desired state');
    expect(applied).toMatchObject({ level: 'info', workspace: 'ws-example', namespace: 'workspace-system' });
  });

  test('SIGTERM shuts down gracefully and gives up the Lease', async () => {
    expect(leaseHolder()).toBe('op-a');
    op.proc.kill('SIGTERM');
    expect(await op.exited).toBe(0);
    expect(leaseHolder()).toBe('');
  });
});

test('WATCH_NAMESPACE: only Workspaces in that namespace are reconciled', async () => {
  const op = await startOperator('op-watch', { WATCH_NAMESPACE: 'ws-owners' });
  await eventually('op-watch leads', () => leaseHolder() === 'op-watch');
  kOk(['apply', '-f', '-'], workspace('ws-watched', 'watched', 'ws-owners', '  targetNamespace: workspace-system\n'));
  kOk(['apply', '-f', '-'], workspace('ws-unwatched', 'unwatched', 'workspace-system'));
  await eventually('the watched one reconciled', () => status('ws-watched', 'ws-owners').components?.runtime?.internalUrl);
  await new Promise((r) => setTimeout(r, 1500));
  expect(status('ws-unwatched')).toEqual({});
  expect(exists('deployment', 'workspace-runtime-unwatched')).toBe(false);
  op.proc.kill('SIGTERM');
  expect(await op.exited).toBe(0);
  kOk(['delete', 'workspace', 'ws-unwatched', '-n', 'workspace-system']);
});

test('a kubeconfig only client-node reads (an exec credential plugin): the bundle loads it, and the operator reconciles', async () => {
  // The same ServiceAccount token, handed out by an exec plugin, as cloud kubeconfigs do (aws, gke-gcloud-auth-plugin).
  const config = JSON.parse(readFileSync(h.operatorConfig, 'utf8'));
  const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: config.users[0].user.token } };
  config.users[0].user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: ['-e', `console.log(${JSON.stringify(JSON.stringify(credential))})`], interactiveMode: 'Never' } };
  const path = join(plane.dir, 'exec-plugin.kubeconfig');
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  const op = await startOperator('op-exec', { KUBECONFIG: path });
  await eventually('op-exec leads', () => leaseHolder() === 'op-exec', 15_000);
  kOk(['apply', '-f', '-'], workspace('ws-exec', 'exec', 'workspace-system'));
  await eventually('reconciled with exec credentials', () => status('ws-exec').components?.runtime?.internalUrl);
  op.proc.kill('SIGTERM');
  expect(await op.exited).toBe(0);
  kOk(['delete', 'workspace', 'ws-exec', '-n', 'workspace-system']);
});

describe('two replicas', () => {
  test('exactly one leads; the other takes over within the lease duration when it dies', async () => {
    const a = await startOperator('op-b');
    await eventually('op-b leads', () => leaseHolder() === 'op-b');
    const b = await startOperator('op-c');
    await new Promise((r) => setTimeout(r, 2000));
    expect(leaseHolder()).toBe('op-b');
    expect(b.logs.some((l) => l.includes('became leader'))).toBe(false);
    const killedAt = Date.now();
    a.proc.kill('SIGKILL');
    await eventually('op-c leads', () => leaseHolder() === 'op-c', 15_000);
    // The new leader stamps acquireTime when it takes over: that is the failover, free of this test's polling.
    // Lease duration 3 s and retry period 0.6 s bound it, with a little slack for a loaded machine.
    const acquired = Date.parse(json(['get', 'lease', 'aileron-workspace-operator', '-n', 'aileron']).spec.acquireTime);
    expect(acquired - killedAt).toBeLessThan(3000 + 600 + 900);
    kOk(['apply', '-f', '-'], workspace('ws-failover', 'failover', 'workspace-system'));
    await eventually('the new leader reconciles', () => status('ws-failover').components?.runtime?.internalUrl);
    b.proc.kill('SIGTERM');
    await b.exited;
  });

  test('killed mid-reconcile, then restarted: converges with no duplicates', async () => {
    for (let i = 0; i < 5; i++) kOk(['apply', '-f', '-'], workspace(`ws-burst-${i}`, `burst-${i}`, 'workspace-system'));
    const first = await startOperator('op-d');
    await eventually('some work started', () => first.logs.some((l) => l.includes('applied desired state')), 15_000);
    first.proc.kill('SIGKILL');
    await first.exited;
    const second = await startOperator('op-e');
    for (let i = 0; i < 5; i++) await eventually(`ws-burst-${i} status`, () => status(`ws-burst-${i}`).components?.canvas?.internalUrl, 20_000);
    for (let i = 0; i < 5; i++) {
      const deployments = k(['get', 'deployments', '-n', 'workspace-system', '-l', `platform.aileron.io/workspace-id=burst-${i}`, '-o', 'name']).stdout.trim().split('\n');
      expect(deployments.sort()).toEqual([`deployment.apps/workspace-browser-burst-${i}`, `deployment.apps/workspace-canvas-burst-${i}`, `deployment.apps/workspace-runtime-burst-${i}`]);
    }
    await eventually('all Running', () => [0, 1, 2, 3, 4].every((i) => status(`ws-burst-${i}`).phase === 'Running'), 60_000);
    await settled(second);
    second.proc.kill('SIGTERM');
    await second.exited;
    // A restart over converged Workspaces finds every object's applied hash in place: it rewrites nothing.
    // Pages of two make every kind's list take several pages, as thousands of objects would.
    const third = await startOperator('op-f', { LIST_PAGE_SIZE: '2' });
    await eventually('op-f leads', () => leaseHolder() === 'op-f', 15_000);
    await reconciled(third, json(['get', 'workspaces', '-A']).items.length);
    const quiet = await settled(third);
    expect(third.logs.filter((l) => l.includes('applied desired state') || l.includes('"level":"error"'))).toEqual([]);
    expect(quiet.write).toBe(0);
    // Nor does it render them again: each status records what the cluster holds (status.appliedHash).
    expect(quiet.renders).toBe(0);
    third.proc.kill('SIGTERM');
    await third.exited;
  });

  test('changes made while no operator runs are found on restart; a new operator build renders every Workspace', async () => {
    const workspaces = () => json(['get', 'workspaces', '-A']).items.length;
    // While it is down, one Workspace loses a Service and another has an applied hash stripped.
    kOk(['delete', 'service', 'workspace-canvas-burst-1', '-n', 'workspace-system']);
    kOk(['annotate', 'ingress', 'workspace-runtime-burst-2', '-n', 'workspace-system', 'platform.aileron.io/applied-hash-']);
    const back = await startOperator('op-g');
    await eventually('op-g leads', () => leaseHolder() === 'op-g', 15_000);
    await reconciled(back, workspaces());
    await eventually('the deleted Service is back', () => exists('service', 'workspace-canvas-burst-1'));
    const afterDrift = await settled(back);
    expect(afterDrift.renders).toBe(2);
    expect(afterDrift.write).toBe(2);
    expect(json(['get', 'ingress', 'workspace-runtime-burst-2', '-n', 'workspace-system']).metadata.annotations['platform.aileron.io/applied-hash']).toBeTruthy();
    back.proc.kill('SIGTERM');
    await back.exited;

    // Another build (the same bundle with a byte more) may render differently: it trusts no plan an older one applied.
    const upgraded = join(ROOT, 'build', 'workspace-operator-next.mjs');
    writeFileSync(upgraded, `${readFileSync(join(ROOT, 'build', 'workspace-operator.mjs'), 'utf8')}\n// next build\n`);
    // Every Workspace the operator could honour has an applied hash (a Failed one has none, and nothing to render).
    const converged = json(['get', 'workspaces', '-A']).items.filter((w: { status?: { appliedHash?: string } }) => w.status?.appliedHash).length;
    expect(converged).toBeGreaterThanOrEqual(5);
    const next = await h.startOperator('op-h', {}, upgraded);
    try {
      await eventually('op-h leads', () => leaseHolder() === 'op-h', 15_000);
      await reconciled(next, workspaces());
      const afterUpgrade = await settled(next);
      expect(afterUpgrade.renders).toBe(converged);
      // Its objects come out the same, so it rewrites none of them: only each status, for its new applied hash.
      expect(afterUpgrade.write).toBe(converged);
    } finally {
      next.proc.kill('SIGTERM');
      await next.exited;
      rmSync(upgraded);
    }
  });
});
