import { ApiError } from '../../operator/api-client.js';
import { retryable, retryDelayMs } from '../../operator/kube.js';

const throttled = (retryAfter?: string) => new ApiError(429, '{}', retryAfter === undefined ? {} : { 'retry-after': retryAfter });

describe('retryDelayMs', () => {
  test('waits at least what Retry-After asks, and spreads the retries over up to half of it again', () => {
    const delays = [0, 0.25, 0.5, 0.75, 0.999].map((r) => retryDelayMs(throttled('2'), 0, () => r));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...delays)).toBeLessThan(3000);
    // Requests turned away together do not all come back together.
    expect(new Set(delays).size).toBe(delays.length);
  });

  test('a Retry-After over a minute is capped at a minute', () => {
    expect(retryDelayMs(throttled('3600'), 0, () => 0)).toBe(60_000);
  });

  test('without Retry-After (or with one that is not a number): exponential backoff with jitter, capped', () => {
    expect(retryDelayMs(throttled(), 0, () => 0.5)).toBe(100);
    expect(retryDelayMs(throttled('soon'), 3, () => 0.5)).toBe(800);
    expect(retryDelayMs(new Error('ECONNRESET'), 10, () => 0.999)).toBeLessThan(7500);
    expect(retryDelayMs(new Error('ECONNRESET'), 10, () => 0)).toBe(2500);
  });

  test('a backoff already longer than Retry-After is kept', () => {
    // 100 ms * 2^5 * (0.5 + 0.5), then the spread: 1 s * 0.5 * 0.5.
    expect(retryDelayMs(throttled('1'), 5, () => 0.5)).toBe(3200 + 250);
  });
});

describe('retryable', () => {
  test('a conflict is sent again, except a write conditional on the resourceVersion it carries: that one must re-read first', () => {
    const conflict = new ApiError(409, '{}', {});
    expect(retryable(conflict)).toBe(true);
    expect(retryable(conflict, true)).toBe(false);
    // Throttling and server errors are retried either way; a refusal never is.
    expect([retryable(throttled(), true), retryable(new ApiError(503, '{}', {}), true)]).toEqual([true, true]);
    expect(retryable(new ApiError(422, '{}', {}))).toBe(false);
  });
});
