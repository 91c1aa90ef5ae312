import { join } from 'node:path';
import { expect, it } from 'vitest';
import { TemporaryError, UserError } from '../../src/errors.js';
import { QuoteService, type QuoteReading } from '../../src/market/quote-service.js';
import { seededRandom } from '../../src/market/random.js';
import type { Fault } from '../fakes/exchange-server.js';
import { advance, startHarness } from './harness.js';
import { SELSKAS_DIR, readBars } from './shared-data.js';

const TTL_MS = 5_000;
const STALE_AFTER_MS = 120_000;

/** The close of the last 1m bar that had closed by `atMs`, read straight from the data file. */
function realCloseAt(file: string, atMs: number): { close: number; closeTimeMs: number } {
  const bars = readBars(join(SELSKAS_DIR, file));
  let lo = 0;
  let hi = bars.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bars[mid]![0]! <= atMs - 60_000) lo = mid;
    else hi = mid - 1;
  }
  return { close: bars[lo]![4]!, closeTimeMs: bars[lo]![0]! + 59_999 };
}

const FILES: Record<string, string> = { 'BTC/USDT': 'BTC_USDT-1m.json', 'ETH/USDT': 'ETH_USDT-1m.json' };
const FAULTS: [Fault, number][] = [
  ['timeout', 0.01],
  ['rate-limit', 0.05],
  ['server-error', 0.05],
  ['unavailable', 0.05],
  ['malformed-json', 0.05],
  ['unknown-symbol', 0.02],
  ['reset', 0.05],
];

it('1,000 quote requests under random faults: every price is one the exchange served then; every failure has a reason', async () => {
  const random = seededRandom(20210420);
  const h = await startHarness({ atIso: '2021-04-20T01:00', timeoutMs: 200 });
  const guarded = h.guard({ random: seededRandom(1), retry: { maxAttempts: 3 }, breaker: { failureThreshold: 6, openMs: 20_000 } });
  const quotes = new QuoteService(guarded, { now: h.now, ttlMs: TTL_MS, staleAfterMs: STALE_AFTER_MS });
  h.exchange.setFaultPicker(() => {
    let roll = random();
    for (const [fault, p] of FAULTS) if ((roll -= p) < 0) return fault;
    return undefined;
  });

  const outcomes = { ok: 0, stale: 0, cached: 0, user: 0, temporary: 0 };
  let outageRounds = 0;
  for (let sent = 0; sent < 1_000; ) {
    advance(h, random() < 0.5 ? Math.floor(random() * 4_000) : 5_000 + Math.floor(random() * 115_000));
    if (outageRounds > 0) outageRounds--;
    else if (random() < 0.03) outageRounds = 1 + Math.floor(random() * 5);
    h.exchange.setOutage(outageRounds > 0);
    const batch = Math.min(1_000 - sent, 1 + Math.floor(random() * 10));
    sent += batch;
    const issuedAtMs = h.now();
    const symbols = Array.from({ length: batch }, () => (random() < 0.03 ? 'BTC/EUR' : random() < 0.5 ? 'BTC/USDT' : 'ETH/USDT'));
    const results = await Promise.allSettled(symbols.map((s) => quotes.getQuote(s)));

    results.forEach((result, k) => {
      const symbol = symbols[k]!;
      if (result.status === 'rejected') {
        const error: unknown = result.reason;
        expect(error instanceof UserError || error instanceof TemporaryError, String(error)).toBe(true);
        expect((error as Error).message.length).toBeGreaterThan(10);
        if (error instanceof TemporaryError) {
          expect(error.retryAfterMs).toBeGreaterThan(0);
          outcomes.temporary++;
        } else {
          expect(symbol === 'BTC/EUR' || /Invalid symbol/.test((error as Error).message)).toBe(true);
          outcomes.user++;
        }
        return;
      }
      const reading: QuoteReading = result.value;
      const { quote } = reading;
      expect(symbol).not.toBe('BTC/EUR');
      expect(quote.symbol).toBe(symbol);
      // The exchange served exactly this price with exactly this timestamp …
      const served = h.exchange.log.some(
        (e) => e.ticker?.id === symbol.replace('/', '') && e.ticker.lastPrice === quote.last && e.ticker.closeTimeMs === quote.provenance.sourceTimeMs,
      );
      expect(served).toBe(true);
      // … it was the real close of the bar current when we received it …
      expect(realCloseAt(FILES[symbol]!, quote.provenance.receivedAtMs)).toEqual({ close: quote.last, closeTimeMs: quote.provenance.sourceTimeMs });
      // … received no longer ago than the TTL, and labelled stale exactly when its exchange time is old.
      const clockAtReturn = h.now();
      expect(quote.provenance.receivedAtMs).toBeLessThanOrEqual(clockAtReturn);
      if (reading.fromCache) expect(issuedAtMs - quote.provenance.receivedAtMs).toBeLessThan(TTL_MS);
      expect(reading.stale).toBe(reading.ageMs > STALE_AFTER_MS);
      outcomes.ok++;
      if (reading.stale) outcomes.stale++;
      if (reading.fromCache) outcomes.cached++;
    });
  }

  const stats = quotes.stats();
  console.log('1,000-request proof:', JSON.stringify({ outcomes, requests: stats.requests, retries: stats.retries, breaker: stats.outcomes['rejected-by-breaker'] }));
  expect(outcomes.ok + outcomes.user + outcomes.temporary).toBe(1_000);
  // The mix really exercised every path.
  expect(outcomes.ok).toBeGreaterThan(300);
  expect(outcomes.cached).toBeGreaterThan(50);
  expect(outcomes.stale).toBeGreaterThan(10);
  expect(outcomes.user).toBeGreaterThan(5);
  expect(outcomes.temporary).toBeGreaterThan(20);
  expect(stats.outcomes['rejected-by-breaker']).toBeGreaterThan(0);
  expect(stats.retries).toBeGreaterThan(20);
});
