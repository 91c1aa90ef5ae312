import { describe, expect, it } from 'vitest';
import { TemporaryError, UserError } from '../../src/errors.js';
import { CircuitOpenError } from '../../src/market/circuit-breaker.js';
import { ExchangeOutage } from '../../src/market/exchange-client.js';
import { seededRandom } from '../../src/market/random.js';
import { retryDelayMs, withRetry, type RetryPolicy } from '../../src/market/retry.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

function failing(errors: Error[]) {
  let calls = 0;
  return {
    calls: () => calls,
    run: async () => {
      const error = errors[calls++];
      if (error) throw error;
      return 'ok';
    },
  };
}

describe('retry', () => {
  it('backs off exponentially with equal jitter, within [ceiling/2, ceiling]', () => {
    const random = seededRandom(1);
    for (let attempt = 1; attempt <= 6; attempt++) {
      const ceiling = Math.min(1_000, 100 * 2 ** (attempt - 1));
      const delay = retryDelayMs(attempt, policy, random)!;
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
    expect(retryDelayMs(1, policy, () => 0)).toBe(50);
    expect(retryDelayMs(1, policy, () => 0.999999)).toBe(100);
  });

  it('waits at least what the server demands, and gives up when it demands more than maxDelayMs', () => {
    expect(retryDelayMs(1, policy, () => 0, 700)).toBe(700);
    expect(retryDelayMs(1, policy, () => 0, 5_000)).toBeUndefined();
  });

  it('retries TemporaryErrors until success, treating a plain one\'s retry-after as a demand', async () => {
    const sleeps: number[] = [];
    const f = failing([new TemporaryError('busy', 200), new TemporaryError('busy', 20)]);
    const result = await withRetry(f.run, policy, { sleep: async (ms) => void sleeps.push(ms), random: () => 0 });
    expect(result).toBe('ok');
    expect(f.calls()).toBe(3);
    expect(sleeps).toEqual([200, 100]);
    const tooLong = failing([new TemporaryError('come back in 5 s', 5_000)]);
    await expect(withRetry(tooLong.run, policy, { sleep: async () => {}, random: () => 0 })).rejects.toThrow('come back');
    expect(tooLong.calls()).toBe(1);
  });

  it('uses waitAtLeastMs of an ExchangeOutage, not its user-facing retry-after', async () => {
    const sleeps: number[] = [];
    const f = failing([new ExchangeOutage('503', 5_000, 'unavailable', 0), new ExchangeOutage('429', 10_000, 'rate-limited', 300)]);
    await withRetry(f.run, policy, { sleep: async (ms) => void sleeps.push(ms), random: () => 0 });
    expect(sleeps).toEqual([50, 300]);
  });

  it('never retries a UserError, a breaker that is open, or after maxAttempts', async () => {
    const deps = { sleep: async () => {}, random: () => 0.5 };
    const user = failing([new UserError('bad symbol')]);
    await expect(withRetry(user.run, policy, deps)).rejects.toThrow(UserError);
    expect(user.calls()).toBe(1);
    const open = failing([new CircuitOpenError('open', 1_000)]);
    await expect(withRetry(open.run, policy, deps)).rejects.toThrow(CircuitOpenError);
    expect(open.calls()).toBe(1);
    const always = failing(Array.from({ length: 10 }, () => new ExchangeOutage('down', 1, 'network', 0)));
    await expect(withRetry(always.run, policy, deps)).rejects.toThrow('down');
    expect(always.calls()).toBe(4);
  });
});
