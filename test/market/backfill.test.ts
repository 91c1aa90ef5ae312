import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fetchCandleRange } from '../../src/market/backfill.js';
import { findGaps } from '../../src/market/gaps.js';
import { advance, startHarness } from './harness.js';
import { SELSKAS_DIR, readBars, utc } from './shared-data.js';

const KLINES = '/api/v3/klines';

describe('backfill over the fake Binance', () => {
  it('pages through a week of 1m bars and reports the two real maintenance outages as gaps', async () => {
    const h = await startHarness({ atIso: '2021-04-26T00:00' });
    const range = { symbol: 'BTC/USDT', timeframe: '1m', fromMs: utc('2021-04-19T00:00'), toMs: utc('2021-04-25T23:59') };
    const candles = await fetchCandleRange(h.client, range, { now: h.now });
    expect(candles.length).toBe(7 * 1_440 - 434);
    const expected = readBars(join(SELSKAS_DIR, 'BTC_USDT-1m.json')).filter((b) => b[0]! >= range.fromMs && b[0]! <= range.toMs);
    expect(candles.map((c) => [c.timeMs, c.open, c.high, c.low, c.close, c.volume])).toEqual(expected);
    expect(findGaps(candles.map((c) => c.timeMs), 60_000)).toEqual([
      { afterMs: utc('2021-04-20T01:59'), missingBars: 150, firstMissingMs: utc('2021-04-20T02:00'), lastMissingMs: utc('2021-04-20T04:29') },
      { afterMs: utc('2021-04-25T04:00'), missingBars: 284, firstMissingMs: utc('2021-04-25T04:01'), lastMissingMs: utc('2021-04-25T08:44') },
    ]);
    // 9,646 bars at 1,000 a page: 10 pages, the last one ending at toMs.
    expect(h.exchange.count(KLINES)).toBe(10);
    expect(h.exchange.log.filter((e) => e.path === KLINES).every((e) => e.query.limit === '1000')).toBe(true);
  });

  it('stops at the last finished bar when the range runs into the future', async () => {
    const h = await startHarness({ atIso: '2021-04-20T01:00' });
    const candles = await fetchCandleRange(h.client, { symbol: 'ETH/USDT', timeframe: '1m', fromMs: utc('2021-04-20T00:00'), toMs: utc('2021-04-21T00:00') }, { now: h.now, pageLimit: 25 });
    expect(candles.length).toBe(60);
    expect(candles[candles.length - 1]!.timeMs).toBe(utc('2021-04-20T00:59'));
    expect(h.exchange.count(KLINES)).toBe(3);
  });

  it('leaves out a bar that has not closed yet by the client clock', async () => {
    const h = await startHarness({ atIso: '2021-04-20T01:00' });
    h.exchange.setCurrentTime(utc('2021-04-20T01:10'));
    const candles = await fetchCandleRange(h.client, { symbol: 'BTC/USDT', timeframe: '5m', fromMs: utc('2021-04-20T00:00'), toMs: utc('2021-04-20T02:00') }, { now: h.now });
    expect(candles.map((c) => new Date(c.timeMs).toISOString().slice(11, 16))).toEqual([
      '00:00', '00:05', '00:10', '00:15', '00:20', '00:25', '00:30', '00:35', '00:40', '00:45', '00:50', '00:55',
    ]);
  });

  it('retries pages through the guarded client when the exchange stumbles', async () => {
    const h = await startHarness({ atIso: '2021-04-21T00:00' });
    const guarded = h.guard();
    h.exchange.injectFault('unavailable', { path: KLINES, times: 2 });
    const candles = await fetchCandleRange(guarded, { symbol: 'BTC/USDT', timeframe: '1m', fromMs: utc('2021-04-20T00:00'), toMs: utc('2021-04-20T23:59') }, { now: h.now });
    expect(candles.length).toBe(1_440 - 150);
    expect(guarded.stats().retries).toBe(2);
    advance(h, 0);
  });
});
