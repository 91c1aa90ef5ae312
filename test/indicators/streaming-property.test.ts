import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as ind from '../../src/indicators/index.js';

/** Prices with flat stretches and repeats (where running sums and ties are most fragile), 0–120 bars. */
const prices = fc.array(fc.oneof(fc.double({ min: 1, max: 1000, noNaN: true }), fc.constantFrom(10, 10.5)), { maxLength: 120 });
const period = fc.integer({ min: 1, max: 25 });

/** Bars built from prices: high/low around the close, volume sometimes 0. */
function bars(closes: readonly number[]): { high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array } {
  return {
    close: Float64Array.from(closes),
    high: Float64Array.from(closes, (c, i) => c + (i % 3)),
    low: Float64Array.from(closes, (c, i) => c - (i % 4) * 0.5),
    volume: Float64Array.from(closes, (c, i) => (i % 5 === 0 ? 0 : c * 0.1)),
  };
}

const same = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
const collect = (n: number, step: (i: number) => number): Float64Array => Float64Array.from({ length: n }, (_, i) => step(i));

describe('streaming equals batch on arbitrary inputs (fast-check)', () => {
  it('close-only indicators', () => {
    fc.assert(
      fc.property(prices, period, (closes, p) => {
        const { close } = bars(closes);
        const n = close.length;
        const sma = new ind.SmaStream(p);
        const ema = new ind.EmaStream(p);
        const wma = new ind.WmaStream(p);
        const rsi = new ind.RsiStream(p);
        const bb = new ind.BollingerStream(p, 2);
        expect(same(collect(n, (i) => sma.update(close[i]!)), ind.sma(close, p))).toBe(true);
        expect(same(collect(n, (i) => ema.update(close[i]!)), ind.ema(close, p))).toBe(true);
        expect(same(collect(n, (i) => wma.update(close[i]!)), ind.wma(close, p))).toBe(true);
        expect(same(collect(n, (i) => rsi.update(close[i]!)), ind.rsi(close, p))).toBe(true);
        const lower = collect(n, (i) => (bb.update(close[i]!), bb.lower));
        expect(same(lower, ind.bollinger(close, p, 2).lower)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('MACD', () => {
    fc.assert(
      fc.property(prices, period, period, period, (closes, a, b, signal) => {
        fc.pre(a !== b);
        const [fast, slow] = a < b ? [a, b] : [b, a];
        const close = Float64Array.from(closes);
        const s = new ind.MacdStream(fast, slow, signal);
        const hist = collect(close.length, (i) => (s.update(close[i]!), s.histogram));
        expect(same(hist, ind.macd(close, fast, slow, signal).histogram)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('bar indicators', () => {
    fc.assert(
      fc.property(prices, period, (closes, p) => {
        const { high, low, close, volume } = bars(closes);
        const n = close.length;
        const atr = new ind.AtrStream(p);
        const willr = new ind.WillrStream(p);
        const stoch = new ind.StochasticStream(p, 3, 2);
        const vwap = new ind.VwapStream(p);
        const z = new ind.VolumeZScoreStream(p);
        const dc = new ind.DonchianStream(p);
        const obv = new ind.ObvStream();
        expect(same(collect(n, (i) => atr.update(high[i]!, low[i]!, close[i]!)), ind.atr(high, low, close, p))).toBe(true);
        expect(same(collect(n, (i) => willr.update(high[i]!, low[i]!, close[i]!)), ind.willr(high, low, close, p))).toBe(true);
        const d = collect(n, (i) => (stoch.update(high[i]!, low[i]!, close[i]!), stoch.d));
        expect(same(d, ind.stochastic(high, low, close, p, 3, 2).d)).toBe(true);
        expect(same(collect(n, (i) => vwap.update(high[i]!, low[i]!, close[i]!, volume[i]!)), ind.vwap(high, low, close, volume, p))).toBe(true);
        expect(same(collect(n, (i) => z.update(volume[i]!)), ind.volumeZScore(volume, p))).toBe(true);
        expect(same(collect(n, (i) => (dc.update(high[i]!, low[i]!), dc.lower)), ind.donchian(high, low, p).lower)).toBe(true);
        expect(same(collect(n, (i) => obv.update(close[i]!, volume[i]!)), ind.obv(close, volume))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
