import { backtestSignal, type BacktestResult } from '../backtest/backtest.js';
import { toBacktestingPyStats, type BacktestingPyStats } from '../backtest/report.js';
import type { BacktestOptions } from '../backtest/types.js';
import { getStrategy, parseStrategyParams } from '../strategies/registry.js';
import type { JsonValue } from '../store/types.js';
import { CODE_VERSION } from '../version.js';
import { isSynthetic, type CandleSet } from './candle-set.js';
import { newRunId, type RunRecord } from './run-record.js';

/** A backtest request: the strategy, its raw parameters (strings are fine), and engine settings. */
export interface BacktestJob {
  readonly strategy: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Only plain, JSON-storable settings (a commission is a rate or `{ fixed, rate }`). */
  readonly options: BacktestOptions;
  readonly requestedBy: string;
  readonly nowMs: number;
}

/** A finished backtest: the engine's result, backtesting.py-named statistics, and the record that reproduces it. */
export interface BacktestOutcome {
  readonly result: BacktestResult;
  readonly stats: BacktestingPyStats;
  readonly record: RunRecord;
  /** SYNTHETIC when the candles are the demo generator's, never real data. */
  readonly badges: readonly string[];
  /** Things the reader must know to read the figures, e.g. why there were no trades. */
  readonly warnings: readonly string[];
}

/** Why a backtest made no trade, when the engine's settings explain it. */
export function noTradeWarnings(set: CandleSet, options: BacktestOptions, tradeCount: number): string[] {
  if (tradeCount > 0) return [];
  const cash = options.cash ?? 10_000;
  const unit = options.unitSize ?? 1;
  let cheapest = Infinity;
  for (const price of set.candles.open) if (price < cheapest) cheapest = price;
  return cheapest * unit > cash
    ? [`No trades: one unit (${unit}) costs at least ${cheapest * unit}, more than the cash ${cash}. Use fractional units (e.g. 0.00000001) or more cash.`]
    : [];
}

/** Runs one backtest on a candle set and describes it as a reproducible record (not yet stored). */
export function runBacktestJob(set: CandleSet, job: BacktestJob): BacktestOutcome {
  const strategy = getStrategy(job.strategy);
  const params = parseStrategyParams(strategy.name, job.params);
  const output = strategy.compute(set.candles, params);
  const result = backtestSignal(set.candles, output, job.options);
  const stats = toBacktestingPyStats(result.stats, true);
  const pick = (k: string) => (stats[k] === undefined ? null : stats[k]!);
  const record: RunRecord = {
    id: newRunId(),
    kind: 'backtest',
    createdAtMs: job.nowMs,
    requestedBy: job.requestedBy,
    strategy: strategy.name,
    params: { ...params },
    settings: JSON.parse(JSON.stringify(job.options)) as Record<string, JsonValue>,
    data: set.provenance,
    codeVersion: CODE_VERSION,
    summary: { 'Return [%]': pick('Return [%]'), 'Sharpe Ratio': pick('Sharpe Ratio'), '# Trades': pick('# Trades'), 'Equity Final [$]': pick('Equity Final [$]') },
  };
  return { result, stats, record, badges: isSynthetic(set.provenance) ? ['SYNTHETIC'] : [], warnings: noTradeWarnings(set, job.options, result.stats.tradeCount) };
}
