import type { BacktestStats } from './stats.js';

/** The statistics an optimizer can maximise. */
export const OBJECTIVES = ['sharpeRatio', 'returnPct', 'equityFinal', 'calmarRatio', 'profitFactor', 'sqn', 'sortinoRatio'] as const;

/** One of {@link OBJECTIVES}. */
export type Objective = (typeof OBJECTIVES)[number];

/** The value to maximise; NaN (no trades, zero volatility …) ranks last. */
export function objectiveScore(stats: BacktestStats, objective: Objective): number {
  const value = stats[objective];
  return value === value ? value : -Infinity;
}
