import type { CandleColumns } from '../market/types.js';
import { simulate } from './engine.js';
import { loadSignal } from './evaluate.js';
import { objectiveScore } from './objective.js';
import { optimize, type OptimizeProgress, type OptimizeRequest } from './optimize.js';
import type { Params } from './param-space.js';
import { computeStats, type BacktestStats } from './stats.js';
import { OptimizerPool, shareCandles } from './worker-pool.js';

/** Rolling windows: `trainBars` in-sample followed by `testBars` out-of-sample, moved by `stepBars` (default testBars). */
export interface WalkForwardWindows {
  readonly trainBars: number;
  readonly testBars: number;
  readonly stepBars?: number;
  /** Keep the training start at bar 0 so the in-sample range grows. Default false. */
  readonly anchored?: boolean;
}

/** Bar ranges [from, to) of one walk-forward window. */
export interface WalkForwardSplit {
  readonly train: { readonly from: number; readonly to: number };
  readonly test: { readonly from: number; readonly to: number };
}

/** A walk-forward run: a search per training range, then the winner on the following test range. */
export interface WalkForwardRequest extends Omit<OptimizeRequest, 'onProgress' | 'heatmapParams'> {
  readonly windows: WalkForwardWindows;
  /** Warn when the mean out-of-sample score falls below this share of the in-sample one. Default 0.5. */
  readonly collapseRatio?: number;
  readonly onProgress?: (progress: OptimizeProgress & { readonly window: number; readonly windows: number }) => void;
}

/** One window's winner with its in-sample and out-of-sample results. */
export interface WalkForwardWindowResult {
  readonly split: WalkForwardSplit;
  readonly params: Params | undefined;
  readonly inSample: { readonly score: number; readonly stats: BacktestStats } | undefined;
  readonly outOfSample: { readonly score: number; readonly stats: BacktestStats } | undefined;
}

/** All windows, the mean scores, their ratio (walk-forward efficiency) and warnings when out-of-sample collapses. */
export interface WalkForwardResult {
  readonly windows: readonly WalkForwardWindowResult[];
  readonly meanInSample: number;
  readonly meanOutOfSample: number;
  readonly efficiency: number;
  readonly warnings: readonly string[];
}

/** The windows over `bars` bars; a last test range shorter than `testBars` is kept if it has at least 2 bars. */
export function walkForwardSplits(bars: number, w: WalkForwardWindows): WalkForwardSplit[] {
  const step = w.stepBars ?? w.testBars;
  for (const [name, v] of [['trainBars', w.trainBars], ['testBars', w.testBars], ['stepBars', step]] as const) {
    if (!Number.isInteger(v) || v < 2) throw new RangeError(`${name} must be a whole number >= 2, got ${v}`);
  }
  const splits: WalkForwardSplit[] = [];
  for (let k = 0; ; k++) {
    const trainTo = w.trainBars + k * step;
    const testTo = Math.min(bars, trainTo + w.testBars);
    if (testTo - trainTo < 2) break;
    splits.push({ train: { from: w.anchored ? 0 : trainTo - w.trainBars, to: trainTo }, test: { from: trainTo, to: testTo } });
  }
  return splits;
}

/**
 * Walk-forward validation: optimises on each training range, then runs the winner on the test range that follows.
 * The test run's signal sees candles from the training start to the test end (warm indicators, nothing later);
 * it trades from the test range's second bar on a fresh account, so its statistics cover the test range only.
 */
export async function walkForward(req: WalkForwardRequest): Promise<WalkForwardResult> {
  const candles = shareCandles(req.candles);
  const splits = walkForwardSplits(candles.close.length, req.windows);
  const objective = req.objective ?? 'sqn';
  const signal = await loadSignal(req.signal.module, req.signal.export);
  const pool = req.pool ?? (req.workers === 0 ? undefined : new OptimizerPool(req.workers));
  const windows: WalkForwardWindowResult[] = [];
  try {
    for (const [k, split] of splits.entries()) {
      const search = await optimize({
        ...req, objective, candles: slice(candles, split.train.from, split.train.to), pool,
        onProgress: (p) => req.onProgress?.({ ...p, window: k, windows: splits.length }),
      });
      const best = search.best && search.best.score > -Infinity ? search.best : undefined;
      if (!best) {
        windows.push({ split, params: undefined, inSample: undefined, outOfSample: undefined });
        continue;
      }
      const seen = slice(candles, split.train.from, split.test.to);
      const offset = split.test.from - split.train.from;
      const targets = signal(seen, best.params).targets.subarray(offset);
      const test = slice(candles, split.test.from, split.test.to);
      const stats = computeStats(test, simulate(test, targets, { ...req.backtest, warmupBars: 0 }));
      windows.push({ split, params: best.params, inSample: { score: best.score, stats: best.stats }, outOfSample: { score: objectiveScore(stats, objective), stats } });
    }
  } finally {
    if (pool && !req.pool) await pool.close();
  }
  return summarise(windows, objective, req.collapseRatio ?? 0.5);
}

function summarise(windows: WalkForwardWindowResult[], objective: string, collapseRatio: number): WalkForwardResult {
  const warnings: string[] = [];
  const scored = windows.filter((w) => w.inSample && w.outOfSample);
  // Equity Final is always positive, so compare returns for it.
  const value = (r: { score: number; stats: BacktestStats }): number => (objective === 'equityFinal' ? r.stats.returnPct : r.score);
  const mean = (xs: number[]): number => xs.filter((x) => Number.isFinite(x)).reduce((a, x, _i, all) => a + x / all.length, 0);
  const meanInSample = mean(scored.map((w) => value(w.inSample!)));
  const meanOutOfSample = mean(scored.map((w) => value(w.outOfSample!)));
  const efficiency = meanInSample > 0 ? meanOutOfSample / meanInSample : NaN;
  for (const [k, w] of windows.entries()) {
    if (!w.inSample || !w.outOfSample) warnings.push(`window ${k + 1}: no parameters scored in-sample`);
    else if (value(w.inSample) > 0 && !(value(w.outOfSample) > 0)) {
      warnings.push(`window ${k + 1}: out-of-sample ${objective} ${fmt(value(w.outOfSample))} vs in-sample ${fmt(value(w.inSample))}`);
    }
  }
  if (scored.length && !(efficiency >= collapseRatio)) {
    warnings.push(`out-of-sample collapses: mean ${objective} ${fmt(meanOutOfSample)} vs ${fmt(meanInSample)} in-sample (efficiency ${fmt(efficiency)} < ${collapseRatio})`);
  }
  return { windows, meanInSample, meanOutOfSample, efficiency, warnings };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : String(v);
}

function slice(c: CandleColumns, from: number, to: number): CandleColumns {
  return { timeMs: c.timeMs.subarray(from, to), open: c.open.subarray(from, to), high: c.high.subarray(from, to),
    low: c.low.subarray(from, to), close: c.close.subarray(from, to), volume: c.volume.subarray(from, to) };
}
