// The backtest engine's public API: simulation, statistics, optimizer and walk-forward validation.
export { runBacktest, backtestSignal, type BacktestResult } from './backtest.js';
export { simulate, type SimulationBuffers } from './engine.js';
export { computeStats, type BacktestStats, type StatsOptions } from './stats.js';
export { toBacktestingPyStats, type BacktestingPyStats } from './report.js';
export { formatTimedelta, formatTimestamp } from './calendar.js';
export { tradeRecords, type TradeRecord } from './trades.js';
export { forEachDrawdownPeriod } from './drawdown.js';
export { detectLookahead, type Lookahead } from './lookahead.js';
export { optimize, type OptimizeRequest, type OptimizeResult, type OptimizeProgress, type SearchMethod, type Heatmap } from './optimize.js';
export { walkForward, walkForwardSplits, type WalkForwardRequest, type WalkForwardResult, type WalkForwardWindows, type WalkForwardSplit } from './walk-forward.js';
export { OptimizerPool } from './worker-pool.js';
export { OBJECTIVES, type Objective } from './objective.js';
export { gridCombinations, randomCombinations, seededRandom, paramValues, type ParamSpace, type ParamSpec, type Params, type Constraint } from './param-space.js';
export { createSignalContext, warmupOf, indicatorWarmupBars, type SignalFunction, type SignalOutput, type SignalContext, type SignalModuleRef } from './signal.js';
export { smaCrossTargets, btpySmaCrossTargets, rollingMean, crossoverTargets, smaCrossings, type SmaCrossParams } from './reference-signals.js';
export { ExitReason, type BacktestOptions, type Commission, type ExitLevel, type Sizing, type Simulation, type TradeColumns, type OpenTrade } from './types.js';
