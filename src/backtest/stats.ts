import type { CandleColumns } from '../market/types.js';
import { calendarOf, ceilDuration, meanDuration } from './calendar.js';
import { drawdownStats } from './drawdown.js';
import { tradeStats, type TradeStats } from './trade-stats.js';
import type { Simulation } from './types.js';

/** backtesting.py 0.6.6's statistics (same definitions, camelCase names; `…Pct` in percent), plus fees and turnover. */
export interface BacktestStats extends TradeStats {
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  readonly exposureTimePct: number;
  readonly equityFinal: number;
  readonly equityPeak: number;
  /** Commissions of the closed trades (bt.py `Commissions [$]`). */
  readonly commissions: number;
  readonly returnPct: number;
  readonly buyHoldReturnPct: number;
  readonly returnAnnPct: number;
  readonly volatilityAnnPct: number;
  readonly cagrPct: number;
  readonly sharpeRatio: number;
  readonly sortinoRatio: number;
  readonly calmarRatio: number;
  readonly alphaPct: number;
  readonly beta: number;
  readonly maxDrawdownPct: number;
  readonly avgDrawdownPct: number;
  readonly maxDrawdownDurationMs: number;
  readonly avgDrawdownDurationMs: number;
  /** Every commission charged, including an open trade's entry commission. */
  readonly feesPaid: number;
  /** Spread paid on entries. */
  readonly spreadPaid: number;
  /** Notional traded, entries plus exits. */
  readonly turnover: number;
}

/** Knobs of {@link computeStats}. */
export interface StatsOptions {
  /** Receives the drawdown curve (1 − equity / running peak), length n. */
  readonly drawdownOut?: Float64Array;
  /** Compute Beta and Alpha (a logarithm per bar). Default true; the optimizer turns it off. */
  readonly beta?: boolean;
}

/** Computes the statistics of a simulation as backtesting.py's `compute_stats` does (risk-free rate 0). */
export function computeStats(candles: CandleColumns, sim: Simulation, options: StatsOptions = {}): BacktestStats {
  const { drawdownOut } = options;
  const { timeMs, close } = candles;
  const equity = sim.equity;
  const n = equity.length;
  const cal = calendarOf(timeMs);
  const dd = drawdownStats(equity, timeMs, drawdownOut);
  const trades = sim.trades;
  const startMs = timeMs[0]!;
  const endMs = timeMs[n - 1]!;
  const durationMs = endMs - startMs;
  const eq0 = equity[0]!;
  const eqEnd = equity[n - 1]!;
  const returnPct = ((eqEnd - eq0) / eq0) * 100;
  const w = sim.warmupBars;
  const buyHoldReturnPct = ((close[n - 1]! - close[w]!) / close[w]!) * 100;

  const annual = annualised(equity, cal.periodEnds, cal.annualPeriods);
  const days = Math.floor(durationMs / 86_400_000);
  const seconds = Math.floor((durationMs - days * 86_400_000) / 1000);
  const years = (days + seconds / 86_400) / 365.25;
  const maxDd = dd.maxDrawdown;
  const beta = options.beta === false ? NaN : betaOf(equity, close);
  let commissions = 0;
  for (let k = 0; k < trades.count; k++) commissions += trades.commission[k]!;
  return {
    startMs, endMs, durationMs,
    exposureTimePct: (exposedBars(trades.entryBar, trades.exitBar, trades.count) / n) * 100,
    equityFinal: eqEnd,
    equityPeak: dd.peak,
    commissions,
    returnPct,
    buyHoldReturnPct,
    returnAnnPct: annual.returnAnn * 100,
    volatilityAnnPct: annual.volatilityAnn * 100,
    cagrPct: years ? ((eqEnd / eq0) ** (1 / years) - 1) * 100 : NaN,
    sharpeRatio: (annual.returnAnn * 100) / (annual.volatilityAnn * 100 || NaN),
    sortinoRatio: annual.returnAnn / annual.downsideDeviation,
    calmarRatio: annual.returnAnn / (maxDd || NaN),
    alphaPct: returnPct - beta * buyHoldReturnPct,
    beta,
    maxDrawdownPct: -maxDd * 100,
    avgDrawdownPct: -dd.avgPeak * 100,
    maxDrawdownDurationMs: ceilDuration(dd.maxDurationMs, cal.resolutionMs),
    avgDrawdownDurationMs: ceilDuration(meanDuration(dd.sumDurationMs, dd.count), cal.resolutionMs),
    ...tradeStats(trades, cal.resolutionMs),
    feesPaid: sim.feesPaid,
    spreadPaid: sim.spreadPaid,
    turnover: sim.turnover,
  };
}

/** Bars covered by some closed trade's [entry, exit] (bt.py counts them in bar time, warm-up included). */
function exposedBars(entryBar: Int32Array, exitBar: Int32Array, count: number): number {
  let covered = 0;
  let coveredTo = -1;
  for (let k = 0; k < count; k++) {
    const from = Math.max(entryBar[k]!, coveredTo + 1);
    const to = exitBar[k]!;
    if (to >= from) covered += to - from + 1;
    if (to > coveredTo) coveredTo = to;
  }
  return covered;
}

interface Annualised { returnAnn: number; volatilityAnn: number; downsideDeviation: number }

/** Compounded annual return and risk from the equity resampled to periods (bt.py: geometric mean, compounded variance). */
function annualised(equity: Float64Array, ends: Int32Array, periods: number): Annualised {
  let count = 0;
  let sum = 0;
  let logSum = 0;
  let nonPositive = false;
  let downSq = 0;
  let prev = equity[ends[0]!]!;
  for (let k = 1; k < ends.length; k++) {
    const v = equity[ends[k]!]!;
    const r = v / prev - 1;
    prev = v;
    if (r !== r) continue;
    count++;
    sum += r;
    if (1 + r <= 0) nonPositive = true;
    else logSum += Math.log(1 + r);
    if (r < 0) downSq += r * r;
  }
  const g = nonPositive ? 0 : Math.exp(logSum / (count || NaN)) - 1;
  const mean = sum / count;
  let sq = 0;
  prev = equity[ends[0]!]!;
  for (let k = 1; k < ends.length; k++) {
    const v = equity[ends[k]!]!;
    const r = v / prev - 1;
    prev = v;
    if (r === r) sq += (r - mean) * (r - mean);
  }
  const variance = count > 1 ? sq / (count - 1) : NaN;
  return {
    returnAnn: (1 + g) ** periods - 1,
    volatilityAnn: Math.sqrt((variance + (1 + g) ** 2) ** periods - (1 + g) ** (2 * periods)),
    downsideDeviation: Math.sqrt(downSq / count) * Math.sqrt(periods),
  };
}

interface MarketReturns { centered: Float64Array; centeredSum: number; centeredSq: number }

const marketCache = new WeakMap<Float64Array, MarketReturns>();

function marketReturns(close: Float64Array): MarketReturns {
  let m = marketCache.get(close);
  if (m) return m;
  const len = close.length - 1;
  const centered = new Float64Array(Math.max(0, len));
  let sum = 0;
  for (let i = 0; i < len; i++) sum += (centered[i] = Math.log(close[i + 1]! / close[i]!));
  const mean = sum / len;
  let centeredSum = 0;
  let centeredSq = 0;
  for (let i = 0; i < len; i++) {
    const y = (centered[i] = centered[i]! - mean);
    centeredSum += y;
    centeredSq += y * y;
  }
  m = { centered, centeredSum, centeredSq };
  marketCache.set(close, m);
  return m;
}

/** cov(log equity returns, log close returns) / var(log close returns), per bar. */
function betaOf(equity: Float64Array, close: Float64Array): number {
  const len = equity.length - 1;
  if (len < 2) return NaN;
  const m = marketReturns(close);
  const y = m.centered;
  let sumX = 0;
  let sumXY = 0;
  let prev = equity[0]!;
  for (let i = 0; i < len; i++) {
    const next = equity[i + 1]!;
    if (next !== prev) {
      const x = logRatio(next / prev);
      sumX += x;
      sumXY += x * y[i]!;
    }
    prev = next;
  }
  return (sumXY - (sumX / len) * m.centeredSum) / m.centeredSq;
}

/**
 * ln(r) for a bar-to-bar equity ratio: for |r − 1| < 2^-10 (typical of intraday bars) a 7-term log1p series on the
 * exact r − 1, within an ulp of Math.log and twice as fast; Math.log otherwise.
 */
function logRatio(r: number): number {
  const x = r - 1;
  if (x > -0.0009765625 && x < 0.0009765625) {
    return x * (1 + x * (-0.5 + x * (1 / 3 + x * (-0.25 + x * (0.2 + x * (-1 / 6 + x * (1 / 7)))))));
  }
  return Math.log(r);
}
