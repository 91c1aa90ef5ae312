import { checkPeriod, outputArray } from './params.js';

/**
 * Linearly weighted moving average (TA-Lib WMA): weights 1..period, newest heaviest, divided by period·(period+1)/2.
 * NaN for the first `period - 1` values; the window sums are updated the way TA-Lib does.
 */
export function wma(values: Float64Array, period: number, out?: Float64Array): Float64Array {
  checkPeriod('WMA period', period);
  const n = values.length;
  const res = outputArray('WMA', n, out);
  res.fill(NaN, 0, Math.min(n, period - 1));
  if (n < period) return res;
  const divider = (period * (period + 1)) / 2;
  let periodSub = 0;
  let periodSum = 0;
  for (let i = 0; i < period - 1; i++) {
    const x = values[i]!;
    periodSub += x;
    periodSum += x * (i + 1);
  }
  let trailing = 0;
  for (let i = period - 1; i < n; i++) {
    const x = values[i]!;
    periodSub += x;
    periodSub -= trailing;
    periodSum += x * period;
    trailing = values[i - period + 1]!;
    res[i] = periodSum / divider;
    periodSum -= periodSub;
  }
  return res;
}

/** Streaming WMA: `update(value)` returns exactly what `wma` gives at the same index (NaN during the lookback). */
export class WmaStream {
  /** The latest output (NaN until `period` values were seen). */
  value = NaN;
  private readonly window: Float64Array;
  private readonly divider: number;
  private count = 0;
  private periodSub = 0;
  private periodSum = 0;
  private trailing = 0;

  constructor(readonly period: number) {
    checkPeriod('WMA period', period);
    this.window = new Float64Array(period);
    this.divider = (period * (period + 1)) / 2;
  }

  /** Adds the next value and returns the WMA ending at it. */
  update(x: number): number {
    const p = this.period;
    const i = this.count++;
    this.window[i % p] = x;
    if (i < p - 1) {
      this.periodSub += x;
      this.periodSum += x * (i + 1);
      return NaN;
    }
    this.periodSub += x;
    this.periodSub -= this.trailing;
    this.periodSum += x * p;
    this.trailing = this.window[(i + 1) % p]!;
    this.value = this.periodSum / this.divider;
    this.periodSum -= this.periodSub;
    return this.value;
  }
}
