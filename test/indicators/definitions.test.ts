import { describe, expect, it } from 'vitest';
import * as ind from '../../src/indicators/index.js';
import { readFreqtradeJson, sharedDataPath } from '../support/shared-data.js';

const btc = readFreqtradeJson(
  sharedDataPath('crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json'),
);
const f64 = (values: readonly number[]): Float64Array => Float64Array.from(values);
const list = (a: Float64Array): number[] => Array.from(a);

/** Compares with a straightforward re-implementation: same NaNs, values within `tol` relative (or absolute below 1). */
function expectClose(actual: Float64Array, expected: Float64Array, tol: number, label: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) expect.fail(`${label}[${i}]: ${a} vs ${e}`);
      continue;
    }
    if (Math.abs(a - e) > tol * Math.max(1, Math.abs(e))) expect.fail(`${label}[${i}]: ${a} vs naive ${e}`);
  }
}

/** Applies `f` to each full window of `period` values ending at i (NaN before). */
function naiveWindow(n: number, period: number, f: (start: number, end: number) => number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i < period - 1 ? NaN : f(i - period + 1, i)));
}
const maxOf = (a: Float64Array, s: number, e: number): number => Math.max(...a.subarray(s, e + 1));
const minOf = (a: Float64Array, s: number, e: number): number => Math.min(...a.subarray(s, e + 1));
const meanOf = (a: Float64Array, s: number, e: number): number => a.subarray(s, e + 1).reduce((x, y) => x + y, 0) / (e - s + 1);
const pstdOf = (a: Float64Array, s: number, e: number): number => {
  const m = meanOf(a, s, e);
  return Math.sqrt(a.subarray(s, e + 1).reduce((acc, x) => acc + (x - m) ** 2, 0) / (e - s + 1));
};

describe('hand-computed values', () => {
  it('WMA(3) weighs the newest value 3, then 2, then 1', () => {
    expectClose(ind.wma(f64([1, 2, 3, 4, 10]), 3), f64([NaN, NaN, 14 / 6, 20 / 6, 41 / 6]), 1e-15, 'wma');
  });

  it('true range uses the previous close across a gap', () => {
    // bar 1 gaps up over close 10: TR = 15 - 10; bar 2 gaps down under close 14: TR = 14 - 8
    const tr = ind.trueRange(f64([11, 15, 9]), f64([9, 13, 8]), f64([10, 14, 8.5]));
    expect(list(tr)).toEqual([NaN, 5, 6]);
  });

  it('OBV adds volume on up closes, subtracts on down closes, carries on unchanged', () => {
    expect(list(ind.obv(f64([10, 11, 11, 9, 12]), f64([100, 20, 30, 40, 50])))).toEqual([100, 120, 120, 80, 130]);
  });

  it('stochastic and Williams %R are 0 when the window has no range (TA-Lib)', () => {
    const flat = f64([5, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
    expect(ind.stochastic(flat, flat, flat).k[9]).toBe(0);
    expect(ind.willr(flat, flat, flat, 3)[9]).toBe(0);
  });

  it('RSI is 100 after only gains, 0 after only losses and 0 with no movement (TA-Lib)', () => {
    expect(ind.rsi(f64([1, 2, 3, 4]), 3)[3]).toBe(100);
    expect(ind.rsi(f64([4, 3, 2, 1]), 3)[3]).toBe(0);
    expect(ind.rsi(f64([2, 2, 2, 2]), 3)[3]).toBe(0);
  });

  it('VWAP weighs the typical price by volume and is NaN without volume', () => {
    const h = f64([12, 22, 33]);
    const l = f64([9, 18, 27]);
    const c = f64([9, 20, 30]);
    expect(list(ind.cumulativeVwap(h, l, c, f64([0, 1, 3])))).toEqual([NaN, 20, (20 + 3 * 30) / 4]);
    expect(list(ind.vwap(h, l, c, f64([1, 0, 0]), 2))).toEqual([NaN, 10, NaN]);
  });

  it('volume z-score is 0 for a window without dispersion', () => {
    expectClose(ind.volumeZScore(f64([3, 3, 3, 3, 9]), 3), f64([NaN, NaN, 0, 0, Math.sqrt(2)]), 1e-15, 'z');
  });

  it('Donchian includes the current bar', () => {
    const d = ind.donchian(f64([5, 7, 6, 4]), f64([3, 2, 4, 1]), 2);
    expect(list(d.upper)).toEqual([NaN, 7, 7, 6]);
    expect(list(d.lower)).toEqual([NaN, 2, 2, 1]);
    expect(list(d.middle)).toEqual([NaN, 4.5, 4.5, 3.5]);
  });

  it('inputs shorter than the lookback give all-NaN outputs', () => {
    const x = f64([1, 2, 3]);
    for (const out of [ind.sma(x, 5), ind.ema(x, 5), ind.rsi(x, 3), ind.macd(x).macd, ind.bollinger(x).upper, ind.atr(x, x, x, 3)]) {
      expect(out.every(Number.isNaN)).toBe(true);
    }
  });
});

describe('definitions against straightforward re-implementations on real BTC 1m data', () => {
  const n = 5000;
  const high = btc.high.subarray(0, n);
  const low = btc.low.subarray(0, n);
  const close = btc.close.subarray(0, n);
  const volume = btc.volume.subarray(0, n);

  it('WMA(10)', () => {
    const naive = naiveWindow(n, 10, (s) => {
      let acc = 0;
      for (let k = 0; k < 10; k++) acc += (k + 1) * close[s + k]!;
      return acc / 55;
    });
    expectClose(ind.wma(close, 10), naive, 1e-12, 'wma');
  });

  it('Stochastic(14,3,3): SMA of SMA of fast %K, both starting at index 17', () => {
    const fast = naiveWindow(n, 14, (s, e) => (100 * (close[e]! - minOf(low, s, e))) / (maxOf(high, s, e) - minOf(low, s, e)));
    const slowK = naiveWindow(n, 16, (_s, e) => meanOf(fast, e - 2, e));
    const d = naiveWindow(n, 18, (_s, e) => meanOf(slowK, e - 2, e));
    const got = ind.stochastic(high, low, close, 14, 3, 3);
    expectClose(got.d, d, 1e-9, '%D');
    expectClose(got.k, slowK.map((v, i) => (i < 17 ? NaN : v)), 1e-9, '%K');
  });

  it('Williams %R(14)', () => {
    const naive = naiveWindow(n, 14, (s, e) => (-100 * (maxOf(high, s, e) - close[e]!)) / (maxOf(high, s, e) - minOf(low, s, e)));
    expectClose(ind.willr(high, low, close, 14), naive, 1e-9, 'willr');
  });

  it('Donchian(20) is exactly the window max/min', () => {
    const d = ind.donchian(high, low, 20);
    expect(list(d.upper)).toEqual(list(naiveWindow(n, 20, (s, e) => maxOf(high, s, e))));
    expect(list(d.lower)).toEqual(list(naiveWindow(n, 20, (s, e) => minOf(low, s, e))));
  });

  it('rolling and cumulative VWAP', () => {
    const tp = Float64Array.from({ length: n }, (_, i) => (high[i]! + low[i]! + close[i]!) / 3);
    const pv = tp.map((p, i) => p * volume[i]!);
    const sumOf = (a: Float64Array, s: number, e: number): number => a.subarray(s, e + 1).reduce((x, y) => x + y, 0);
    expectClose(ind.vwap(high, low, close, volume, 30), naiveWindow(n, 30, (s, e) => sumOf(pv, s, e) / sumOf(volume, s, e)), 1e-10, 'vwap');
    const cumulative = Float64Array.from({ length: n }, (_, i) => sumOf(pv, 0, i) / sumOf(volume, 0, i));
    expectClose(ind.cumulativeVwap(high, low, close, volume), cumulative, 1e-10, 'cvwap');
  });

  it('volume z-score(20) with the population deviation', () => {
    const naive = naiveWindow(n, 20, (s, e) => (volume[e]! - meanOf(volume, s, e)) / pstdOf(volume, s, e));
    expectClose(ind.volumeZScore(volume, 20), naive, 1e-9, 'z');
  });
});

describe('rolling deviation stays accurate over a long series (drift bounded by the periodic exact recompute)', () => {
  it('Bollinger(20) std within 1e-9 of a two-pass computation over 300k bars of real BTC data', () => {
    const n = 300_000;
    const close = Float64Array.from({ length: n }, (_, i) => btc.close[i % btc.close.length]!);
    const bb = ind.bollinger(close, 20, 1);
    let worst = 0;
    for (let e = 19; e < n; e += 7) {
      const std = pstdOf(close, e - 19, e);
      worst = Math.max(worst, Math.abs(bb.upper[e]! - bb.middle[e]! - std) / Math.max(std, 1e-3));
    }
    expect(worst).toBeLessThan(1e-9);
  });
});

describe('parameter validation', () => {
  const x = f64([1, 2, 3, 4, 5]);
  it.each([0, -1, 1.5, NaN, Infinity])('rejects period %s with a RangeError naming the indicator', (p) => {
    expect(() => ind.sma(x, p)).toThrow(new RangeError(`SMA period must be an integer >= 1, got ${p}`));
    expect(() => ind.ema(x, p)).toThrow(/EMA period must be an integer >= 1/);
    expect(() => ind.rsi(x, p)).toThrow(/RSI period/);
    expect(() => ind.atr(x, x, x, p)).toThrow(/ATR period/);
    expect(() => new ind.RsiStream(p)).toThrow(RangeError);
    expect(() => new ind.DonchianStream(p)).toThrow(/Donchian period/);
  });

  it('rejects periods above TA-Lib\'s 100000', () => {
    expect(() => new ind.SmaStream(100_001)).toThrow('SMA period must be at most 100000, got 100001');
  });

  it('rejects MACD with fast >= slow', () => {
    expect(() => ind.macd(x, 26, 12, 9)).toThrow('MACD fast period must be less than the slow period, got fast 26 and slow 12');
    expect(() => new ind.MacdStream(10, 10, 9)).toThrow(RangeError);
  });

  it('rejects a non-positive Bollinger multiplier', () => {
    expect(() => ind.bollinger(x, 3, 0)).toThrow(/multiplier must be a finite number > 0, got 0/);
  });

  it('rejects inputs of different lengths and outputs of the wrong length', () => {
    expect(() => ind.atr(x, x, f64([1, 2]), 2)).toThrow('ATR inputs must have the same length, got 5, 5, 2');
    expect(() => ind.sma(x, 2, new Float64Array(4))).toThrow('SMA output must have length 5 (the input length), got 4');
  });

  it('writes into a caller-provided output', () => {
    const out = new Float64Array(5);
    expect(ind.sma(x, 2, out)).toBe(out);
    expect(list(out)).toEqual([NaN, 1.5, 2.5, 3.5, 4.5]);
  });
});
