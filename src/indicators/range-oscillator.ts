import { checkPeriod, checkSameLength, outputArray } from './params.js';

/**
 * Fast %K for one bar: 100·(close − lowest)/(highest − lowest), or 0 when the window has no range (TA-Lib's rule).
 * TA-Lib divides twice, (close − lowest)/((highest − lowest)/100); one division differs only in the last bits.
 */
export function fastK(close: number, highest: number, lowest: number): number {
  const range = highest - lowest;
  return range !== 0 ? 100 * ((close - lowest) / range) : 0;
}

/**
 * Williams %R for one bar: −100·(highest − close)/(highest − lowest), or 0 when there is no range (TA-Lib's rule).
 * TA-Lib divides twice, (highest − close)/((highest − lowest)/−100); one division differs only in the last bits.
 */
export function willrOf(close: number, highest: number, lowest: number): number {
  const range = highest - lowest;
  return range !== 0 ? -100 * ((highest - close) / range) : 0;
}

/**
 * Where each close sits in the range of the last `period` bars: fast %K, or Williams %R when `williams` is true,
 * written to out[i] for i ≥ period−1 (earlier slots are left untouched). The tracking of `rollingExtremes`, fused with
 * the formula so no array of extremes is needed.
 */
export function rangeOscillator(
  what: string,
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  williams: boolean,
  out?: Float64Array,
): Float64Array {
  checkPeriod(`${what} period`, period);
  const n = checkSameLength(what, high, low, close);
  const res = outputArray(what, n, out);
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
    if (start >= 0) res[i] = williams ? willrOf(close[i]!, highest, lowest) : fastK(close[i]!, highest, lowest);
  }
  return res;
}
