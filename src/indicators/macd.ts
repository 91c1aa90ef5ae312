import { checkPeriod, outputArray } from './params.js';

/** MACD outputs: the line (fast EMA − slow EMA), its signal EMA and the histogram (line − signal). */
export interface MacdOutput {
  readonly macd: Float64Array;
  readonly signal: Float64Array;
  readonly histogram: Float64Array;
}

function checkMacd(fastPeriod: number, slowPeriod: number, signalPeriod: number): void {
  checkPeriod('MACD fast period', fastPeriod);
  checkPeriod('MACD slow period', slowPeriod);
  checkPeriod('MACD signal period', signalPeriod);
  if (fastPeriod >= slowPeriod) {
    throw new RangeError(`MACD fast period must be less than the slow period, got fast ${fastPeriod} and slow ${slowPeriod}`);
  }
}

/**
 * MACD as TA-Lib computes it: the slow EMA is seeded with the SMA of values[0..slow-1]; the fast EMA is seeded with the
 * SMA of values[slow-fast..slow-1] so both start at index slow-1; the signal EMA is seeded with the SMA of the first
 * `signalPeriod` line values. All three outputs are NaN before index slow+signal-2 (33 for 12/26/9).
 */
export function macd(values: Float64Array, fastPeriod = 12, slowPeriod = 26, signalPeriod = 9, out?: MacdOutput): MacdOutput {
  checkMacd(fastPeriod, slowPeriod, signalPeriod);
  const n = values.length;
  const line = outputArray('MACD line', n, out?.macd);
  const signal = outputArray('MACD signal', n, out?.signal);
  const histogram = outputArray('MACD histogram', n, out?.histogram);
  const start = slowPeriod + signalPeriod - 2;
  const nanEnd = Math.min(n, start);
  line.fill(NaN, 0, nanEnd);
  signal.fill(NaN, 0, nanEnd);
  histogram.fill(NaN, 0, nanEnd);
  if (n <= start) return { macd: line, signal, histogram };
  const kFast = 2 / (fastPeriod + 1);
  const kSlow = 2 / (slowPeriod + 1);
  const kSignal = 2 / (signalPeriod + 1);
  let slowSum = 0;
  for (let i = 0; i < slowPeriod; i++) slowSum += values[i]!;
  let fastSum = 0;
  for (let i = slowPeriod - fastPeriod; i < slowPeriod; i++) fastSum += values[i]!;
  let slow = slowSum / slowPeriod;
  let fast = fastSum / fastPeriod;
  let m = fast - slow;
  let signalSum = 0 + m;
  for (let i = slowPeriod; i <= start; i++) {
    const x = values[i]!;
    fast = (x - fast) * kFast + fast;
    slow = (x - slow) * kSlow + slow;
    m = fast - slow;
    signalSum += m;
  }
  let s = signalSum / signalPeriod;
  line[start] = m;
  signal[start] = s;
  histogram[start] = m - s;
  for (let i = start + 1; i < n; i++) {
    const x = values[i]!;
    fast = (x - fast) * kFast + fast;
    slow = (x - slow) * kSlow + slow;
    m = fast - slow;
    s = (m - s) * kSignal + s;
    line[i] = m;
    signal[i] = s;
    histogram[i] = m - s;
  }
  return { macd: line, signal, histogram };
}

/** Streaming MACD: `update(value)` returns the line and sets `macd`, `signal`, `histogram` exactly as `macd` would. */
export class MacdStream {
  /** The latest MACD line (NaN during the lookback). */
  macd = NaN;
  /** The latest signal value. */
  signal = NaN;
  /** The latest histogram value. */
  histogram = NaN;
  private readonly kFast: number;
  private readonly kSlow: number;
  private readonly kSignal: number;
  private count = 0;
  private fastSum = 0;
  private slowSum = 0;
  private signalSum = 0;
  private fast = NaN;
  private slow = NaN;

  constructor(
    readonly fastPeriod = 12,
    readonly slowPeriod = 26,
    readonly signalPeriod = 9,
  ) {
    checkMacd(fastPeriod, slowPeriod, signalPeriod);
    this.kFast = 2 / (fastPeriod + 1);
    this.kSlow = 2 / (slowPeriod + 1);
    this.kSignal = 2 / (signalPeriod + 1);
  }

  /** Adds the next value and returns the MACD line ending at it. */
  update(x: number): number {
    const i = this.count++;
    const slowPeriod = this.slowPeriod;
    if (i < slowPeriod) {
      this.slowSum += x;
      if (i >= slowPeriod - this.fastPeriod) this.fastSum += x;
      if (i < slowPeriod - 1) return NaN;
      this.slow = this.slowSum / slowPeriod;
      this.fast = this.fastSum / this.fastPeriod;
    } else {
      this.fast = (x - this.fast) * this.kFast + this.fast;
      this.slow = (x - this.slow) * this.kSlow + this.slow;
    }
    const m = this.fast - this.slow;
    const start = slowPeriod + this.signalPeriod - 2;
    if (i <= start) {
      this.signalSum += m;
      if (i < start) return NaN;
      this.signal = this.signalSum / this.signalPeriod;
    } else {
      this.signal = (m - this.signal) * this.kSignal + this.signal;
    }
    this.macd = m;
    this.histogram = m - this.signal;
    return m;
  }
}
