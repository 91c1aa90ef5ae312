import { describe, expect, it } from 'vitest';
import { atr } from '../../src/indicators/atr.js';
import { bollinger } from '../../src/indicators/bollinger.js';
import { ema } from '../../src/indicators/ema.js';
import { macd } from '../../src/indicators/macd.js';
import { rsi } from '../../src/indicators/rsi.js';
import { sma } from '../../src/indicators/sma.js';
import { csvColumn, readCsv, sharedDataPath } from '../support/shared-data.js';

const REL_TOL = 1e-9;

interface Ohlc {
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** Asserts `actual` has TA-Lib's lookback (same first defined index, NaN before) and its values to 1e-9 relative. */
function expectTalib(actual: Float64Array, expected: Float64Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const firstExpected = expected.findIndex((v) => !Number.isNaN(v));
  const firstActual = actual.findIndex((v) => !Number.isNaN(v));
  expect(firstExpected, `${label}: reference has values`).toBeGreaterThan(0);
  expect(firstActual, `${label}: first defined index`).toBe(firstExpected);
  let worst = 0;
  for (let i = firstExpected; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    expect(Number.isNaN(e), `${label}: reference gap at ${i}`).toBe(false);
    const rel = Math.abs(a - e) / Math.abs(e);
    if (!(rel <= REL_TOL)) expect.fail(`${label}[${i}] = ${a}, TA-Lib ${e} (relative error ${rel})`);
    worst = Math.max(worst, rel);
  }
  expect(worst).toBeLessThanOrEqual(REL_TOL);
}

function checkAll(name: string, input: Ohlc, referenceFile: string): void {
  const ref = readCsv(sharedDataPath(`indicators/${referenceFile}`));
  const col = (c: string): Float64Array => csvColumn(ref, c);
  const { high, low, close } = input;

  describe(`TA-Lib 0.6.0 on ${name}`, () => {
    it('reads the same closes as the reference file', () => {
      expect(Array.from(close)).toEqual(Array.from(col('close')));
    });
    it('SMA(10) and SMA(20)', () => {
      expectTalib(sma(close, 10), col('sma10'), 'sma10');
      expectTalib(sma(close, 20), col('sma20'), 'sma20');
    });
    it('EMA(12) and EMA(26), seeded with the SMA', () => {
      expectTalib(ema(close, 12), col('ema12'), 'ema12');
      expectTalib(ema(close, 26), col('ema26'), 'ema26');
    });
    it('RSI(14), Wilder', () => {
      expectTalib(rsi(close, 14), col('rsi14'), 'rsi14');
    });
    it('MACD(12,26,9) line, signal and histogram', () => {
      const m = macd(close, 12, 26, 9);
      expectTalib(m.macd, col('macd'), 'macd');
      expectTalib(m.signal, col('macd_signal'), 'macd_signal');
      expectTalib(m.histogram, col('macd_hist'), 'macd_hist');
    });
    it('Bollinger(20, 2) with the population deviation', () => {
      const bb = bollinger(close, 20, 2);
      expectTalib(bb.upper, col('bb_upper'), 'bb_upper');
      expectTalib(bb.middle, col('bb_middle'), 'bb_middle');
      expectTalib(bb.lower, col('bb_lower'), 'bb_lower');
    });
    it('ATR(14), Wilder', () => {
      expectTalib(atr(high, low, close, 14), col('atr14'), 'atr14');
    });
  });
}

const regtest = readCsv(sharedDataPath('indicators/talib_regtest_daily_ref_0.csv'));
const regtestOhlc: Ohlc = { high: csvColumn(regtest, 'high'), low: csvColumn(regtest, 'low'), close: csvColumn(regtest, 'close') };
const goog = readCsv(sharedDataPath('GOOG.csv'));
const googOhlc: Ohlc = { high: csvColumn(goog, 'High'), low: csvColumn(goog, 'Low'), close: csvColumn(goog, 'Close') };

checkAll('TA-Lib regression data (daily_ref_0)', regtestOhlc, 'talib_0.6.0_on_regtest_daily_ref_0.csv');
checkAll('GOOG daily', googOhlc, 'talib_0.6.0_on_GOOG.csv');

describe("TA-Lib's own regression expectations (ta_regtest)", () => {
  const { high, low, close } = regtestOhlc;
  const near = (actual: number | undefined, expected: number, tolerance: number): void => {
    expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tolerance);
  };

  it('RSI(14) = 49.14, 52.32, 46.07, 49.63 at idx 14, 15, 16, 251 (test_rsi.c)', () => {
    const r = rsi(close, 14);
    expect(Number.isNaN(r[13])).toBe(true);
    near(r[14], 49.14, 0.01);
    near(r[15], 52.32, 0.015);
    near(r[16], 46.07, 0.01);
    near(r[251], 49.63, 0.01);
  });

  it('MACD(12,26,9) = -1.9738, signal -2.7071 at idx 33, the first output (test_macd.c)', () => {
    const m = macd(close, 12, 26, 9);
    expect(Number.isNaN(m.macd[32])).toBe(true);
    near(m.macd[33], -1.9738, 5e-5);
    near(m.signal[33], -2.7071, 5e-5);
    near(m.histogram[33], -1.9738 + 2.7071, 1e-4);
  });

  it('BBANDS(20,2,2,SMA) = 98.0734 / 92.8910 / 87.7086 at idx 19 (test_bbands.c)', () => {
    const bb = bollinger(close, 20, 2);
    expect(Number.isNaN(bb.upper[18])).toBe(true);
    near(bb.upper[19], 98.0734, 5e-5);
    near(bb.middle[19], 92.891, 5e-5);
    near(bb.lower[19], 87.7086, 5e-5);
  });

  it('ATR(14) = 3.578, 3.4876, 3.26 at idx 14, 15, 251 (test_trange.c)', () => {
    const a = atr(high, low, close, 14);
    expect(Number.isNaN(a[13])).toBe(true);
    near(a[14], 3.578, 5e-4);
    near(a[15], 3.4876, 5e-5);
    near(a[251], 3.26, 5e-3);
  });
});

describe('RSI(14) on the 33-value StockCharts/Wilder series', () => {
  const csv = readCsv(sharedDataPath('indicators/talib_0.6.0_rsi14_on_stockcharts_33bar_series.csv'));
  it('matches TA-Lib to 1e-9 and the published 70.46 / 66.25 / 66.48', () => {
    const r = rsi(csvColumn(csv, 'close'), 14);
    expectTalib(r, csvColumn(csv, 'rsi14_talib'), 'rsi14');
    expect(r[14]).toBeCloseTo(70.46, 2);
    expect(r[15]).toBeCloseTo(66.25, 2);
    expect(r[16]).toBeCloseTo(66.48, 2);
  });
});
