import { checkPeriod, checkSameLength, outputArray } from './params.js';
import { fastK, rangeOscillator } from './range-oscillator.js';
import { RollingExtremesStream } from './rolling-extremes.js';
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
    // Fast %K goes to d, slow %K fills k from it, then %D overwrites d from slow %K.
    rangeOscillator('Stochastic', high, low, close, kPeriod, false, d);
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
