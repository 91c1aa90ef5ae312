import type { CandleColumns } from '../market/types.js';
import { simulate } from './engine.js';
import { objectiveScore, type Objective } from './objective.js';
import type { Params } from './param-space.js';
import { createSignalContext, warmupOf, type SignalFunction } from './signal.js';
import { computeStats, type BacktestStats } from './stats.js';
import { TradeBuffer } from './trades.js';
import type { BacktestOptions } from './types.js';

/** One evaluated combination: its position in the search, parameters, objective score and statistics. */
export interface EvaluatedParams {
  readonly index: number;
  readonly params: Params;
  /** The objective's value; -Infinity when it is NaN. */
  readonly score: number;
  /** Statistics without Beta and Alpha (NaN), which the optimizer skips for speed. */
  readonly stats: BacktestStats;
}

/** Evaluates combinations on one candle set, sharing memoised indicators and reusing equity/drawdown buffers. */
export function createEvaluator(
  candles: CandleColumns,
  signal: SignalFunction<Params>,
  options: BacktestOptions,
  objective: Objective,
): (index: number, params: Params) => EvaluatedParams {
  const ctx = createSignalContext();
  const buffers = { equity: new Float64Array(candles.close.length), trades: new TradeBuffer() };
  return (index, params) => {
    const output = signal(candles, params, ctx);
    const sim = simulate(candles, output.targets, { ...options, warmupBars: options.warmupBars ?? warmupOf(output) }, buffers);
    const stats = computeStats(candles, sim, { beta: false });
    return { index, params, score: objectiveScore(stats, objective), stats };
  };
}

/** Loads a signal function named `exportName` from a module URL or path. */
export async function loadSignal(module: string, exportName: string): Promise<SignalFunction<Params>> {
  const loaded = (await import(module)) as Record<string, unknown>;
  const fn = loaded[exportName];
  if (typeof fn !== 'function') throw new TypeError(`${module} has no function export "${exportName}"`);
  return fn as SignalFunction<Params>;
}
