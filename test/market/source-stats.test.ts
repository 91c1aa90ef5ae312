import { describe, expect, it } from 'vitest';
import { LatencyWindow, SourceStats } from '../../src/market/source-stats.js';
import { resolveSymbol } from '../../src/market/symbols.js';
import { UserError } from '../../src/errors.js';

describe('LatencyWindow', () => {
  it('reports nearest-rank percentiles over the most recent samples', () => {
    const w = new LatencyWindow(100);
    expect(w.percentile(50)).toBeUndefined();
    for (let i = 1; i <= 100; i++) w.add(i);
    expect([w.percentile(50), w.percentile(99), w.percentile(100)]).toEqual([50, 99, 100]);
    for (let i = 0; i < 100; i++) w.add(1_000);
    expect(w.percentile(50)).toBe(1_000);
    expect(w.count).toBe(100);
  });
});

describe('SourceStats', () => {
  it('counts outcomes, success rate, cache hit rate and last success/failure', () => {
    let now = 10;
    const s = new SourceStats('binance', () => now);
    s.recordCall('ok', 5);
    now = 20;
    s.recordCall('user-error', 7);
    now = 30;
    s.recordCall('temporary-error', 9, 'HTTP 503');
    s.recordCall('rejected-by-breaker', undefined, 'open');
    s.recordCache('hit');
    s.recordCache('miss');
    s.recordCache('coalesced');
    s.recordCache('hit');
    const snap = s.snapshot();
    expect(snap).toMatchObject({ requests: 3, successRate: 2 / 3, lastSuccessMs: 20, lastFailure: { atMs: 30, reason: 'open' } });
    expect(snap.cache).toEqual({ hits: 2, misses: 1, coalesced: 1, hitRate: 0.75 });
    expect(snap.latencyMs).toEqual({ samples: 3, p50: 7, p99: 9, max: 9 });
    expect(new SourceStats('x', () => 0).snapshot()).toMatchObject({ successRate: undefined, cache: { hitRate: undefined } });
  });
});

describe('resolveSymbol', () => {
  const markets = [
    { symbol: 'BTC/USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT', active: true },
    { symbol: 'BTC/EUR', id: 'BTCEUR', base: 'BTC', quote: 'EUR', active: true },
    { symbol: 'ETH/BTC', id: 'ETHBTC', base: 'ETH', quote: 'BTC', active: true },
  ];
  it('accepts unified, id, lowercase and bare-base forms', () => {
    expect(resolveSymbol('btc/eur', markets, 'x').symbol).toBe('BTC/EUR');
    expect(resolveSymbol('ethbtc', markets, 'x').symbol).toBe('ETH/BTC');
    expect(resolveSymbol('btc', markets, 'x').symbol).toBe('BTC/USDT');
    expect(resolveSymbol('eth', markets, 'x').symbol).toBe('ETH/BTC');
  });
  it('suggests markets with the same base', () => {
    expect(() => resolveSymbol('BTC/GBP', markets, 'kraken')).toThrow('kraken has no market "BTC/GBP". Did you mean BTC/USDT, BTC/EUR?');
    expect(() => resolveSymbol('  ', markets, 'kraken')).toThrow(UserError);
  });
});
