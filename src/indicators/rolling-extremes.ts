import { checkPeriod, checkSameLength, outputArray } from './params.js';

/**
 * Highest high and lowest low of each window of `period` bars ending at i (the bar included), written to
 * highestOut[i] and lowestOut[i] for i ≥ period−1; earlier slots are left untouched. One pass that tracks where each
 * extreme sits and rescans the window only when it leaves, as TA-Lib does.
 */
export function rollingExtremes(
  high: Float64Array,
  low: Float64Array,
  period: number,
  highestOut: Float64Array,
  lowestOut: Float64Array,
): void {
  checkPeriod('rolling window period', period);
  const n = checkSameLength('rolling extremes', high, low);
  outputArray('rolling highest', n, highestOut);
  outputArray('rolling lowest', n, lowestOut);
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
    if (start >= 0) {
      highestOut[i] = highest;
      lowestOut[i] = lowest;
    }
  }
}

/** Streaming highest high and lowest low over the last `period` bars (including the current one). */
export class RollingExtremesStream {
  /** Highest high of the window (NaN until `period` bars were seen). */
  highest = NaN;
  /** Lowest low of the window (NaN until `period` bars were seen). */
  lowest = NaN;
  private readonly highs: Float64Array;
  private readonly lows: Float64Array;
  private count = 0;
  private highIdx = -1;
  private lowIdx = -1;
  private high = -Infinity;
  private low = Infinity;

  constructor(readonly period: number) {
    checkPeriod('rolling window period', period);
    this.highs = new Float64Array(period);
    this.lows = new Float64Array(period);
  }

  /** Adds the next bar; returns true once `highest` and `lowest` are defined. */
  update(high: number, low: number): boolean {
    const p = this.period;
    const i = this.count++;
    this.highs[i % p] = high;
    this.lows[i % p] = low;
    const start = i - p + 1;
    if (this.highIdx < start) this.rescanHigh(start, i);
    else if (high >= this.high) {
      this.high = high;
      this.highIdx = i;
    }
    if (this.lowIdx < start) this.rescanLow(start, i);
    else if (low <= this.low) {
      this.low = low;
      this.lowIdx = i;
    }
    if (start < 0) return false;
    this.highest = this.high;
    this.lowest = this.low;
    return true;
  }

  private rescanHigh(start: number, end: number): void {
    const from = start < 0 ? 0 : start;
    this.highIdx = from;
    this.high = this.highs[from % this.period]!;
    for (let j = from + 1; j <= end; j++) {
      const y = this.highs[j % this.period]!;
      if (y >= this.high) {
        this.high = y;
        this.highIdx = j;
      }
    }
  }

  private rescanLow(start: number, end: number): void {
    const from = start < 0 ? 0 : start;
    this.lowIdx = from;
    this.low = this.lows[from % this.period]!;
    for (let j = from + 1; j <= end; j++) {
      const y = this.lows[j % this.period]!;
      if (y <= this.low) {
        this.low = y;
        this.lowIdx = j;
      }
    }
  }
}
