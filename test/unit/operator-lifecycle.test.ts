/**
 * The lifecycle's decisions with an injected clock: when a stop falls due and its warning begins, what status
 * records of activity and how often, and who gets a running slot. The control-plane tests
 * (test/e2e/lifecycle.test.ts) show the same through the operator.
 */
import { nextStop } from '../../operator/lifecycle/deadlines.js';
import { ActivityMonitor, ACTIVITY_WRITE_INTERVAL_MS, proxyCounts } from '../../operator/lifecycle/activity.js';
import { RunningSlots } from '../../operator/lifecycle/running-slots.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('deadlines', () => {
  const lifecycle = { idleTimeoutMs: 2 * HOUR, maxAgeMs: 0, warnBeforeMs: 10 * MIN };

  test('idle counts from the last activity, or the start when there is none; the warning comes warnBefore earlier', () => {
    expect(nextStop(lifecycle, 0, undefined)).toEqual({ cause: 'idle', stopAt: 2 * HOUR, warnAt: 110 * MIN });
    expect(nextStop(lifecycle, 0, 3 * HOUR)).toEqual({ cause: 'idle', stopAt: 5 * HOUR, warnAt: 290 * MIN });
    // Activity recorded before this start (a stop and a start later) does not shorten it.
    expect(nextStop(lifecycle, 10 * HOUR, 3 * HOUR)!.stopAt).toBe(12 * HOUR);
  });

  test('max age counts from the start whatever the activity; the earlier deadline wins; none when both are off', () => {
    expect(nextStop({ ...lifecycle, maxAgeMs: 8 * HOUR }, 0, 7 * HOUR)).toEqual({ cause: 'max-age', stopAt: 8 * HOUR, warnAt: 470 * MIN });
    expect(nextStop({ ...lifecycle, maxAgeMs: 8 * HOUR }, 0, HOUR)!.cause).toBe('idle');
    expect(nextStop({ idleTimeoutMs: 0, maxAgeMs: 0, warnBeforeMs: 10 * MIN }, 0, undefined)).toBeUndefined();
  });
});

describe('activity', () => {
  const metrics = (passed: Record<string, number>, inFlight: number) =>
    [
      '# HELP oauth2_proxy_requests_in_flight Current number of requests being served.',
      `oauth2_proxy_requests_in_flight ${inFlight}`,
      ...Object.entries(passed).map(([code, n]) => `oauth2_proxy_requests_total{code="${code}"} ${n}`),
      'promhttp_metric_handler_requests_total{code="200"} 40',
    ].join('\n');

  test("the proxy's own 401 and 403 are not the owner's; an open request is", () => {
    expect(proxyCounts(metrics({ '200': 5, '302': 1, '401': 7, '403': 9 }, 0))).toEqual({ passed: 6, inFlight: 0 });
    expect(proxyCounts(metrics({ '101': 1 }, 2))).toEqual({ passed: 1, inFlight: 2 });
    expect(proxyCounts('not a metrics page')).toBeUndefined();
  });

  test('status records the first activity at once, then moves at most once a minute', () => {
    let now = 1_000_000;
    const monitor = new ActivityMonitor({ intervalMs: 1000, urlTemplate: '', concurrency: 1, wake: () => {}, now: () => now });
    const seen = (at: number) => monitor.sawActivity('uid', at);
    expect(monitor.toRecord('uid', undefined)).toBeUndefined();
    seen(now);
    const first = monitor.toRecord('uid', undefined)!;
    expect(Date.parse(first)).toBe(now);
    now += 30_000;
    seen(now);
    expect(monitor.toRecord('uid', first)).toBe(first);
    now += ACTIVITY_WRITE_INTERVAL_MS - 30_000;
    seen(now);
    expect(Date.parse(monitor.toRecord('uid', first)!)).toBe(now);
    // The deadlines read the exact time, not the recorded one.
    expect(monitor.lastActivity('uid', first)).toBe(now);
  });
});

describe('running slots', () => {
  test('per owner and in all; a slot held is kept; a freed one wakes those waiting', () => {
    const woken: string[][] = [];
    const slots = new RunningSlots((keys) => woken.push(keys));
    const limits = { perUser: 2, cluster: 3 };
    expect(slots.take('a1', 'alice', 'ns/a1', limits, 1)).toEqual({ since: 1 });
    expect(slots.take('a2', 'alice', 'ns/a2', limits, 2)).toEqual({ since: 2 });
    expect(slots.take('a3', 'alice', 'ns/a3', limits, 3)).toMatchObject({ reason: 'UserLimitReached' });
    expect(slots.take('a1', 'alice', 'ns/a1', limits, 4)).toEqual({ since: 1 });
    expect(slots.take('b1', 'bob', 'ns/b1', limits, 5)).toEqual({ since: 5 });
    expect(slots.take('b2', 'bob', 'ns/b2', limits, 6)).toMatchObject({ reason: 'ClusterLimitReached', message: expect.stringContaining('kubernetes.maxRunningWorkspaces (3)') });
    slots.release('a1', 'ns/a1');
    expect(woken).toEqual([['ns/a3', 'ns/b2']]);
    expect(slots.take('a3', 'alice', 'ns/a3', limits, 7)).toEqual({ since: 7 });
    expect(slots.running).toBe(3);
    // Held before any reconcile after a restart: over a lowered limit, nobody already running is stopped.
    slots.hold('a4', 'alice', 0);
    expect(slots.running).toBe(4);
  });
});
