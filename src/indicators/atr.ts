import { checkPeriod, checkSameLength, outputArray } from './params.js';
import { TrueRangeStream, trueRangeOf } from './true-range.js';

/**
 * Average true range (TA-Lib ATR, Wilder smoothing): the first value, at index `period`, is the mean of TR[1..period];
 * then atr = (atr·(period−1) + TR)/period. NaN before index `period`.
 */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period = 14, out?: Float64Array): Float64Array {
  checkPeriod('ATR period', period);
  const n = checkSameLength('ATR', high, low, close);
  const res = outputArray('ATR', n, out);
  res.fill(NaN, 0, Math.min(n, period));
  if (n <= period) return res;
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += trueRangeOf(high[i]!, low[i]!, close[i - 1]!);
  let value = sum / period;
  res[period] = value;
  const keep = period - 1;
  let prevClose = close[period]!;
  for (let i = period + 1; i < n; i++) {
    value = (value * keep + trueRangeOf(high[i]!, low[i]!, prevClose)) / period;
    res[i] = value;
    prevClose = close[i]!;
  }
  return res;
}

/** Streaming ATR: `update(high, low, close)` returns exactly what `atr` gives at the same index. */
export class AtrStream {
  /** The latest ATR (NaN during the lookback). */
  value = NaN;
  private readonly tr = new TrueRangeStream();
  private count = 0;
  private sum = 0;

  constructor(readonly period = 14) {
    checkPeriod('ATR period', period);
  }

  /** Adds the next bar and returns the ATR ending at it. */
  update(high: number, low: number, close: number): number {
    const tr = this.tr.update(high, low, close);
    const i = this.count++;
    const p = this.period;
    if (i === 0) return NaN;
    if (i <= p) {
      this.sum += tr;
      if (i < p) return NaN;
      this.value = this.sum / p;
    } else {
      this.value = (this.value * (p - 1) + tr) / p;
    }
    return this.value;
  }
}
