import { checkPeriod, checkPositive, outputArray } from './params.js';
import { RollingMeanStdStream, rollingMeanStd } from './rolling-stats.js';

/** Bollinger Bands outputs. */
export interface BollingerOutput {
  readonly upper: Float64Array;
  readonly middle: Float64Array;
  readonly lower: Float64Array;
}

function checkBollinger(period: number, multiplier: number): void {
  checkPeriod('Bollinger period', period);
  checkPositive('Bollinger standard-deviation multiplier', multiplier);
}

/**
 * Bollinger Bands (TA-Lib BBANDS with an SMA middle): middle = SMA(period), bands = middle ± multiplier × the
 * POPULATION standard deviation of the same window; NaN for the first `period - 1` values.
 * Mean and deviation come from `rollingMeanStd` (drift-bounded), which agrees with TA-Lib to ~1e-12.
 */
export function bollinger(values: Float64Array, period = 20, multiplier = 2, out?: BollingerOutput): BollingerOutput {
  checkBollinger(period, multiplier);
  const n = values.length;
  const upper = outputArray('Bollinger upper', n, out?.upper);
  const middle = outputArray('Bollinger middle', n, out?.middle);
  const lower = outputArray('Bollinger lower', n, out?.lower);
  // The deviation goes into `lower` first, then each band is written from it in place.
  rollingMeanStd(values, period, middle, lower);
  upper.fill(NaN, 0, Math.min(n, period - 1));
  for (let i = period - 1; i < n; i++) {
    const mid = middle[i]!;
    const band = lower[i]! * multiplier;
    upper[i] = mid + band;
    lower[i] = mid - band;
  }
  return { upper, middle, lower };
}

/** Streaming Bollinger Bands: `update(value)` returns the middle band and sets all three exactly as `bollinger`. */
export class BollingerStream {
  /** The latest upper band (NaN during the lookback). */
  upper = NaN;
  /** The latest middle band. */
  middle = NaN;
  /** The latest lower band. */
  lower = NaN;
  private readonly stats: RollingMeanStdStream;

  constructor(
    readonly period = 20,
    readonly multiplier = 2,
  ) {
    checkBollinger(period, multiplier);
    this.stats = new RollingMeanStdStream(period);
  }

  /** Adds the next value and returns the middle band ending at it. */
  update(x: number): number {
    if (!this.stats.update(x)) return NaN;
    const mid = this.stats.mean;
    const band = this.stats.std * this.multiplier;
    this.middle = mid;
    this.upper = mid + band;
    this.lower = mid - band;
    return mid;
  }
}
