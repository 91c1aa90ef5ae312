import { checkPeriod, outputArray } from './params.js';
import { RollingMeanStdStream } from './rolling-stats.js';

/**
 * Rolling volume z-score (not in TA-Lib): z = (volume − mean)/std over the last `period` bars INCLUDING the current
 * one, with the POPULATION standard deviation; 0 when the window has no dispersion; NaN for the first period−1 bars.
 * Mean and deviation are those of `rollingMeanStd` (same arithmetic, fused here to avoid a scratch array).
 */
export function volumeZScore(volume: Float64Array, period = 20, out?: Float64Array): Float64Array {
  checkPeriod('volume z-score period', period);
  const n = volume.length;
  const res = outputArray('volume z-score', n, out);
  res.fill(NaN, 0, Math.min(n, period - 1));
  for (let end = period - 1; end < n; end += period) {
    let sum = 0;
    for (let j = end - period + 1; j <= end; j++) sum += volume[j]!;
    let mean = sum / period;
    let m2 = 0;
    for (let j = end - period + 1; j <= end; j++) {
      const d = volume[j]! - mean;
      m2 += d * d;
    }
    let std = m2 > 0 ? Math.sqrt(m2 / period) : 0;
    res[end] = std > 0 ? (volume[end]! - mean) / std : 0;
    const stop = Math.min(n, end + period);
    for (let i = end + 1; i < stop; i++) {
      const x = volume[i]!;
      const old = volume[i - period]!;
      sum += x - old;
      const next = sum / period;
      m2 += (x - old) * (x - next + (old - mean));
      mean = next;
      std = m2 > 0 ? Math.sqrt(m2 / period) : 0;
      res[i] = std > 0 ? (x - mean) / std : 0;
    }
  }
  return res;
}

/** Streaming volume z-score: `update(volume)` returns exactly what `volumeZScore` gives at the same index. */
export class VolumeZScoreStream {
  /** The latest z-score (NaN during the lookback). */
  value = NaN;
  private readonly stats: RollingMeanStdStream;

  constructor(readonly period = 20) {
    checkPeriod('volume z-score period', period);
    this.stats = new RollingMeanStdStream(period);
  }

  /** Adds the next bar's volume and returns its z-score. */
  update(volume: number): number {
    if (!this.stats.update(volume)) return NaN;
    const std = this.stats.std;
    this.value = std > 0 ? (volume - this.stats.mean) / std : 0;
    return this.value;
  }
}
