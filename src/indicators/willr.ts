import { checkPeriod, checkSameLength, outputArray } from './params.js';
import { RollingExtremesStream } from './rolling-extremes.js';

/** TA-Lib's Williams %R for one bar: (highest − close)/((highest − lowest)/−100), or 0 when there is no range. */
export function willrOf(close: number, highest: number, lowest: number): number {
  const diff = (highest - lowest) / -100;
  return diff !== 0 ? (highest - close) / diff : 0;
}

/**
 * Williams %R (TA-Lib WILLR): from 0 (close at the period high) to −100 (at the low); NaN for the first period−1 bars.
 * The tracking of `rollingExtremes`, fused with the formula so no scratch array is needed.
 */
export function willr(high: Float64Array, low: Float64Array, close: Float64Array, period = 14, out?: Float64Array): Float64Array {
  checkPeriod('Williams %R period', period);
  const n = checkSameLength('Williams %R', high, low, close);
  const res = outputArray('Williams %R', n, out);
  res.fill(NaN, 0, Math.min(n, period - 1));
  let highest = -Infinity;
  let lowest = Infinity;
  let highIdx = -1;
  let lowIdx = -1;
  for (let i = 0; i < n; i++) {
    const h = high[i]!;
    const l = low[i]!;
    const start = i - period + 1;
    if (highIdx < start) {
      highIdx = start;
      highest = high[start]!;
      for (let j = start + 1; j <= i; j++) {
        if (high[j]! >= highest) {
          highest = high[j]!;
          highIdx = j;
        }
      }
    } else if (h >= highest) {
      highest = h;
      highIdx = i;
    }
    if (lowIdx < start) {
      lowIdx = start;
      lowest = low[start]!;
      for (let j = start + 1; j <= i; j++) {
        if (low[j]! <= lowest) {
          lowest = low[j]!;
          lowIdx = j;
        }
      }
    } else if (l <= lowest) {
      lowest = l;
      lowIdx = i;
    }
    if (start >= 0) res[i] = willrOf(close[i]!, highest, lowest);
  }
  return res;
}

/** Streaming Williams %R: `update(high, low, close)` returns exactly what `willr` gives at the same index. */
export class WillrStream {
  /** The latest value (NaN during the lookback). */
  value = NaN;
  private readonly extremes: RollingExtremesStream;

  constructor(readonly period = 14) {
    checkPeriod('Williams %R period', period);
    this.extremes = new RollingExtremesStream(period);
  }

  /** Adds the next bar and returns %R ending at it. */
  update(high: number, low: number, close: number): number {
    const ex = this.extremes;
    if (!ex.update(high, low)) return NaN;
    this.value = willrOf(close, ex.highest, ex.lowest);
    return this.value;
  }
}
