import { describe, expect, it } from 'vitest';
import * as ind from '../../src/indicators/index.js';
import { readFreqtradeJson, sharedDataPath } from '../support/shared-data.js';

const btc = readFreqtradeJson(
  sharedDataPath('crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json'),
);
const { high, low, close, volume } = btc;
const n = close.length;

/** Asserts the streamed series equals the batch one value for value (Object.is: NaN = NaN, +0 ≠ −0). */
function expectIdentical(streamed: Float64Array, batch: Float64Array, label: string): void {
  expect(streamed.length).toBe(batch.length);
  for (let i = 0; i < batch.length; i++) {
    if (!Object.is(streamed[i], batch[i])) expect.fail(`${label}[${i}]: stream ${streamed[i]} ≠ batch ${batch[i]}`);
  }
}

/** Runs `step` for every bar and collects what it returns. */
function stream(step: (i: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = step(i);
  return out;
}

/** Runs `step` for every bar and collects several named fields of the stream after each step. */
function streamFields<T extends object, K extends keyof T & string>(s: T, keys: readonly K[], step: (i: number) => void): Record<K, Float64Array> {
  const outs = Object.fromEntries(keys.map((k) => [k, new Float64Array(n)])) as Record<K, Float64Array>;
  for (let i = 0; i < n; i++) {
    step(i);
    for (const k of keys) outs[k][i] = s[k] as number;
  }
  return outs;
}

describe(`streaming equals batch, bit for bit, on ${n} real BTC/USDT 1m bars`, () => {
  it('has the whole file', () => expect(n).toBe(61_272));

  it.each([1, 2, 10, 20, 200])('SMA(%i)', (p) => {
    const s = new ind.SmaStream(p);
    expectIdentical(stream((i) => s.update(close[i]!)), ind.sma(close, p), `sma${p}`);
  });

  it.each([1, 2, 12, 26, 200])('EMA(%i)', (p) => {
    const s = new ind.EmaStream(p);
    expectIdentical(stream((i) => s.update(close[i]!)), ind.ema(close, p), `ema${p}`);
  });

  it.each([1, 2, 9, 20, 100])('WMA(%i)', (p) => {
    const s = new ind.WmaStream(p);
    expectIdentical(stream((i) => s.update(close[i]!)), ind.wma(close, p), `wma${p}`);
  });

  it.each([1, 2, 14, 50])('RSI(%i)', (p) => {
    const s = new ind.RsiStream(p);
    expectIdentical(stream((i) => s.update(close[i]!)), ind.rsi(close, p), `rsi${p}`);
  });

  it.each([
    [12, 26, 9],
    [5, 35, 5],
    [1, 2, 1],
  ])('MACD(%i,%i,%i)', (f, sl, sg) => {
    const s = new ind.MacdStream(f, sl, sg);
    const got = streamFields(s, ['macd', 'signal', 'histogram'], (i) => s.update(close[i]!));
    const want = ind.macd(close, f, sl, sg);
    expectIdentical(got.macd, want.macd, 'macd');
    expectIdentical(got.signal, want.signal, 'signal');
    expectIdentical(got.histogram, want.histogram, 'histogram');
  });

  it.each([
    [20, 2],
    [1, 1],
    [7, 2.5],
    [200, 3],
  ])('Bollinger(%i, %f)', (p, k) => {
    const s = new ind.BollingerStream(p, k);
    const got = streamFields(s, ['upper', 'middle', 'lower'], (i) => s.update(close[i]!));
    const want = ind.bollinger(close, p, k);
    expectIdentical(got.upper, want.upper, 'upper');
    expectIdentical(got.middle, want.middle, 'middle');
    expectIdentical(got.lower, want.lower, 'lower');
  });

  it('true range', () => {
    const s = new ind.TrueRangeStream();
    expectIdentical(stream((i) => s.update(high[i]!, low[i]!, close[i]!)), ind.trueRange(high, low, close), 'tr');
  });

  it.each([1, 14, 50])('ATR(%i)', (p) => {
    const s = new ind.AtrStream(p);
    expectIdentical(stream((i) => s.update(high[i]!, low[i]!, close[i]!)), ind.atr(high, low, close, p), `atr${p}`);
  });

  it.each([
    [5, 3, 3],
    [14, 1, 1],
    [1, 2, 4],
  ])('Stochastic(%i,%i,%i)', (kp, ks, dp) => {
    const s = new ind.StochasticStream(kp, ks, dp);
    const got = streamFields(s, ['k', 'd'], (i) => s.update(high[i]!, low[i]!, close[i]!));
    const want = ind.stochastic(high, low, close, kp, ks, dp);
    expectIdentical(got.k, want.k, '%K');
    expectIdentical(got.d, want.d, '%D');
  });

  it.each([1, 14, 60])('Williams %%R(%i)', (p) => {
    const s = new ind.WillrStream(p);
    expectIdentical(stream((i) => s.update(high[i]!, low[i]!, close[i]!)), ind.willr(high, low, close, p), `willr${p}`);
  });

  it('OBV', () => {
    const s = new ind.ObvStream();
    expectIdentical(stream((i) => s.update(close[i]!, volume[i]!)), ind.obv(close, volume), 'obv');
  });

  it.each([1, 20, 390])('rolling VWAP(%i)', (p) => {
    const s = new ind.VwapStream(p);
    const got = stream((i) => s.update(high[i]!, low[i]!, close[i]!, volume[i]!));
    expectIdentical(got, ind.vwap(high, low, close, volume, p), `vwap${p}`);
  });

  it('cumulative VWAP', () => {
    const s = new ind.CumulativeVwapStream();
    const got = stream((i) => s.update(high[i]!, low[i]!, close[i]!, volume[i]!));
    expectIdentical(got, ind.cumulativeVwap(high, low, close, volume), 'cvwap');
  });

  it.each([1, 20, 55])('Donchian(%i)', (p) => {
    const s = new ind.DonchianStream(p);
    const got = streamFields(s, ['upper', 'middle', 'lower'], (i) => s.update(high[i]!, low[i]!));
    const want = ind.donchian(high, low, p);
    expectIdentical(got.upper, want.upper, 'upper');
    expectIdentical(got.middle, want.middle, 'middle');
    expectIdentical(got.lower, want.lower, 'lower');
  });

  it.each([1, 20, 100])('volume z-score(%i)', (p) => {
    const s = new ind.VolumeZScoreStream(p);
    expectIdentical(stream((i) => s.update(volume[i]!)), ind.volumeZScore(volume, p), `z${p}`);
  });

  it.each([3, 20])('rolling mean/std(%i)', (p) => {
    const s = new ind.RollingMeanStdStream(p);
    const got = streamFields(s, ['mean', 'std'], (i) => s.update(close[i]!));
    const mean = new Float64Array(n);
    const std = new Float64Array(n);
    ind.rollingMeanStd(close, p, mean, std);
    expectIdentical(got.mean, mean, 'mean');
    expectIdentical(got.std, std, 'std');
  });
});
