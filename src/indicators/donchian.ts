import { checkPeriod, checkSameLength, outputArray } from './params.js';
import { RollingExtremesStream, rollingExtremes } from './rolling-extremes.js';

/** Donchian channel outputs. */
export interface DonchianOutput {
  readonly upper: Float64Array;
  readonly middle: Float64Array;
  readonly lower: Float64Array;
}

/**
 * Donchian channels (not in TA-Lib; TA-Lib MAX/MIN windows): upper = highest high and lower = lowest low of the last
 * `period` bars INCLUDING the current one, middle = (upper + lower)/2; NaN for the first period−1 bars.
 * A breakout rule must compare a bar with the PREVIOUS bar's channel, since the current one contains the bar itself.
 */
export function donchian(high: Float64Array, low: Float64Array, period = 20, out?: DonchianOutput): DonchianOutput {
  checkPeriod('Donchian period', period);
  const n = checkSameLength('Donchian', high, low);
  const upper = outputArray('Donchian upper', n, out?.upper);
  const middle = outputArray('Donchian middle', n, out?.middle);
  const lower = outputArray('Donchian lower', n, out?.lower);
  rollingExtremes(high, low, period, upper, lower);
  for (let i = period - 1; i < n; i++) middle[i] = (upper[i]! + lower[i]!) / 2;
  const nanEnd = Math.min(n, period - 1);
  upper.fill(NaN, 0, nanEnd);
  middle.fill(NaN, 0, nanEnd);
  lower.fill(NaN, 0, nanEnd);
  return { upper, middle, lower };
}

/** Streaming Donchian channels: `update(high, low)` returns the middle and sets all three exactly as `donchian`. */
export class DonchianStream {
  /** The latest upper channel (NaN during the lookback). */
  upper = NaN;
  /** The latest middle channel. */
  middle = NaN;
  /** The latest lower channel. */
  lower = NaN;
  private readonly extremes: RollingExtremesStream;

  constructor(readonly period = 20) {
    checkPeriod('Donchian period', period);
    this.extremes = new RollingExtremesStream(period);
  }

  /** Adds the next bar and returns the middle channel ending at it. */
  update(high: number, low: number): number {
    const ex = this.extremes;
    if (!ex.update(high, low)) return NaN;
    this.upper = ex.highest;
    this.lower = ex.lowest;
    this.middle = (this.upper + this.lower) / 2;
    return this.middle;
  }
}
