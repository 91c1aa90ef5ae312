import { checkPeriod, outputArray } from './params.js';

/**
 * Simple moving average (TA-Lib SMA): NaN for the first `period - 1` values, then the mean of the last `period`,
 * kept as a running window sum updated in TA-Lib's order, so the results are bit-identical to TA-Lib's.
 */
export function sma(values: Float64Array, period: number, out?: Float64Array): Float64Array {
  checkPeriod('SMA period', period);
  const n = values.length;
  const res = outputArray('SMA', n, out);
  res.fill(NaN, 0, Math.min(n, period - 1));
  if (n < period) return res;
  // TA-Lib's order (add the newest, divide, then drop the oldest) keeps the results bit-identical to TA-Lib's.
  let sum = 0;
  for (let i = 0; i < period - 1; i++) sum += values[i]!;
  for (let i = period - 1; i < n; i++) {
    sum += values[i]!;
    res[i] = sum / period;
    sum -= values[i - period + 1]!;
  }
  return res;
}

/** Streaming SMA: `update(value)` returns exactly what `sma` gives at the same index (NaN during the lookback). */
export class SmaStream {
  /** The latest output (NaN until `period` values were seen). */
  value = NaN;
  private readonly window: Float64Array;
  private count = 0;
  private sum = 0;

  constructor(readonly period: number) {
    checkPeriod('SMA period', period);
    this.window = new Float64Array(period);
  }

  /** Adds the next value and returns the SMA ending at it. */
  update(x: number): number {
    const p = this.period;
    const i = this.count++;
    this.window[i % p] = x;
    this.sum += x;
    if (i < p - 1) return NaN;
    this.value = this.sum / p;
    this.sum -= this.window[(i + 1) % p]!;
    return this.value;
  }
}
