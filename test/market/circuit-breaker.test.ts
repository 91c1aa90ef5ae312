import { describe, expect, it } from 'vitest';
import { TemporaryError, UserError } from '../../src/errors.js';
import { CircuitBreaker, CircuitOpenError, type BreakerTransition } from '../../src/market/circuit-breaker.js';

const down = () => Promise.reject(new TemporaryError('binance is unavailable (HTTP 503)', 5_000));
const up = () => Promise.resolve('ok');

function setup(threshold = 3, openMs = 10_000) {
  const clock = { nowMs: 1_000_000 };
  const breaker = new CircuitBreaker('binance', { failureThreshold: threshold, openMs, now: () => clock.nowMs });
  const events: BreakerTransition[] = [];
  breaker.onTransition((t) => events.push(t));
  return { clock, breaker, events };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, fails fast, half-opens after the wait, and closes on success', async () => {
    const { clock, breaker, events } = setup();
    for (let i = 0; i < 3; i++) await expect(breaker.execute(down)).rejects.toThrow('HTTP 503');
    expect(breaker.snapshot()).toMatchObject({ state: 'open', consecutiveFailures: 3, retryAtMs: 1_010_000 });

    let called = false;
    const fast = await breaker.execute(async () => (called = true)).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect(fast).toBeInstanceOf(TemporaryError);
    expect((fast as TemporaryError).retryAfterMs).toBe(10_000);
    expect((fast as Error).message).toBe('binance failed 3 times in a row (binance is unavailable (HTTP 503)); try again in 10 s.');

    clock.nowMs += 10_000;
    await expect(breaker.execute(up)).resolves.toBe('ok');
    expect(breaker.snapshot().state).toBe('closed');
    expect(events.map((e) => `${e.from}→${e.to}`)).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
    expect(events[0]).toMatchObject({ source: 'binance', atMs: 1_000_000, consecutiveFailures: 3, reason: 'binance is unavailable (HTTP 503)', retryAtMs: 1_010_000 });
  });

  it('re-opens when the probe fails, and lets only one probe through at a time', async () => {
    const { clock, breaker, events } = setup(1);
    await expect(breaker.execute(down)).rejects.toThrow();
    clock.nowMs += 10_000;
    let release!: () => void;
    const probe = breaker.execute(() => new Promise<never>((_, reject) => (release = () => reject(new TemporaryError('still down', 1)))));
    await expect(breaker.execute(up)).rejects.toThrow(/is being probed/);
    release();
    await expect(probe).rejects.toThrow('still down');
    expect(breaker.snapshot()).toMatchObject({ state: 'open', retryAtMs: clock.nowMs + 10_000 });
    expect(events.map((e) => e.to)).toEqual(['open', 'half-open', 'open']);
  });

  it('does not count a UserError (the exchange answered) and resets the count on success', async () => {
    const { breaker } = setup(2);
    await expect(breaker.execute(down)).rejects.toThrow();
    await expect(breaker.execute(() => Promise.reject(new UserError('no such market')))).rejects.toThrow(UserError);
    await expect(breaker.execute(down)).rejects.toThrow();
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
  });

  it('quotes a failure by its reason, so an open breaker says once when to try again: its own time', async () => {
    const { breaker, events } = setup(2);
    const limited = new TemporaryError('binance is rate-limiting our requests', 2_000, { sayWhen: true });
    expect(limited.message).toBe('binance is rate-limiting our requests; try again in 2 s.');
    for (let i = 0; i < 2; i++) await expect(breaker.execute(() => Promise.reject(limited))).rejects.toBe(limited);
    expect(events[0]?.reason).toBe('binance is rate-limiting our requests');
    expect(breaker.snapshot().lastFailure).toBe('binance is rate-limiting our requests');
    const fast = (await breaker.execute(up).catch((e: unknown) => e)) as CircuitOpenError;
    expect(fast.message).toBe('binance failed 2 times in a row (binance is rate-limiting our requests); try again in 10 s.');
    expect(fast).toMatchObject({ reason: 'binance failed 2 times in a row (binance is rate-limiting our requests)', saysWhen: true });
  });

  it('removes a listener', async () => {
    const { breaker } = setup(1);
    const seen: string[] = [];
    const off = breaker.onTransition((t) => seen.push(t.to));
    off();
    await expect(breaker.execute(down)).rejects.toThrow();
    expect(seen).toEqual([]);
  });
});
