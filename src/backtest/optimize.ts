import type { CandleColumns } from '../market/types.js';
import { createEvaluator, loadSignal, type EvaluatedParams } from './evaluate.js';
import type { Objective } from './objective.js';
import { gridCombinations, paramValues, randomCombinations, type Constraint, type ParamSpace, type Params } from './param-space.js';
import type { SignalModuleRef } from './signal.js';
import type { BacktestOptions } from './types.js';
import { OptimizerPool, shareCandles } from './worker-pool.js';

/** How to walk the space: every combination, or `samples` distinct combinations drawn with `seed`. */
export type SearchMethod = { readonly kind: 'grid' } | { readonly kind: 'random'; readonly samples: number; readonly seed: number };

/** Progress of a search: combinations evaluated so far out of the total. */
export interface OptimizeProgress {
  readonly done: number;
  readonly total: number;
}

/** A parameter search over one candle set. */
export interface OptimizeRequest {
  readonly candles: CandleColumns;
  /** The signal function, as a module URL and export name, so that workers can load it. */
  readonly signal: SignalModuleRef;
  readonly space: ParamSpace;
  readonly constraint?: Constraint;
  /** Default grid. */
  readonly search?: SearchMethod;
  /** Default 'sqn' (backtesting.py's default `maximize`). */
  readonly objective?: Objective;
  /** Backtest settings shared by all combinations; they must be structured-cloneable (no commission function) with workers. */
  readonly backtest?: BacktestOptions;
  /** Worker threads; 0 evaluates on this thread. Default: the pool's size, else available parallelism. */
  readonly workers?: number;
  /** A pool to reuse; otherwise one is created and closed. */
  readonly pool?: OptimizerPool;
  /** The two parameters of the heatmap (best score over the others). Default: the two of a two-parameter space. */
  readonly heatmapParams?: readonly [x: string, y: string];
  readonly onProgress?: (progress: OptimizeProgress) => void;
  readonly abortSignal?: AbortSignal;
}

/** Evaluated combinations ranked by objective (ties: search order), with a heatmap when the space has two parameters. */
export interface OptimizeResult {
  readonly objective: Objective;
  readonly ranked: readonly EvaluatedParams[];
  readonly best: EvaluatedParams | undefined;
  readonly heatmap: Heatmap | undefined;
}

/** The best score for each pair of values of two parameters: `scores[yIndex * x.values.length + xIndex]`, NaN where none. */
export interface Heatmap {
  readonly x: { readonly name: string; readonly values: readonly number[] };
  readonly y: { readonly name: string; readonly values: readonly number[] };
  readonly scores: Float64Array;
}

/** Searches a parameter space, in parallel on worker threads; deterministic for a given seed and any worker count. */
export async function optimize(req: OptimizeRequest): Promise<OptimizeResult> {
  const objective = req.objective ?? 'sqn';
  const search = req.search ?? { kind: 'grid' };
  const combos = search.kind === 'grid'
    ? gridCombinations(req.space, req.constraint)
    : randomCombinations(req.space, search.samples, search.seed, req.constraint);
  const rows: EvaluatedParams[] = [];
  const total = combos.length;
  const collect = (batch: EvaluatedParams[]): void => {
    rows.push(...batch);
    req.onProgress?.({ done: rows.length, total });
  };
  const options = req.backtest ?? {};
  const workers = req.workers ?? req.pool?.size;
  if (workers === 0) await evaluateHere(req.candles, req.signal, options, objective, combos, collect, req.abortSignal);
  else await evaluateInPool(req, workers, options, objective, combos, collect);
  const ranked = rows.sort((a, b) => b.score - a.score || a.index - b.index);
  const names = Object.keys(req.space);
  const axes = req.heatmapParams ?? (names.length === 2 ? [names[0]!, names[1]!] as const : undefined);
  const heatmap = axes ? buildHeatmap(req.space, axes[0], axes[1], ranked) : undefined;
  return { objective, ranked, best: ranked[0], heatmap };
}

async function evaluateInPool(
  req: OptimizeRequest, workers: number | undefined, options: BacktestOptions, objective: Objective,
  combos: Params[], collect: (rows: EvaluatedParams[]) => void,
): Promise<void> {
  if (typeof options.commission === 'function') throw new RangeError('a commission function cannot be sent to workers; use workers: 0');
  const pool = req.pool ?? new OptimizerPool(workers);
  try {
    const job = { candles: shareCandles(req.candles), signal: req.signal, options, objective };
    await pool.run(job, combos.map((p, i) => [i, p] as const), collect, req.abortSignal);
  } finally {
    if (!req.pool) await pool.close();
  }
}

async function evaluateHere(
  candles: CandleColumns, signal: SignalModuleRef, options: BacktestOptions, objective: Objective,
  combos: Params[], collect: (rows: EvaluatedParams[]) => void, abort?: AbortSignal,
): Promise<void> {
  const evaluate = createEvaluator(candles, await loadSignal(signal.module, signal.export), options, objective);
  const batch = Math.max(1, Math.min(64, Math.ceil(combos.length / 16)));
  for (let i = 0; i < combos.length; i += batch) {
    abort?.throwIfAborted();
    collect(combos.slice(i, i + batch).map((p, k) => evaluate(i + k, p)));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  abort?.throwIfAborted();
}

function buildHeatmap(space: ParamSpace, xName: string, yName: string, rows: readonly EvaluatedParams[]): Heatmap {
  if (!space[xName] || !space[yName]) throw new RangeError(`heatmap parameters ${xName}, ${yName} are not in the space`);
  const xs = paramValues(space[xName]!);
  const ys = paramValues(space[yName]!);
  const scores = new Float64Array(xs.length * ys.length).fill(NaN);
  for (const row of rows) {
    const cell = ys.indexOf(row.params[yName]!) * xs.length + xs.indexOf(row.params[xName]!);
    if (row.score > -Infinity && !(scores[cell]! >= row.score)) scores[cell] = row.score;
  }
  return { x: { name: xName, values: xs }, y: { name: yName, values: ys }, scores };
}
