import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { seededRandom, cryptoRandom } from '../../src/market/random.js';
import { assertImportSource, assertTradable, sourceKind } from '../../src/market/sources.js';
import { SYNTHETIC_LABEL, generateSyntheticCandles, syntheticProvenance } from '../../src/market/synthetic.js';

describe('data sources', () => {
  it('classifies sources', () => {
    expect(['binance', 'csv:goog', 'freqtrade:btc', 'synthetic', 'synthetic:demo'].map(sourceKind)).toEqual(['exchange', 'file', 'file', 'synthetic', 'synthetic']);
  });

  it('lets only exchange data be traded on; synthetic is refused with a UserError saying so', () => {
    expect(() => assertTradable('binance')).not.toThrow();
    expect(() => assertTradable('synthetic')).toThrow(UserError);
    expect(() => assertTradable('synthetic')).toThrow(/SYNTHETIC/);
    expect(() => assertTradable('csv:goog')).toThrow(/imported historical data/);
  });

  it('requires imported data to live under <kind>:<name>', () => {
    expect(() => assertImportSource('csv:goog')).not.toThrow();
    for (const bad of ['binance', 'synthetic', 'synthetic:x', 'csv:', ':x', 'CSV:goog', 'csv:a b']) expect(() => assertImportSource(bad)).toThrow(UserError);
  });
});

describe('synthetic candles', () => {
  it('are deterministic per seed, valid OHLC, and labelled', () => {
    const a = generateSyntheticCandles({ seed: 1, startMs: 0, bars: 500, timeframe: '1m' });
    const b = generateSyntheticCandles({ seed: 1, startMs: 0, bars: 500, timeframe: '1m' });
    const c = generateSyntheticCandles({ seed: 2, startMs: 0, bars: 500, timeframe: '1m' });
    expect(Array.from(a.close)).toEqual(Array.from(b.close));
    expect(Array.from(a.close)).not.toEqual(Array.from(c.close));
    for (let i = 0; i < 500; i++) {
      expect(a.timeMs[i]).toBe(i * 60_000);
      expect(a.low[i]!).toBeLessThanOrEqual(Math.min(a.open[i]!, a.close[i]!));
      expect(a.high[i]!).toBeGreaterThanOrEqual(Math.max(a.open[i]!, a.close[i]!));
      if (i > 0) expect(a.open[i]).toBe(a.close[i - 1]);
    }
    expect(syntheticProvenance(5)).toEqual({ source: 'synthetic', sourceTimeMs: 5, receivedAtMs: 5 });
    expect(SYNTHETIC_LABEL).toMatch(/^SYNTHETIC/);
  });
});

describe('random sources', () => {
  it('seeded: same seed same sequence, all in [0, 1); crypto: in [0, 1)', () => {
    const x = seededRandom(99);
    const y = seededRandom(99);
    const xs = Array.from({ length: 1_000 }, x);
    expect(xs).toEqual(Array.from({ length: 1_000 }, y));
    for (const v of [...xs, ...Array.from({ length: 1_000 }, cryptoRandom)]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });
});
