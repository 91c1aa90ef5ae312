import type { CandleColumns } from '../market/types.js';
import { simulate } from './engine.js';
import { warmupOf, type SignalOutput } from './signal.js';
import { computeStats, type BacktestStats } from './stats.js';
import type { BacktestOptions, Simulation } from './types.js';

/** A simulation with its statistics and drawdown curve (1 − equity / running peak, per bar). */
export interface BacktestResult extends Simulation {
  readonly stats: BacktestStats;
  readonly drawdown: Float64Array;
}

/** Runs one backtest of a target-position series and computes its statistics. */
export function runBacktest(candles: CandleColumns, targets: Int8Array, options: BacktestOptions = {}): BacktestResult {
  const sim = simulate(candles, targets, options);
  const drawdown = new Float64Array(sim.equity.length);
  return { ...sim, stats: computeStats(candles, sim, { drawdownOut: drawdown }), drawdown };
}

/**
 * Backtests a strategy's output (`{ targets, indicators }`), taking the warm-up from it as backtesting.py does
 * unless `options.warmupBars` is set.
 */
export function backtestSignal(candles: CandleColumns, output: SignalOutput, options: BacktestOptions = {}): BacktestResult {
  return runBacktest(candles, output.targets, { ...options, warmupBars: options.warmupBars ?? warmupOf(output) });
}
