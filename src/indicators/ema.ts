import { checkPeriod, outputArray } from './params.js';

/**
 * Exponential moving average (TA-Lib EMA): k = 2/(period+1), seeded with the SMA of the first `period` values,
 * so the first output is at index `period - 1`; then ema = (x - ema)·k + ema.
 */
export function ema(values: Float64Array, period: number, out?: Float64Array): Float64Array {
  checkPeriod('EMA period', period);
  const n = values.length;
  const res = outputArray('EMA', n, out);
  res.fill(NaN, 0, Math.min(n, period - 1));
  if (n < period) return res;
  const k = 2 / (period + 1);
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i]!;
  let prev = sum / period;
  res[period - 1] = prev;
  for (let i = period; i < n; i++) {
    prev = (values[i]! - prev) * k + prev;
    res[i] = prev;
  }
  return res;
}

/** Streaming EMA: `update(value)` returns exactly what `ema` gives at the same index (NaN during the lookback). */
export class EmaStream {
  /** The latest output (NaN until `period` values were seen). */
  value = NaN;
  private readonly k: number;
  private count = 0;
  private sum = 0;

  constructor(readonly period: number) {
    checkPeriod('EMA period', period);
    this.k = 2 / (period + 1);
  }

  /** Adds the next value and returns the EMA ending at it. */
  update(x: number): number {
    const p = this.period;
    if (this.count < p) {
      this.sum += x;
      if (++this.count < p) return NaN;
      this.value = this.sum / p;
      return this.value;
    }
    this.value = (x - this.value) * this.k + this.value;
    return this.value;
  }
}
