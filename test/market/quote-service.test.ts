import { describe, expect, it } from 'vitest';
import { TemporaryError, UserError } from '../../src/errors.js';
import { CircuitOpenError, type BreakerTransition } from '../../src/market/circuit-breaker.js';
import { QuoteService, describeQuoteAge } from '../../src/market/quote-service.js';
import { advance, startHarness } from './harness.js';
import { utc } from './shared-data.js';

const TICKER = '/api/v3/ticker/24hr';

describe('QuoteService over ccxt and the fake Binance', () => {
  it('returns a reading with provenance, its age by the exchange timestamp, and not stale when fresh', async () => {
    const h = await startHarness({ atIso: '2021-04-20T01:00' });
    const quotes = new QuoteService(h.guard(), { now: h.now });
    advance(h, 30_000);
    const reading = await quotes.getQuote('BTC/USDT');
    const served = h.exchange.tickerNow('BTCUSDT')!;
    expect(reading.quote.last).toBe(served.lastPrice);
    expect(reading.quote.provenance).toEqual({ source: 'binance', sourceTimeMs: served.closeTimeMs, receivedAtMs: h.now() });
    expect(reading).toMatchObject({ ageMs: h.now() - served.closeTimeMs, stale: false, fromCache: false, staleReason: undefined });
  });

  it('serves a second request within the TTL from the cache, without an exchange call', async () => {
    const h = await startHarness();
    const quotes = new QuoteService(h.guard(), { now: h.now, ttlMs: 5_000 });
    const first = await quotes.getQuote('BTC/USDT');
    advance(h, 4_999);
    const second = await quotes.getQuote('BTC/USDT');
    expect(second.fromCache).toBe(true);
    expect(second.quote).toBe(first.quote);
    expect(second.ageMs).toBe(first.ageMs + 4_999);
    expect(h.exchange.count(TICKER)).toBe(1);
    advance(h, 1);
    expect((await quotes.getQuote('BTC/USDT')).fromCache).toBe(false);
    expect(h.exchange.count(TICKER)).toBe(2);
  });

  it('coalesces 100 concurrent requests for one symbol into one exchange call', async () => {
    const h = await startHarness();
    const quotes = new QuoteService(h.guard(), { now: h.now });
    const readings = await Promise.all(Array.from({ length: 100 }, () => quotes.getQuote('BTC/USDT')));
    expect(h.exchange.count(TICKER)).toBe(1);
    expect(new Set(readings.map((r) => r.quote)).size).toBe(1);
    expect(quotes.stats().cache).toMatchObject({ misses: 1, coalesced: 99, hits: 0 });
  });

  it('retries a 500 and a 429 (waiting the Retry-After) and then succeeds', async () => {
    const h = await startHarness();
    const quotes = new QuoteService(h.guard(), { now: h.now });
    await h.client.listMarkets();
    h.exchange.injectFault('server-error', { path: TICKER });
    h.exchange.injectFault('rate-limit', { path: TICKER });
    const reading = await quotes.getQuote('ETH/USDT');
    expect(reading.quote.last).toBe(h.exchange.tickerNow('ETHUSDT')!.lastPrice);
    expect(h.exchange.log.filter((e) => e.path === TICKER).map((e) => e.status)).toEqual([500, 429, 200]);
    expect(h.sleeps[0]).toBeGreaterThanOrEqual(125);
    expect(h.sleeps[0]).toBeLessThanOrEqual(250);
    expect(h.sleeps[1]).toBe(1_000);
    expect(quotes.stats()).toMatchObject({ retries: 2, requests: 3, outcomes: { ok: 1, 'temporary-error': 2 } });
  });

  it('does not retry an unknown symbol: one call, a UserError', async () => {
    const h = await startHarness();
    const quotes = new QuoteService(h.guard(), { now: h.now });
    await h.client.listMarkets();
    h.exchange.injectFault('unknown-symbol', { path: TICKER });
    await expect(quotes.getQuote('BTC/USDT')).rejects.toThrow(UserError);
    expect(h.exchange.count(TICKER)).toBe(1);
    expect(h.sleeps).toEqual([]);
  });

  it('turns a malformed answer into a TemporaryError, never a number', async () => {
    const h = await startHarness();
    const quotes = new QuoteService(h.guard({ retry: { maxAttempts: 2 } }), { now: h.now });
    await h.client.listMarkets();
    h.exchange.setFaultPicker(() => 'malformed-json');
    const error = await quotes.getQuote('BTC/USDT').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporaryError);
    expect(h.exchange.count(TICKER)).toBe(2);
  });

  it('opens the breaker after N failures, fails fast, half-opens, closes, and emits each transition in order', async () => {
    const h = await startHarness();
    const guarded = h.guard({ retry: { maxAttempts: 1 }, breaker: { failureThreshold: 3, openMs: 30_000 } });
    const events: BreakerTransition[] = [];
    guarded.onBreakerTransition((t) => events.push(t));
    const quotes = new QuoteService(guarded, { now: h.now });
    await h.client.listMarkets();
    h.exchange.setOutage(true);
    for (let i = 0; i < 3; i++) await expect(quotes.getQuote('BTC/USDT')).rejects.toThrow(/cannot reach binance/);
    const before = h.exchange.log.length;
    const fast = await quotes.getQuote('BTC/USDT').catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect((fast as Error).message).toMatch(/^binance failed 3 times in a row \(cannot reach binance\); try again in 30 s\.$/);
    expect(h.exchange.log.length).toBe(before);
    expect(quotes.stats().breaker).toMatchObject({ state: 'open', consecutiveFailures: 3 });

    advance(h, 30_000);
    await expect(quotes.getQuote('BTC/USDT')).rejects.toThrow(/cannot reach/);
    advance(h, 29_999);
    await expect(quotes.getQuote('BTC/USDT')).rejects.toThrow(CircuitOpenError);
    advance(h, 1);
    h.exchange.setOutage(false);
    expect((await quotes.getQuote('BTC/USDT')).quote.last).toBe(h.exchange.tickerNow('BTCUSDT')!.lastPrice);
    expect(events.map((e) => `${e.from}→${e.to}`)).toEqual(['closed→open', 'open→half-open', 'half-open→open', 'open→half-open', 'half-open→closed']);
    expect(quotes.stats().breaker?.state).toBe('closed');
  });

  it('labels a price stale when the exchange has had no new bar for longer than the threshold (a real outage)', async () => {
    // Binance's 2021-04-20 maintenance: the last bar before it opened at 01:59, the next at 04:30.
    const h = await startHarness({ atIso: '2021-04-20T03:00' });
    const quotes = new QuoteService(h.guard(), { now: h.now, staleAfterMs: 120_000 });
    const reading = await quotes.getQuote('BTC/USDT');
    expect(reading.quote.provenance.sourceTimeMs).toBe(utc('2021-04-20T01:59') + 59_999);
    expect(reading.stale).toBe(true);
    expect(reading.ageMs).toBe(utc('2021-04-20T03:00') - utc('2021-04-20T02:00') + 1);
    expect(describeQuoteAge(reading.quote, utc('2021-04-20T02:01'), 120_000)).toEqual({ ageMs: 60_001, stale: false });
  });

  it('falls back to the last received quote, labelled stale with the reason, only through getQuoteOrStale', async () => {
    const h = await startHarness();
    const quotes = new QuoteService(h.guard({ retry: { maxAttempts: 1 } }), { now: h.now, fallbackMaxAgeMs: 60_000 });
    const fresh = await quotes.getQuote('BTC/USDT');
    advance(h, 20_000);
    h.exchange.setOutage(true);
    await expect(quotes.getQuote('BTC/USDT')).rejects.toThrow(TemporaryError);
    const fallback = await quotes.getQuoteOrStale('BTC/USDT');
    expect(fallback.quote).toBe(fresh.quote);
    expect(fallback).toMatchObject({ stale: true, fromCache: true, staleReason: expect.stringMatching(/cannot reach binance/) });
    advance(h, 40_001);
    await expect(quotes.getQuoteOrStale('BTC/USDT')).rejects.toThrow(TemporaryError);
  });

  it('reports monitoring figures as plain data', async () => {
    const h = await startHarness();
    const quotes = new QuoteService(h.guard({ retry: { maxAttempts: 1 } }), { now: h.now });
    await quotes.getQuote('BTC/USDT');
    await quotes.getQuote('BTC/USDT');
    h.exchange.injectFault('unavailable', { path: TICKER });
    advance(h, 10_000);
    await expect(quotes.getQuote('BTC/USDT')).rejects.toThrow(TemporaryError);
    const stats = quotes.stats();
    expect(stats).toMatchObject({
      source: 'binance',
      requests: 2,
      successRate: 0.5,
      cache: { hits: 1, misses: 2, coalesced: 0, hitRate: 1 / 3 },
      breaker: { state: 'closed', consecutiveFailures: 1 },
      lastSuccessMs: utc('2021-04-20T01:00'),
      lastFailure: { atMs: h.now(), reason: expect.stringMatching(/HTTP 503/) },
    });
    expect(stats.latencyMs.samples).toBe(2);
    expect(stats.latencyMs.p50).toBeGreaterThan(0);
    expect(stats.latencyMs.p99).toBeGreaterThanOrEqual(stats.latencyMs.p50!);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });
});
