import { describe, expect, it } from 'vitest';
import { parseStrategyParams, runStrategy } from '../../src/strategies/index.js';
import { candles } from './candles.js';

const targets = (name: string, c: ReturnType<typeof candles>, params: Record<string, unknown> = {}): number[] =>
  Array.from(runStrategy(name, c, params).targets);

describe('sma_cross', () => {
  // SMA(2): –, 1.5, 2.5, 3.5, 3.5, 2.5, 1.5, 1, 1   SMA(3): –, –, 2, 3, 3.33, 3, 2, 1.33, 1
  const c = candles([1, 2, 3, 4, 3, 2, 1, 1, 1]);
  it('is flat until both averages exist, long while fast > slow, short while below, and holds when equal', () => {
    expect(targets('sma_cross', c, { fast: 2, slow: 3 })).toEqual([0, 0, 1, 1, 1, -1, -1, -1, -1]);
  });
  it('goes flat instead of short in long_only mode', () => {
    expect(targets('sma_cross', c, { fast: 2, slow: 3, mode: 'long_only' })).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0]);
  });
  it('exposes both averages', () => {
    const r = runStrategy('sma_cross', c, { fast: 2, slow: 3 });
    expect(r.indicators.fast?.[4]).toBe(3.5);
    expect(r.indicators.slow?.[4]).toBeCloseTo(10 / 3, 12);
  });
});

describe('ema_cross', () => {
  // EMA(2): –, 1.5, 2.5, 3.5, 3.17, 2.39, 1.46   EMA(3): –, –, 2, 3, 3, 2.5, 1.75
  it('crosses on the SMA-seeded EMAs', () => {
    expect(targets('ema_cross', candles([1, 2, 3, 4, 3, 2, 1]), { fast: 2, slow: 3 })).toEqual([0, 0, 1, 1, 1, -1, -1]);
  });
});

describe('rsi_reversion', () => {
  // RSI(2): –, –, 0, 50, 75, 87.5, 43.75, 21.9, 10.9
  const c = candles([10, 9, 8, 9, 10, 11, 10, 9, 8]);
  it('buys below oversold, holds, reverses above overbought, and buys again below oversold', () => {
    expect(targets('rsi_reversion', c, { period: 2, oversold: 30, overbought: 70 })).toEqual([0, 0, 1, 1, -1, -1, -1, 1, 1]);
  });
  it('exits to flat above overbought in long_only mode', () => {
    expect(targets('rsi_reversion', c, { period: 2, oversold: 30, overbought: 70, mode: 'long_only' })).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 1]);
  });
});

describe('macd_cross', () => {
  // MACD(2,3,2) histogram: –, –, –, 0, 0, .056, .12, .171, .205, .225, −.374, −.581, −.555
  it('is flat until defined and while line = signal, long while the line is above the signal, short below', () => {
    const c = candles([10, 10, 10, 10, 10, 11, 13, 16, 20, 25, 20, 14, 7]);
    expect(targets('macd_cross', c, { fast: 2, slow: 3, signal: 2 })).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, -1, -1, -1]);
  });
});

describe('bollinger_reversion', () => {
  // Bollinger(5, 1): bar 5 close 7 < lower 8.2; bar 6 close 8 between lower 7.7 and middle 9; bar 7 close 9 ≥ middle 8.8;
  // bar 8 close 10 > upper 9.97; bar 10 close 10 between middle 9.4 and upper 10.2; bar 13 close 11 ≤ middle 11.2;
  // bar 14 close 10 < lower 10.03.
  const c = candles([10, 10, 10, 10, 10, 7, 8, 9, 10, 10, 10, 13, 12, 11, 10, 10]);
  it('enters below the lower band, exits at the middle, shorts above the upper band until the middle', () => {
    expect(targets('bollinger_reversion', c, { period: 5, stddev: 1 })).toEqual([0, 0, 0, 0, 0, 1, 1, 0, -1, -1, -1, -1, -1, 0, 1, 1]);
  });
  it('ignores the upper band in long_only mode', () => {
    expect(targets('bollinger_reversion', c, { period: 5, stddev: 1, mode: 'long_only' })).toEqual([0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  });
});

describe('donchian_breakout', () => {
  const high = [10, 11, 10, 10, 12, 11, 9, 8, 9, 10];
  const low = [9, 10, 9, 9, 10, 9, 7, 6, 7, 8];
  const c = candles([9.5, 10.5, 9.5, 9.8, 11.5, 10, 8, 7, 8, 9.5], { high, low });
  it('breaks out against the channel of the previous bars, and stops and reverses', () => {
    // bar 4: 11.5 > max(11,10,10); bar 6: 8 < min(9,10,9); bar 7: 7 is not below min(10,9,7); bar 9: 9.5 > max(9,8,9).
    expect(targets('donchian_breakout', c, { period: 3 })).toEqual([0, 0, 0, 0, 1, 1, -1, -1, -1, 1]);
    expect(targets('donchian_breakout', c, { period: 3, mode: 'long_only' })).toEqual([0, 0, 0, 0, 1, 1, 0, 0, 0, 1]);
  });
  it('exposes the prior-bars channel', () => {
    const r = runStrategy('donchian_breakout', c, { period: 3 });
    expect(Array.from(r.indicators.upper!)).toEqual([NaN, NaN, NaN, 11, 11, 12, 12, 12, 11, 9]);
    expect(Array.from(r.indicators.lower!)).toEqual([NaN, NaN, NaN, 9, 9, 9, 9, 7, 6, 6]);
  });
});

describe('confluence', () => {
  const rsiOnly = { rsiPeriod: 2, rsiWeight: 1, macdWeight: 0, bollingerWeight: 0, volumeWeight: 0, longAbove: 65, shortBelow: 35 };
  it('with only the RSI weighted, the score is 100 − RSI and the thresholds give the targets', () => {
    // RSI(2): –, –, 0, 50, 75, 87.5, 43.75, 21.9, 10.9 → score –, –, 100, 50, 25, 12.5, 56.25, 78.1, 89.1
    const r = runStrategy('confluence', candles([10, 9, 8, 9, 10, 11, 10, 9, 8]), rsiOnly);
    expect(Array.from(r.indicators.score!).map((s) => Math.round(s * 100) / 100)).toEqual([NaN, NaN, 100, 50, 25, 12.5, 56.25, 78.13, 89.06]);
    expect(Array.from(r.targets)).toEqual([0, 0, 1, 0, -1, -1, 0, 1, 1]);
  });
  it('reads the thresholds as inclusive', () => {
    const c = candles([10, 9, 8, 9, 10, 11, 10, 9, 8]);
    const r = runStrategy('confluence', c, { ...rsiOnly, longAbove: 50, shortBelow: 25, mode: 'long_only' });
    expect(Array.from(r.targets)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 1]);
  });
  it('parses its defaults', () => {
    expect(parseStrategyParams('confluence', {})).toMatchObject({ rsiPeriod: 14, longAbove: 65, shortBelow: 35, mode: 'long_short' });
  });
});
