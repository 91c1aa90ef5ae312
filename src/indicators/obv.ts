import { checkSameLength, outputArray } from './params.js';

/**
 * On-balance volume (TA-Lib OBV): starts at volume[0]; each bar adds its volume when the close rose, subtracts it when
 * the close fell, and carries the total when it was unchanged. Defined from index 0.
 */
export function obv(close: Float64Array, volume: Float64Array, out?: Float64Array): Float64Array {
  const n = checkSameLength('OBV', close, volume);
  const res = outputArray('OBV', n, out);
  if (n === 0) return res;
  let total = volume[0]!;
  let prev = close[0]!;
  res[0] = total;
  for (let i = 1; i < n; i++) {
    const c = close[i]!;
    // direction·volume is exactly +volume, −volume or 0, and the branch-free form avoids mispredictions.
    total += (Number(c > prev) - Number(c < prev)) * volume[i]!;
    res[i] = total;
    prev = c;
  }
  return res;
}

/** Streaming OBV: `update(close, volume)` returns exactly what `obv` gives at the same index. */
export class ObvStream {
  /** The latest OBV (NaN before the first bar). */
  value = NaN;
  private started = false;
  private prev = 0;

  /** Adds the next bar and returns the OBV at it. */
  update(close: number, volume: number): number {
    if (!this.started) {
      this.started = true;
      this.value = volume;
    } else {
      this.value += (Number(close > this.prev) - Number(close < this.prev)) * volume;
    }
    this.prev = close;
    return this.value;
  }
}
