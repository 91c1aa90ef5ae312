import { checkSameLength, outputArray } from './params.js';

/** One bar's true range given the previous close, with TA-Lib's comparisons: max(h−l, |pc−h|, |pc−l|). */
export function trueRangeOf(high: number, low: number, prevClose: number): number {
  // Gaps are rare (the previous close usually lies inside the bar), so these branches predict well.
  let tr = high - low;
  const up = Math.abs(prevClose - high);
  if (up > tr) tr = up;
  const down = Math.abs(prevClose - low);
  if (down > tr) tr = down;
  return tr;
}

/** True range (TA-Lib TRANGE): max(high−low, |prevClose−high|, |prevClose−low|); NaN at index 0 (no previous close). */
export function trueRange(high: Float64Array, low: Float64Array, close: Float64Array, out?: Float64Array): Float64Array {
  const n = checkSameLength('True range', high, low, close);
  const res = outputArray('True range', n, out);
  if (n === 0) return res;
  res[0] = NaN;
  let prevClose = close[0]!;
  for (let i = 1; i < n; i++) {
    res[i] = trueRangeOf(high[i]!, low[i]!, prevClose);
    prevClose = close[i]!;
  }
  return res;
}

/** Streaming true range: `update(high, low, close)` returns exactly what `trueRange` gives at the same index. */
export class TrueRangeStream {
  /** The latest true range (NaN until the second bar). */
  value = NaN;
  private started = false;
  private prevClose = 0;

  /** Adds the next bar and returns its true range. */
  update(high: number, low: number, close: number): number {
    const prevClose = this.prevClose;
    this.prevClose = close;
    if (!this.started) {
      this.started = true;
      return NaN;
    }
    this.value = trueRangeOf(high, low, prevClose);
    return this.value;
  }
}
