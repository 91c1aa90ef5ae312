import { checkPeriod, checkSameLength, outputArray } from './params.js';
import type { ExtremesScratch } from './rolling-extremes.js';
import { EXTREMES_CHUNK, extremesChunk, extremesScratch, RollingExtremesStream } from './rolling-extremes.js';

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
 * written to out[i] for i ≥ period−1 (earlier slots are left untouched). The extremes of `rollingExtremes`, a chunk
 * at a time, fused with the formula so no array of extremes is needed.
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
  if (n < period) return res;
  const scratch = extremesScratch(period, n);
  for (let from = period - 1; from < n; from += EXTREMES_CHUNK) {
    const to = Math.min(n, from + EXTREMES_CHUNK);
    if (!extremesChunk(high, low, period, from, to, scratch)) {
      return trackedOscillator(high, low, close, period, williams, res);
    }
    if (williams) willrChunk(close, from, to, scratch, res);
    else fastKChunk(close, from, to, scratch, res);
  }
  return res;
}

/** `rangeOscillator` over the extremes of `RollingExtremesStream` (TA-Lib's scan), for inputs with NaN. */
function trackedOscillator(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  williams: boolean,
  res: Float64Array,
): Float64Array {
  const stream = new RollingExtremesStream(period);
  for (let i = 0; i < high.length; i++) {
    if (!stream.update(high[i]!, low[i]!)) continue;
    res[i] = williams ? willrOf(close[i]!, stream.highest, stream.lowest) : fastK(close[i]!, stream.highest, stream.lowest);
  }
  return res;
}

/** Williams %R of the windows ending at from..to−1, from the extremes `extremesChunk` left in `scratch`. */
function willrChunk(close: Float64Array, from: number, to: number, scratch: ExtremesScratch, res: Float64Array): void {
  const { high, low, span } = scratch;
  for (let i = from, r = 0; i < to; i++, r++) {
    const highest = high[r + span * +(high[r + span]! >= high[r]!)]!;
    const lowest = low[r + span * +(low[r + span]! <= low[r]!)]!;
    res[i] = willrOf(close[i]!, highest, lowest);
  }
}

/** fast %K of the windows ending at from..to−1, from the extremes `extremesChunk` left in `scratch`. */
function fastKChunk(close: Float64Array, from: number, to: number, scratch: ExtremesScratch, res: Float64Array): void {
  const { high, low, span } = scratch;
  for (let i = from, r = 0; i < to; i++, r++) {
    const highest = high[r + span * +(high[r + span]! >= high[r]!)]!;
    const lowest = low[r + span * +(low[r + span]! <= low[r]!)]!;
    res[i] = fastK(close[i]!, highest, lowest);
  }
}
