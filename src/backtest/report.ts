import { formatTimedelta, formatTimestamp } from './calendar.js';
import type { BacktestStats } from './stats.js';

/** Statistics keyed and formatted like backtesting.py's stats Series (timestamps and Timedeltas as pandas strings). */
export type BacktestingPyStats = Record<string, number | string>;

/** Labels of {@link BacktestStats} fields in backtesting.py's order; `durations` are printed as Timedeltas. */
const LABELS: ReadonlyArray<readonly [keyof BacktestStats, string]> = [
  ['exposureTimePct', 'Exposure Time [%]'],
  ['equityFinal', 'Equity Final [$]'],
  ['equityPeak', 'Equity Peak [$]'],
  ['commissions', 'Commissions [$]'],
  ['returnPct', 'Return [%]'],
  ['buyHoldReturnPct', 'Buy & Hold Return [%]'],
  ['returnAnnPct', 'Return (Ann.) [%]'],
  ['volatilityAnnPct', 'Volatility (Ann.) [%]'],
  ['cagrPct', 'CAGR [%]'],
  ['sharpeRatio', 'Sharpe Ratio'],
  ['sortinoRatio', 'Sortino Ratio'],
  ['calmarRatio', 'Calmar Ratio'],
  ['alphaPct', 'Alpha [%]'],
  ['beta', 'Beta'],
  ['maxDrawdownPct', 'Max. Drawdown [%]'],
  ['avgDrawdownPct', 'Avg. Drawdown [%]'],
  ['maxDrawdownDurationMs', 'Max. Drawdown Duration'],
  ['avgDrawdownDurationMs', 'Avg. Drawdown Duration'],
  ['tradeCount', '# Trades'],
  ['winRatePct', 'Win Rate [%]'],
  ['bestTradePct', 'Best Trade [%]'],
  ['worstTradePct', 'Worst Trade [%]'],
  ['avgTradePct', 'Avg. Trade [%]'],
  ['maxTradeDurationMs', 'Max. Trade Duration'],
  ['avgTradeDurationMs', 'Avg. Trade Duration'],
  ['profitFactor', 'Profit Factor'],
  ['expectancyPct', 'Expectancy [%]'],
  ['sqn', 'SQN'],
  ['kellyCriterion', 'Kelly Criterion'],
];

/**
 * The statistics under backtesting.py's names, in its order, as its JSON dump shows them
 * ("Commissions [$]" only when non-zero, as bt.py does); our extras follow under their own names.
 */
export function toBacktestingPyStats(stats: BacktestStats, extras = false): BacktestingPyStats {
  const out: BacktestingPyStats = {
    Start: formatTimestamp(stats.startMs),
    End: formatTimestamp(stats.endMs),
    Duration: formatTimedelta(stats.durationMs),
  };
  for (const [key, label] of LABELS) {
    const value = stats[key];
    if (key === 'commissions' && !value) continue;
    out[label] = key.endsWith('DurationMs') ? formatTimedelta(value) : value;
  }
  if (extras) {
    out['Fees Paid [$]'] = stats.feesPaid;
    out['Spread Paid [$]'] = stats.spreadPaid;
    out['Turnover [$]'] = stats.turnover;
  }
  return out;
}
