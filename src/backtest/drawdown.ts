/** Aggregates of the drawdown curve, as backtesting.py's `compute_drawdown_duration_peaks` sees them. */
export interface DrawdownSummary {
  /** Highest equity. */
  readonly peak: number;
  /** Deepest drawdown as a fraction (bt.py `dd.max()`). */
  readonly maxDrawdown: number;
  /** Number of drawdown periods. */
  readonly count: number;
  /** Mean of the periods' deepest drawdowns, a fraction. */
  readonly avgPeak: number;
  readonly maxDurationMs: number;
  readonly sumDurationMs: number;
}

/**
 * Calls `visit` for each drawdown period: a run between two successive bars with drawdown 0 (or the last bar)
 * that spans more than one bar step; the duration is measured in index time and the peak is the deepest drawdown.
 */
export function forEachDrawdownPeriod(
  dd: Float64Array,
  timeMs: Float64Array,
  visit: (endBar: number, durationMs: number, peak: number) => void,
): void {
  const n = dd.length;
  let lastZero = -1;
  let deepest = 0;
  for (let i = 0; i < n; i++) {
    const d = dd[i]!;
    if (d > deepest) deepest = d;
    if (d === 0 || i === n - 1) {
      if (lastZero >= 0 && i > lastZero + 1) visit(i, timeMs[i]! - timeMs[lastZero]!, deepest);
      lastZero = i;
      deepest = d;
    }
  }
}

/**
 * Summarises drawdown depth and duration (the period rule of {@link forEachDrawdownPeriod}); writes the curve
 * `1 − equity / running peak` into `out` when given. The peak is constant inside a period, so its deepest drawdown is
 * `1 − min equity / peak`, the maximum of the per-bar curve without a division per bar.
 */
export function drawdownStats(equity: Float64Array, timeMs: Float64Array, out?: Float64Array): DrawdownSummary {
  const n = equity.length;
  if (out) drawdownCurve(equity, out);
  const acc: PeriodTotals = { maxDrawdown: 0, count: 0, peakSum: 0, maxDurationMs: NaN, sumDurationMs: 0 };
  let peak = -Infinity;
  let low = Infinity;
  let lastZero = -1;
  let i = 0;
  while (i < n) {
    const e = equity[i]!;
    if (e >= peak) {
      closePeriod(acc, timeMs, lastZero, i, peak, low);
      peak = e;
      lastZero = i;
      low = Infinity;
      i++;
      continue;
    }
    // Inside a drawdown: four independent minima, since a data-dependent min branch mispredicts on falling curves.
    let l0 = Math.min(low, e);
    let l1 = Infinity;
    let l2 = Infinity;
    let l3 = Infinity;
    let j = i + 1;
    for (; j + 3 < n; j += 4) {
      const a = equity[j]!;
      const b = equity[j + 1]!;
      const c = equity[j + 2]!;
      const d = equity[j + 3]!;
      if (a >= peak || b >= peak || c >= peak || d >= peak) break;
      l0 = Math.min(l0, a);
      l1 = Math.min(l1, b);
      l2 = Math.min(l2, c);
      l3 = Math.min(l3, d);
    }
    low = Math.min(Math.min(l0, l1), Math.min(l2, l3));
    i = j;
  }
  if (lastZero < n - 1) closePeriod(acc, timeMs, lastZero, n - 1, peak, low);
  const { maxDrawdown, count, peakSum, maxDurationMs, sumDurationMs } = acc;
  return { peak, maxDrawdown, count, avgPeak: count ? peakSum / count : nonZeroMean(equity), maxDurationMs, sumDurationMs };
}

interface PeriodTotals { maxDrawdown: number; count: number; peakSum: number; maxDurationMs: number; sumDurationMs: number }

/** Books the run from `from` (a peak) to `to` whose lowest equity in between was `low`. */
function closePeriod(acc: PeriodTotals, timeMs: Float64Array, from: number, to: number, peak: number, low: number): void {
  if (!(low < peak)) return;
  const deepest = 1 - low / peak;
  if (deepest > acc.maxDrawdown) acc.maxDrawdown = deepest;
  if (to <= from + 1) return;
  const durationMs = timeMs[to]! - timeMs[from]!;
  acc.count++;
  acc.peakSum += deepest;
  acc.sumDurationMs += durationMs;
  if (!(durationMs <= acc.maxDurationMs)) acc.maxDurationMs = durationMs;
}

function drawdownCurve(equity: Float64Array, out: Float64Array): void {
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    out[i] = 1 - e / peak;
  }
}

/** bt.py's fallback when no period spans two bars: the mean of the non-zero drawdowns. */
function nonZeroMean(equity: Float64Array): number {
  let peak = -Infinity;
  let count = 0;
  let sum = 0;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    const d = 1 - e / peak;
    if (d !== 0) { count++; sum += d; }
  }
  return count ? sum / count : NaN;
}
