import { checkPeriod, outputArray } from './params.js';

/**
 * Relative strength index (TA-Lib RSI, Wilder smoothing). The first average gain/loss are the means of the first
 * `period` changes, so the first output is at index `period`; then avg = (avg·(period-1) + change)/period and
 * RSI = 100·avgGain/(avgGain+avgLoss). A window with no movement at all gives 0, as TA-Lib does (TA-Lib tests the
 * sum against a fixed epsilon; we test for exact zero so tiny-priced assets are not flattened to 0).
 */
export function rsi(values: Float64Array, period = 14, out?: Float64Array): Float64Array {
  checkPeriod('RSI period', period);
  const n = values.length;
  const res = outputArray('RSI', n, out);
  res.fill(NaN, 0, Math.min(n, period));
  if (n <= period) return res;
  let gain = 0;
  let loss = 0;
  let prev = values[0]!;
  for (let i = 1; i <= period; i++) {
    const x = values[i]!;
    const d = x - prev;
    prev = x;
    if (d < 0) loss -= d;
    else gain += d;
  }
  gain /= period;
  loss /= period;
  let total = gain + loss;
  res[period] = total !== 0 ? 100 * (gain / total) : 0;
  const keep = period - 1;
  for (let i = period + 1; i < n; i++) {
    const x = values[i]!;
    const d = x - prev;
    prev = x;
    // (d+|d|)/2 is exactly max(d, 0) and (|d|-d)/2 exactly max(-d, 0); adding +0 is exact too, so this branch-free
    // form gives TA-Lib's if/else results bit for bit without its unpredictable branch.
    const a = Math.abs(d);
    gain = (gain * keep + (d + a) * 0.5) / period;
    loss = (loss * keep + (a - d) * 0.5) / period;
    total = gain + loss;
    res[i] = total !== 0 ? 100 * (gain / total) : 0;
  }
  return res;
}

/** Streaming RSI: `update(value)` returns exactly what `rsi` gives at the same index (NaN during the lookback). */
export class RsiStream {
  /** The latest output (NaN until `period + 1` values were seen). */
  value = NaN;
  private count = 0;
  private prev = NaN;
  private gain = 0;
  private loss = 0;

  constructor(readonly period = 14) {
    checkPeriod('RSI period', period);
  }

  /** Adds the next value and returns the RSI ending at it. */
  update(x: number): number {
    const p = this.period;
    const i = this.count++;
    const d = x - this.prev;
    this.prev = x;
    if (i === 0) return NaN;
    if (i <= p) {
      if (d < 0) this.loss -= d;
      else this.gain += d;
      if (i < p) return NaN;
      this.gain /= p;
      this.loss /= p;
    } else {
      const a = Math.abs(d);
      this.gain = (this.gain * (p - 1) + (d + a) * 0.5) / p;
      this.loss = (this.loss * (p - 1) + (a - d) * 0.5) / p;
    }
    const total = this.gain + this.loss;
    this.value = total !== 0 ? 100 * (this.gain / total) : 0;
    return this.value;
  }
}
