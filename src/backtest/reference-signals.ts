import { sma } from '../indicators/sma.js';
import type { CandleColumns } from '../market/types.js';
import type { SignalContext, SignalOutput } from './signal.js';

/** Parameters of {@link smaCrossTargets}. */
export interface SmaCrossParams {
  readonly fast: number;
  readonly slow: number;
}

/**
 * backtesting.py's reference SmaCross (the strategy of its test suite and README), used for conformance,
 * benchmarks and optimizer tests: long from a bar where SMA(fast) crosses above SMA(slow), short from a cross below
 * (`crossover`: strictly below on the previous bar, strictly above on this one); the strategy registry lives elsewhere.
 */
export function smaCrossTargets(candles: CandleColumns, params: SmaCrossParams, ctx?: SignalContext): SignalOutput {
  const { fast: f, slow: s } = params;
  const close = candles.close;
  const warmupBars = Math.max(f, s) - 1;
  if (ctx) {
    const fast = ctx.memo(`sma:${f}`, () => sma(close, f));
    const slow = ctx.memo(`sma:${s}`, () => sma(close, s));
    return { targets: crossoverTargets(fast, slow, ctx.scratchTargets(close.length)), indicators: { fast, slow }, warmupBars };
  }
  // A single run needs only the crossings: the averages stay in registers and the arrays are built if asked for.
  const targets = smaCrossings(close, f, s, new Int8Array(close.length));
  let indicators: Record<string, Float64Array> | undefined;
  return {
    targets,
    warmupBars,
    get indicators() {
      return (indicators ??= { fast: sma(close, f), slow: sma(close, s) });
    },
  };
}

/**
 * {@link crossoverTargets} of SMA(f) and SMA(s) without storing them, with `sma()`'s running sum in TA-Lib's order
 * (add the newest, divide, drop the oldest); a test checks it against `sma()` on real data.
 */
export function smaCrossings(close: Float64Array, f: number, s: number, out: Int8Array): Int8Array {
  const n = close.length;
  let sumF = 0;
  let sumS = 0;
  let prevA = NaN;
  let prevB = NaN;
  let target = 0;
  for (let i = 0; i < n; i++) {
    const v = close[i]!;
    sumF += v;
    sumS += v;
    let a = NaN;
    let b = NaN;
    if (i >= f - 1) {
      a = sumF / f;
      sumF -= close[i - f + 1]!;
    }
    if (i >= s - 1) {
      b = sumS / s;
      sumS -= close[i - s + 1]!;
    }
    if (prevA < prevB && a > b) target = 1;
    else if (prevA > prevB && a < b) target = -1;
    out[i] = target;
    prevA = a;
    prevB = b;
  }
  return out;
}

/**
 * The same SmaCross with pandas' `rolling(n).mean()` (Kahan-compensated add/remove sums), the SMA of backtesting.py's
 * test suite: where two averages are mathematically equal, it breaks the tie the way bt.py does (TA-Lib's running sum may not).
 */
export function btpySmaCrossTargets(candles: CandleColumns, params: SmaCrossParams, ctx?: SignalContext): SignalOutput {
  const { fast: f, slow: s } = params;
  const close = candles.close;
  const fast = ctx ? ctx.memo(`rolling-mean:${f}`, () => rollingMean(close, f)) : rollingMean(close, f);
  const slow = ctx ? ctx.memo(`rolling-mean:${s}`, () => rollingMean(close, s)) : rollingMean(close, s);
  const targets = crossoverTargets(fast, slow, ctx ? ctx.scratchTargets(close.length) : new Int8Array(close.length));
  return { targets, indicators: { fast, slow }, warmupBars: Math.max(f, s) - 1 };
}

/** pandas `Series.rolling(n).mean()` on NaN-free values, bit for bit (pandas ≥ 1.4 `roll_mean`). */
export function rollingMean(values: Float64Array, n: number): Float64Array {
  const out = new Float64Array(values.length).fill(NaN);
  let sum = 0;
  let addComp = 0;
  let removeComp = 0;
  let negatives = 0;
  let sameRun = 0;
  let prev = NaN;
  for (let i = 0; i < values.length; i++) {
    // pandas removes the value leaving the window before it adds the new one, each with its own compensation.
    if (i >= n) {
      const old = values[i - n]!;
      const y = -old - removeComp;
      const t = sum + y;
      removeComp = t - sum - y;
      sum = t;
      if (old < 0 || Object.is(old, -0)) negatives--;
    }
    const v = values[i]!;
    const y = v - addComp;
    const t = sum + y;
    addComp = t - sum - y;
    sum = t;
    if (v < 0 || Object.is(v, -0)) negatives++;
    sameRun = v === prev ? sameRun + 1 : 1;
    prev = v;
    if (i < n - 1) continue;
    let mean = sum / n;
    if (sameRun >= n) mean = prev;
    else if (negatives === 0 && mean < 0) mean = 0;
    else if (negatives === n && mean > 0) mean = 0;
    out[i] = mean;
  }
  return out;
}

/** Holds +1 from each bar where `a` crosses above `b`, −1 from each cross below, 0 before the first cross. */
export function crossoverTargets(a: Float64Array, b: Float64Array, out: Int8Array): Int8Array {
  let target = 0;
  let prevA = NaN;
  let prevB = NaN;
  out[0] = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (prevA < prevB && x > y) target = 1;
    else if (prevA > prevB && x < y) target = -1;
    out[i] = target;
    prevA = x;
    prevB = y;
  }
  return out;
}
