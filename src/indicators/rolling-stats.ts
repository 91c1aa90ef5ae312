import { checkPeriod, outputArray } from './params.js';

/**
 * Rolling mean and POPULATION standard deviation over the last `period` values, NaN before index period-1.
 * The sum and the sum of squared deviations (m2) are updated in O(1) per value with the sliding Welford step
 * m2 += (x-old)·((x-mean') + (old-mean)); whenever a window starts at a multiple of `period` both are recomputed
 * exactly (two passes), so rounding drift is bounded to one window even over millions of values.
 * Writes into `meanOut` and `stdOut`, which must have the input's length.
 */
export function rollingMeanStd(values: Float64Array, period: number, meanOut: Float64Array, stdOut: Float64Array): void {
  checkPeriod('rolling window period', period);
  const n = values.length;
  outputArray('rolling mean', n, meanOut);
  outputArray('rolling deviation', n, stdOut);
  const nanEnd = Math.min(n, period - 1);
  meanOut.fill(NaN, 0, nanEnd);
  stdOut.fill(NaN, 0, nanEnd);
  let sum = 0;
  let mean = 0;
  let m2 = 0;
  for (let end = period - 1; end < n; end += period) {
    sum = 0;
    for (let j = end - period + 1; j <= end; j++) sum += values[j]!;
    mean = sum / period;
    m2 = 0;
    for (let j = end - period + 1; j <= end; j++) {
      const d = values[j]! - mean;
      m2 += d * d;
    }
    meanOut[end] = mean;
    stdOut[end] = m2 > 0 ? Math.sqrt(m2 / period) : 0;
    const stop = Math.min(n, end + period);
    for (let i = end + 1; i < stop; i++) {
      const x = values[i]!;
      const old = values[i - period]!;
      sum += x - old;
      const next = sum / period;
      m2 += (x - old) * (x - next + (old - mean));
      mean = next;
      meanOut[i] = mean;
      stdOut[i] = m2 > 0 ? Math.sqrt(m2 / period) : 0;
    }
  }
}

/** Streaming rolling mean/std: after `update(x)`, `mean` and `std` equal what `rollingMeanStd` gives at that index. */
export class RollingMeanStdStream {
  /** The latest mean (NaN during the lookback). */
  mean = NaN;
  /** The latest population standard deviation (NaN during the lookback). */
  std = NaN;
  private readonly window: Float64Array;
  private count = 0;
  private sum = 0;
  private m2 = 0;

  constructor(readonly period: number) {
    checkPeriod('rolling window period', period);
    this.window = new Float64Array(period);
  }

  /** Adds the next value; returns true once `mean` and `std` are defined. */
  update(x: number): boolean {
    const p = this.period;
    const i = this.count++;
    const slot = i % p;
    const old = this.window[slot]!;
    this.window[slot] = x;
    if (i < p - 1) return false;
    if (slot === p - 1) {
      // The window is values[i-p+1..i] and sits in slots 0..p-1 in time order: recompute it as the batch does.
      const w = this.window;
      let sum = 0;
      for (let j = 0; j < p; j++) sum += w[j]!;
      const mean = sum / p;
      let m2 = 0;
      for (let j = 0; j < p; j++) {
        const d = w[j]! - mean;
        m2 += d * d;
      }
      this.sum = sum;
      this.mean = mean;
      this.m2 = m2;
    } else {
      this.sum += x - old;
      const next = this.sum / p;
      this.m2 += (x - old) * (x - next + (old - this.mean));
      this.mean = next;
    }
    this.std = this.m2 > 0 ? Math.sqrt(this.m2 / p) : 0;
    return true;
  }
}
