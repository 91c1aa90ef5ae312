import { ceilDuration, meanDuration } from './calendar.js';
import type { TradeColumns } from './types.js';

/** Per-trade statistics with backtesting.py's definitions (returns on ReturnPct, SQN and Kelly on PnL). */
export interface TradeStats {
  readonly tradeCount: number;
  readonly winRatePct: number;
  readonly bestTradePct: number;
  readonly worstTradePct: number;
  /** Geometric mean of the trade returns. */
  readonly avgTradePct: number;
  readonly maxTradeDurationMs: number;
  readonly avgTradeDurationMs: number;
  /** Sum of positive returns over |sum of negative returns| (on returns, not PnL). */
  readonly profitFactor: number;
  /** Arithmetic mean of the trade returns. */
  readonly expectancyPct: number;
  readonly sqn: number;
  readonly kellyCriterion: number;
}

/** Computes {@link TradeStats}; durations are rounded up to `resolutionMs` like bt.py's `_round_timedelta`. */
export function tradeStats(trades: TradeColumns, resolutionMs: number): TradeStats {
  const n = trades.count;
  const { pnl, returnPct: ret, entryTimeMs, exitTimeMs } = trades;
  let wins = 0, winSum = 0, losses = 0, lossSum = 0, pnlSum = 0;
  let posRet = 0, negRet = 0, retSum = 0, logSum = 0, nonPositive = false;
  let best = -Infinity, worst = Infinity, maxDur = -Infinity, durSum = 0;
  for (let k = 0; k < n; k++) {
    const p = pnl[k]!;
    const r = ret[k]!;
    pnlSum += p;
    if (p > 0) { wins++; winSum += p; } else if (p < 0) { losses++; lossSum += p; }
    retSum += r;
    if (r > 0) posRet += r; else if (r < 0) negRet += r;
    if (r > best) best = r;
    if (r < worst) worst = r;
    const g = (r === r ? r : 0) + 1;
    if (g <= 0) nonPositive = true; else logSum += Math.log(g);
    const dur = exitTimeMs[k]! - entryTimeMs[k]!;
    durSum += dur;
    if (dur > maxDur) maxDur = dur;
  }
  const pnlMean = pnlSum / n;
  let sq = 0;
  for (let k = 0; k < n; k++) sq += (pnl[k]! - pnlMean) ** 2;
  const pnlStd = Math.sqrt(sq / (n - 1));
  const winRate = n ? wins / n : NaN;
  return {
    tradeCount: n,
    winRatePct: winRate * 100,
    bestTradePct: n ? best * 100 : NaN,
    worstTradePct: n ? worst * 100 : NaN,
    avgTradePct: (nonPositive ? 0 : Math.exp(logSum / (n || NaN)) - 1) * 100,
    maxTradeDurationMs: n ? ceilDuration(maxDur, resolutionMs) : NaN,
    avgTradeDurationMs: ceilDuration(meanDuration(durSum, n), resolutionMs),
    profitFactor: posRet / (Math.abs(negRet) || NaN),
    expectancyPct: (retSum / n) * 100,
    sqn: (Math.sqrt(n) * pnlMean) / (pnlStd || NaN),
    kellyCriterion: winRate - (1 - winRate) / ((winSum / wins) / -(lossSum / losses)),
  };
}
