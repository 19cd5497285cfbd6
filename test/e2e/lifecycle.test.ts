import { eventually, OperatorHarness, workspaceYaml as workspace, type Condition, type Operator } from '../support/operator-harness.js';
import { startLoopbackProxy, type LoopbackProxy } from '../support/loopback-proxy.js';
import type { WorkspacePlatform } from '../../lib/workspace/platform.js';

// The workspace lifecycle on a real control plane (pods scheduled by kube-scheduler, run by kwok, claims bound),
// with the operator under its own ServiceAccount. Durations are seconds long; nothing here times the operator.
const h = new OperatorHarness();
const { kOk, json, status, exists, condition } = h;
const RUNTIME_ONLY = '  browser: {enabled: false}\n  canvas: {enabled: false}\n';
const started = (name: string, value: boolean) => kOk(['patch', 'workspace', name, '-n', 'workspace-system', '--type=merge', '-p', JSON.stringify({ spec: { started: value } })]);
const phase = (name: string) => status(name).phase as string | undefined;
const annotations = (name: string) => (json(['get', 'workspace', name, '-n', 'workspace-system']).metadata.annotations ?? {}) as Record<string, string>;
const events = (name: string, reason: string) =>
  json(['get', 'events', '-n', 'workspace-system', '--field-selector', `involvedObject.name=${name},reason=${reason}`]).items as Array<{ type: string; message: string }>;
const runtimePods = (id: string) => json(['get', 'pods', '-n', 'workspace-system', '-l', `platform.aileron.io/workspace-id=${id}`]).items as unknown[];

/** The platform settings the operator reads (the platform-config ConfigMap). */
const platformSettings = () => JSON.parse(json(['get', 'configmap', 'aileron-platform-config', '-n', 'aileron']).data.WORKSPACE_PLATFORM) as WorkspacePlatform;

let op: Operator | undefined;
/** The platform with these values, and a new operator reading it (and this environment). */
async function platformWith(set: string[], env: Record<string, string> = {}): Promise<void> {
  h.applyPlatform(set);
  if (op) {
    op.proc.kill('SIGTERM');
    await op.exited;
  }
  op = await h.startOperator(`op-${Date.now()}`, env);
}

beforeAll(async () => {
  await h.start();
  op = await h.startOperator('op-a');
});
afterAll(() => h.stop());

describe('stop and start', () => {
  test('a stop removes the pods and the route and keeps the volume, its binding, the Secrets and the policies; a start brings it back on the same claim', async () => {
    kOk(['apply', '-f', '-'], workspace('ws-life', 'life', 'workspace-system', RUNTIME_ONLY));
    await eventually('Running', () => phase('ws-life') === 'Running', 90_000);
    const claim = () => json(['get', 'pvc', 'workspace-runtime-pvc-life', '-n', 'workspace-system']);
    const before = await eventually('the claim bound', () => claim().status?.phase === 'Bound' && claim());
    const firstStart = status('ws-life').startedAt as string;
    expect(Date.parse(firstStart)).not.toBeNaN();

    started('ws-life', false);
    const stopped = await eventually('Stopped', () => phase('ws-life') === 'Stopped' && status('ws-life'), 60_000);
    expect(stopped.conditions.find((c: Condition) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'Stopped' });
    expect(stopped.components.runtime).toMatchObject({ phase: 'Stopped', ready: false });
    await eventually('no pod left', () => runtimePods('life').length === 0, 60_000);
    expect(json(['get', 'deployment', 'workspace-runtime-life', '-n', 'workspace-system']).spec.replicas).toBe(0);
    // Nothing routes to it: the Ingress is gone; the Service stays, with no endpoint behind it.
    expect(exists('ingress', 'workspace-runtime-life')).toBe(false);
    expect(exists('service', 'workspace-runtime-life')).toBe(true);
    for (const [kind, name] of [['secret', 'workspace-life-auth'], ['networkpolicy', 'workspace-life-workspace']]) expect([kind, name, exists(kind, name)]).toEqual([kind, name, true]);
    const kept = claim();
    expect(kept.metadata.uid).toBe(before.metadata.uid);
    expect(kept.spec.volumeName).toBe(before.spec.volumeName);
    expect(kept.status.phase).toBe('Bound');
    // kubectl shows it: the Started column.
    expect(kOk(['get', 'workspace', 'ws-life', '-n', 'workspace-system'])).toMatch(/ws-life\s+Stopped\s+user-123\s+false/);

    started('ws-life', true);
    await eventually('Running again', () => phase('ws-life') === 'Running', 90_000);
    expect(exists('ingress', 'workspace-runtime-life')).toBe(true);
    expect(claim().metadata.uid).toBe(before.metadata.uid);
    expect(claim().spec.volumeName).toBe(before.spec.volumeName);
    const pods = runtimePods('life') as Array<{ spec: { volumes: Array<{ persistentVolumeClaim?: { claimName: string } }> } }>;
    expect(pods.flatMap((p) => p.spec.volumes.map((v) => v.persistentVolumeClaim?.claimName).filter(Boolean))).toEqual(['workspace-runtime-pvc-life']);
    expect(Date.parse(status('ws-life').startedAt)).toBeGreaterThan(Date.parse(firstStart));
    kOk(['delete', 'workspace', 'ws-life', '-n', 'workspace-system']);
  });
});

describe('running limits', () => {
  beforeAll(() => platformWith(['kubernetes.maxRunningWorkspacesPerUser=2', 'kubernetes.maxRunningWorkspaces=3']));
  const owned = (owner: string, names: string[]) =>
    names.map((n) => workspace(n, n, 'workspace-system', RUNTIME_ONLY).replace('ownerId: user-123', `ownerId: ${owner}`)).join('---\n');

  test('one owner starting five at once gets two; the rest stay Stopped naming the limit, and one starts when a slot frees', async () => {
    const names = ['cap-1', 'cap-2', 'cap-3', 'cap-4', 'cap-5'];
    // One apply: the five arrive together and the operator's 16 workers reconcile them at once.
    kOk(['apply', '-f', '-'], owned('alice', names));
    const verdicts = await eventually(
      'every one decided',
      () => {
        const all = names.map((n) => ({ n, phase: phase(n), ready: condition(n, 'Ready') }));
        return all.every((w) => w.phase && w.phase !== 'Pending') && all;
      },
      60_000,
    );
    const held = verdicts.filter((w) => w.phase === 'Stopped');
    expect(held).toHaveLength(3);
    for (const w of held) {
      expect(w.ready).toMatchObject({ status: 'False', reason: 'UserLimitReached' });
      expect(w.ready!.message).toContain('kubernetes.maxRunningWorkspacesPerUser (2)');
      expect(runtimePods(w.n)).toEqual([]);
    }
    const running = verdicts.filter((w) => w.phase !== 'Stopped').map((w) => w.n);
    expect(running).toHaveLength(2);

    // The owner stops one: a waiting one takes its slot.
    started(running[0], false);
    await eventually('another started', () => names.filter((n) => n !== running[0] && phase(n) !== 'Stopped').length === 2, 60_000);
    expect(names.filter((n) => phase(n) !== 'Stopped')).toHaveLength(2);
  });

  test('the cluster limit holds across owners', async () => {
    kOk(['apply', '-f', '-'], owned('bob', ['cap-bob-1', 'cap-bob-2']));
    const decided = await eventually('both decided', () => {
      const all = ['cap-bob-1', 'cap-bob-2'].map((n) => ({ n, phase: phase(n), ready: condition(n, 'Ready') }));
      return all.every((w) => w.phase && w.phase !== 'Pending') && all;
    });
    // alice holds 2 of the 3: bob gets one.
    expect(decided.filter((w) => w.phase === 'Stopped').map((w) => w.ready?.reason)).toEqual(['ClusterLimitReached']);
    kOk(['delete', 'workspace', '-n', 'workspace-system', 'cap-1', 'cap-2', 'cap-3', 'cap-4', 'cap-5', 'cap-bob-1', 'cap-bob-2']);
  });
});

describe('idle and max-age stops', () => {
  // The workspaces' proxy, read by the operator, with no one using it: idle.
  let quiet: LoopbackProxy;
  beforeAll(async () => {
    quiet = await startLoopbackProxy(platformSettings());
    await platformWith(['workspaceLifecycle.idleTimeout=10s', 'workspaceLifecycle.warnBefore=5s', 'workspaceLifecycle.limits.idleTimeout=0s'], {
      ACTIVITY_INTERVAL_SECONDS: '1',
      ACTIVITY_URL: quiet.metrics,
    });
  });
  afterAll(() => quiet.stop());

  test('idle: StoppingSoon and a Warning Event first, then the operator stops it (stopped-by: idle), keeping the Workspace and its volume', async () => {
    kOk(['apply', '-f', '-'], workspace('ws-idle', 'idle', 'workspace-system', RUNTIME_ONLY));
    const warned = await eventually('StoppingSoon', () => condition('ws-idle', 'StoppingSoon'), 30_000);
    expect(warned).toMatchObject({ status: 'True', reason: 'IdleTimeout' });
    expect(warned.message).toContain('idle timeout 10s');
    expect(events('ws-idle', 'StoppingSoon')).toEqual([expect.objectContaining({ type: 'Warning' })]);
    expect(json(['get', 'workspace', 'ws-idle', '-n', 'workspace-system']).spec.started).toBe(true);

    await eventually('stopped by the operator', () => phase('ws-idle') === 'Stopped', 30_000);
    expect(annotations('ws-idle')['platform.aileron.io/stopped-by']).toBe('idle');
    expect(json(['get', 'workspace', 'ws-idle', '-n', 'workspace-system']).spec.started).toBe(false);
    expect(condition('ws-idle', 'Ready')).toMatchObject({ status: 'False', reason: 'IdleTimeout' });
    expect(condition('ws-idle', 'StoppingSoon')).toBeUndefined();
    expect(exists('pvc', 'workspace-runtime-pvc-idle')).toBe(true);
    await eventually('no pod left', () => runtimePods('idle').length === 0, 60_000);

    // Started again by its owner: the annotation no longer says why it is stopped, and the idle clock starts over.
    started('ws-idle', true);
    await eventually('running again', () => phase('ws-idle') !== 'Stopped' && !annotations('ws-idle')['platform.aileron.io/stopped-by'], 30_000);
    kOk(['delete', 'workspace', 'ws-idle', '-n', 'workspace-system']);
  });

  test('max age: with its own spec.lifecycle (no idle stop, 8s max age) it stops 8 s after its start, warned first', async () => {
    kOk(['apply', '-f', '-'], workspace('ws-age', 'age', 'workspace-system', `${RUNTIME_ONLY}  lifecycle: {idleTimeout: "0", maxAge: 8s}\n`));
    const warned = await eventually('StoppingSoon', () => condition('ws-age', 'StoppingSoon'), 30_000);
    expect(warned).toMatchObject({ status: 'True', reason: 'MaxAge' });
    await eventually('stopped', () => phase('ws-age') === 'Stopped', 30_000);
    expect(annotations('ws-age')['platform.aileron.io/stopped-by']).toBe('max-age');
    expect(condition('ws-age', 'Ready')).toMatchObject({ reason: 'MaxAge' });
    kOk(['delete', 'workspace', 'ws-age', '-n', 'workspace-system']);
  });

  test('a workspace whose proxies cannot be read is never taken for idle', async () => {
    await platformWith(['workspaceLifecycle.idleTimeout=4s', 'workspaceLifecycle.warnBefore=2s'], { ACTIVITY_INTERVAL_SECONDS: '1' });
    kOk(['apply', '-f', '-'], workspace('ws-unread', 'unread', 'workspace-system', RUNTIME_ONLY));
    await eventually('Running', () => phase('ws-unread') === 'Running', 60_000);
    // Three idle timeouts later (its reads go to a closed port): still running, with no warning.
    await new Promise((r) => setTimeout(r, 12_000));
    expect(phase('ws-unread')).toBe('Running');
    expect(condition('ws-unread', 'StoppingSoon')).toBeUndefined();
    expect(json(['get', 'workspace', 'ws-unread', '-n', 'workspace-system']).spec.started).toBe(true);
    kOk(['delete', 'workspace', 'ws-unread', '-n', 'workspace-system']);
  });

  test('a lifecycle beyond the platform\'s limit is refused in status, naming the field', async () => {
    await platformWith(['workspaceLifecycle.idleTimeout=10s', 'workspaceLifecycle.warnBefore=5s', 'workspaceLifecycle.limits.idleTimeout=1m'], { ACTIVITY_INTERVAL_SECONDS: '1' });
    kOk(['apply', '-f', '-'], workspace('ws-long', 'long', 'workspace-system', `${RUNTIME_ONLY}  lifecycle: {idleTimeout: 2h}\n`));
    const ready = await eventually('Failed', () => phase('ws-long') === 'Failed' && condition('ws-long', 'Ready'));
    expect(ready.message).toContain("spec.lifecycle.idleTimeout: 2h is beyond the platform's limit of 1m (workspaceLifecycle.limits.idleTimeout)");
    kOk(['delete', 'workspace', 'ws-long', '-n', 'workspace-system']);
  });
});

describe('activity', () => {
  test('requests through its proxy keep a workspace past its idle timeout, are recorded at most once a minute, and clear a StoppingSoon warning; once they end, it stops', async () => {
    const proxy = await startLoopbackProxy(platformSettings());
    try {
      await platformWith(['workspaceLifecycle.idleTimeout=8s', 'workspaceLifecycle.warnBefore=4s'], { ACTIVITY_INTERVAL_SECONDS: '1', ACTIVITY_URL: proxy.metrics });
      kOk(['apply', '-f', '-'], workspace('ws-busy', 'busy', 'workspace-system', RUNTIME_ONLY));
      await eventually('Running', () => phase('ws-busy') === 'Running', 60_000);
      // Its owner works for 16 s, twice the idle timeout.
      const until = Date.now() + 16_000;
      while (Date.now() < until) {
        expect((await fetch(`${proxy.url}/`)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(phase('ws-busy')).toBe('Running');
      expect(condition('ws-busy', 'StoppingSoon')).toBeUndefined();
      const recorded = status('ws-busy').lastActivityTime as string;
      expect(Date.parse(recorded)).toBeGreaterThan(Date.parse(status('ws-busy').startedAt));
      // Written once: the next write waits for a minute past it.
      expect(Date.now() - Date.parse(recorded)).toBeGreaterThan(10_000);
      // The owner pauses until warned, then comes back: the warning goes and the stop with it.
      await eventually('StoppingSoon', () => condition('ws-busy', 'StoppingSoon'), 30_000);
      expect((await fetch(`${proxy.url}/`)).status).toBe(200);
      await eventually('the warning cleared', () => !condition('ws-busy', 'StoppingSoon'), 10_000);
      expect(phase('ws-busy')).toBe('Running');
      await eventually('stopped once idle', () => phase('ws-busy') === 'Stopped', 30_000);
      expect(annotations('ws-busy')['platform.aileron.io/stopped-by']).toBe('idle');
    } finally {
      proxy.stop();
    }
    kOk(['delete', 'workspace', 'ws-busy', '-n', 'workspace-system']);
  });
});

describe('namespace quota', () => {
  test('the chart\'s quota holds the workspace defaults times kubernetes.namespaceQuota.workspaces, and a workspace it blocks reports Degraded with the quota\'s own message', async () => {
    const quota = json(['get', 'resourcequota', 'aileron-workspaces', '-n', 'workspace-system']);
    // 20 workspaces of runtime 500m + browser 1000m + canvas 250m + three proxies of 10m.
    expect(quota.spec.hard).toMatchObject({ 'requests.cpu': '35600m', pods: '60', persistentvolumeclaims: '20' });
    const limitRange = json(['get', 'limitrange', 'aileron-workspaces', '-n', 'workspace-system']);
    expect(limitRange.spec.limits[0]).toMatchObject({ type: 'Container', defaultRequest: { cpu: '500m', memory: '512Mi' } });

    const big = `${RUNTIME_ONLY}  runtime:\n    resources: {requests: {cpu: "40"}, limits: {cpu: "40"}}\n`;
    kOk(['apply', '-f', '-'], workspace('ws-big', 'big', 'workspace-system', big));
    const degraded = await eventually('Degraded', () => condition('ws-big', 'Degraded')?.status === 'True' && condition('ws-big', 'Degraded'), 60_000);
    expect(degraded.message).toContain('exceeded quota: aileron-workspaces');
    expect(degraded.message).toContain('requests.cpu');
    kOk(['delete', 'workspace', 'ws-big', '-n', 'workspace-system']);
  });
});
