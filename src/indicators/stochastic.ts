import { checkPeriod, checkSameLength, outputArray } from './params.js';
import { RollingExtremesStream, rollingExtremes } from './rolling-extremes.js';
import { SmaStream, sma } from './sma.js';

/** Stochastic oscillator outputs: slow %K and %D. */
export interface StochasticOutput {
  readonly k: Float64Array;
  readonly d: Float64Array;
}

function checkStochastic(kPeriod: number, kSlowing: number, dPeriod: number): void {
  checkPeriod('Stochastic %K period', kPeriod);
  checkPeriod('Stochastic %K slowing period', kSlowing);
  checkPeriod('Stochastic %D period', dPeriod);
}

/** TA-Lib's fast %K: (close − lowest)/((highest − lowest)/100), or 0 when the window has no range. */
export function fastK(close: number, highest: number, lowest: number): number {
  const diff = (highest - lowest) / 100;
  return diff !== 0 ? (close - lowest) / diff : 0;
}

/**
 * Stochastic oscillator (TA-Lib STOCH with SMA smoothing): fast %K over `kPeriod` bars, slow %K = SMA(fast %K,
 * kSlowing), %D = SMA(slow %K, dPeriod). As in TA-Lib both outputs start together, at index
 * kPeriod+kSlowing+dPeriod−3 (8 for 5/3/3), and are NaN before.
 */
export function stochastic(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  kPeriod = 5,
  kSlowing = 3,
  dPeriod = 3,
  out?: StochasticOutput,
): StochasticOutput {
  checkStochastic(kPeriod, kSlowing, dPeriod);
  const n = checkSameLength('Stochastic', high, low, close);
  const k = outputArray('Stochastic %K', n, out?.k);
  const d = outputArray('Stochastic %D', n, out?.d);
  const start = kPeriod + kSlowing + dPeriod - 3;
  if (n > start) {
    // Highest highs go to k and lowest lows to d; fast %K replaces the lows in d; slow %K then fills k from it,
    // and %D fills d from slow %K. Each step reads only what the previous one left.
    rollingExtremes(high, low, kPeriod, k, d);
    for (let i = kPeriod - 1; i < n; i++) d[i] = fastK(close[i]!, k[i]!, d[i]!);
    sma(d.subarray(kPeriod - 1), kSlowing, k.subarray(kPeriod - 1));
    sma(k.subarray(kPeriod + kSlowing - 2), dPeriod, d.subarray(kPeriod + kSlowing - 2));
  }
  const nanEnd = Math.min(n, start);
  k.fill(NaN, 0, nanEnd);
  d.fill(NaN, 0, nanEnd);
  return { k, d };
}

/** Streaming stochastic: `update(high, low, close)` returns %K and sets `k` and `d` exactly as `stochastic`. */
export class StochasticStream {
  /** The latest slow %K (NaN during the lookback). */
  k = NaN;
  /** The latest %D (NaN during the lookback). */
  d = NaN;
  private readonly extremes: RollingExtremesStream;
  private readonly slowK: SmaStream;
  private readonly slowD: SmaStream;

  constructor(
    readonly kPeriod = 5,
    readonly kSlowing = 3,
    readonly dPeriod = 3,
  ) {
    checkStochastic(kPeriod, kSlowing, dPeriod);
    this.extremes = new RollingExtremesStream(kPeriod);
    this.slowK = new SmaStream(kSlowing);
    this.slowD = new SmaStream(dPeriod);
  }

  /** Adds the next bar and returns the slow %K ending at it. */
  update(high: number, low: number, close: number): number {
    const ex = this.extremes;
    if (!ex.update(high, low)) return NaN;
    const k = this.slowK.update(fastK(close, ex.highest, ex.lowest));
    if (Number.isNaN(k)) return NaN;
    const d = this.slowD.update(k);
    if (Number.isNaN(d)) return NaN;
    this.k = k;
    this.d = d;
    return k;
  }
}
