import { checkPeriod } from './params.js';
import { rangeOscillator, willrOf } from './range-oscillator.js';
import { RollingExtremesStream } from './rolling-extremes.js';

/** Williams %R (TA-Lib WILLR): from 0 (close at the period high) to −100 (at the low); NaN for the first period−1 bars. */
export function willr(high: Float64Array, low: Float64Array, close: Float64Array, period = 14, out?: Float64Array): Float64Array {
  const res = rangeOscillator('Williams %R', high, low, close, period, true, out);
  return res.fill(NaN, 0, Math.min(res.length, period - 1));
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
