import { checkPeriod, checkSameLength, outputArray } from './params.js';

/** Windows handled per `extremesChunk` call: few enough that the scratch stays in the CPU cache. */
export const EXTREMES_CHUNK = 2048;

/**
 * Scratch for `extremesChunk`, reused across the chunks of one batch call. Each array holds the suffix extremes at
 * [0, span − period + 1) and the prefix extremes from there on; the window ending at from + r combines [r] and
 * [r + span].
 */
export interface ExtremesScratch {
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly span: number;
}

/** Allocates the scratch `extremesChunk` needs for windows of `period` bars over `n` bars. */
export function extremesScratch(period: number, n: number): ExtremesScratch {
  const half = Math.min(EXTREMES_CHUNK + period - 1, n);
  return { high: new Float64Array(2 * half), low: new Float64Array(2 * half), span: half + period - 1 };
}

/** True unless a high or low in [from, to) is NaN (or ±Infinity cancel out in the sums: a safe false alarm). */
function allNumbers(high: Float64Array, low: Float64Array, from: number, to: number): boolean {
  let a = 0;
  let b = 0;
  let i = from;
  for (; i + 1 < to; i += 2) {
    a += high[i]! - low[i]!;
    b += high[i + 1]! - low[i + 1]!;
  }
  if (i < to) a += high[i]! - low[i]!;
  return a + b === a + b;
}

/**
 * Prepares the highest high and lowest low of the windows of `period` bars ending at from..to−1 (from ≥ period−1,
 * at most EXTREMES_CHUNK windows). Returns false, leaving the scratch unusable, when an input of the chunk is NaN
 * (the caller then takes `RollingExtremesStream`). van Herk/Gil-Werman: blocks of `period` bars get prefix and suffix
 * extremes, and a window is a suffix of one block plus a prefix of the next. For the window ending at from + r the
 * highest is `h[r + span * +(h[r + span] >= h[r])]` (h = scratch.high) and the lowest
 * `l[r + span * +(l[r + span] <= l[r])]`, written out where used (as a helper function it measured several times
 * slower on Node 20). Every step keeps the later of two elements when it is ≥ (≤ for lows) the earlier one,
 * choosing by index without a branch (a mispredicted branch costs more than the whole step), so each extreme is
 * the input element the tracking scan keeps, bit for bit (−0 or +0 included).
 */
export function extremesChunk(
  high: Float64Array,
  low: Float64Array,
  period: number,
  from: number,
  to: number,
  scratch: ExtremesScratch,
): boolean {
  const base = from - period + 1;
  if (!allNumbers(high, low, base, to)) return false;
  const { high: sh, low: sl, span } = scratch;
  const off = span - period + 1;
  const len = to - base;
  const highs = high.subarray(base, to);
  const lows = low.subarray(base, to);
  sh.set(highs);
  sh.set(highs, off);
  sl.set(lows);
  sl.set(lows, off);
  // Block by block in parallel (offset r inside every block, then r + 1), so no step waits for the previous one.
  for (let r = 1, end = off + len; r < period; r++) {
    for (let j = off + r; j < end; j += period) {
      sh[j] = sh[j - 1 + +(sh[j]! >= sh[j - 1]!)]!;
      sl[j] = sl[j - 1 + +(sl[j]! <= sl[j - 1]!)]!;
    }
  }
  for (let r = period - 2; r >= 0; r--) {
    for (let j = r, last = len - period + r; j <= last; j += period) {
      sh[j] = sh[j + 1 - +(sh[j]! > sh[j + 1]!)]!;
      sl[j] = sl[j + 1 - +(sl[j]! < sl[j + 1]!)]!;
    }
  }
  return true;
}

/**
 * Highest high and lowest low of each window of `period` bars ending at i (the bar included), written to
 * highestOut[i] and lowestOut[i] for i ≥ period−1; earlier slots are left untouched. Of equal extremes the latest
 * bar's is kept (it matters only for −0 and +0). Inputs with NaN take `RollingExtremesStream`, TA-Lib's scan.
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
  if (n < period) return;
  const scratch = extremesScratch(period, n);
  const { high: sh, low: sl, span } = scratch;
  for (let from = period - 1; from < n; from += EXTREMES_CHUNK) {
    const to = Math.min(n, from + EXTREMES_CHUNK);
    if (!extremesChunk(high, low, period, from, to, scratch)) {
      // TA-Lib's scan defines the result with NaN: a NaN is skipped, except that a rescan starting at one yields NaN.
      const stream = new RollingExtremesStream(period);
      for (let i = 0; i < n; i++) {
        if (!stream.update(high[i]!, low[i]!)) continue;
        highestOut[i] = stream.highest;
        lowestOut[i] = stream.lowest;
      }
      return;
    }
    for (let i = from, r = 0; i < to; i++, r++) {
      highestOut[i] = sh[r + span * +(sh[r + span]! >= sh[r]!)]!;
      lowestOut[i] = sl[r + span * +(sl[r + span]! <= sl[r]!)]!;
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
