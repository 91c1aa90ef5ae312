import { Decimal } from './decimal.js';
import type { QuoteSource } from './ports.js';
import type { TradingRepository } from './repository.js';
import type { RiskSnapshot } from './risk-rules.js';
import type { Balance, DailySnapshot, Position, TradingMode } from './types.js';

/** A position valued at its mark (the bid, else the last price); without a quote it is valued at cost. */
export interface MarkedPosition extends Position {
  readonly mark: Decimal | undefined;
  /** Where the mark came from and when (`binance @ 1767614400000`), or why there is none. */
  readonly markNote: string;
  readonly notional: Decimal;
  readonly unrealizedPnl: Decimal;
}

/** One mode's account valued now, in its quote asset (positions quoted in other assets are not counted). */
export interface Portfolio {
  readonly mode: TradingMode;
  readonly quoteAsset: string;
  readonly atMs: number;
  readonly cash: Decimal;
  readonly equity: Decimal;
  /** Money put in minus money taken out; equity − netDeposits = realized + unrealized P&L. */
  readonly netDeposits: Decimal;
  readonly realizedPnl: Decimal;
  readonly unrealizedPnl: Decimal;
  readonly feesPaid: Decimal;
  readonly positions: readonly MarkedPosition[];
  readonly balances: readonly Balance[];
}

/** The UTC day of a time, `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

async function mark(quotes: QuoteSource, p: Position): Promise<MarkedPosition> {
  try {
    const q = await quotes.getQuote(p.symbol);
    const price = q.bid ?? q.last;
    if (!Number.isFinite(price) || price <= 0) throw new Error(`no usable price from ${q.provenance.source}`);
    const value = p.amount.times(Decimal.from(price));
    return { ...p, mark: Decimal.from(price), markNote: `${q.provenance.source} @ ${q.provenance.sourceTimeMs}`, notional: value, unrealizedPnl: value.minus(p.cost) };
  } catch (error) {
    return { ...p, mark: undefined, markNote: `valued at cost: ${(error as Error).message}`, notional: p.cost, unrealizedPnl: Decimal.ZERO };
  }
}

/** Values a mode's account now: balances and positions from the ledger, marks from the quote source. */
export async function loadPortfolio(repo: TradingRepository, quotes: QuoteSource, mode: TradingMode, quoteAsset: string, nowMs: number): Promise<Portfolio> {
  const [balances, all] = await Promise.all([repo.listBalances(mode), repo.listPositions(mode)]);
  const mine = all.filter((p) => p.quote === quoteAsset);
  const positions = await Promise.all(mine.filter((p) => p.amount.isPositive()).map((p) => mark(quotes, p)));
  const cash = balances.find((b) => b.asset === quoteAsset)?.amount ?? Decimal.ZERO;
  const realizedPnl = Decimal.sum(mine.map((p) => p.realizedPnl));
  const cost = Decimal.sum(mine.map((p) => p.cost));
  return {
    mode, quoteAsset, atMs: nowMs, cash, balances, positions, realizedPnl,
    equity: cash.plus(Decimal.sum(positions.map((p) => p.notional))),
    netDeposits: cash.plus(cost).minus(realizedPnl),
    unrealizedPnl: Decimal.sum(positions.map((p) => p.unrealizedPnl)),
    feesPaid: Decimal.sum(mine.map((p) => p.feesPaid)),
  };
}

/**
 * The risk snapshot of a portfolio. `stats` counts losses from `sinceMs` (the last breaker reset). The drawdown
 * peak is the highest of the current equity, `runningPeak` (seen by this process), the daily snapshots since
 * `sinceMs` and, when never reset, the net deposits.
 */
export async function riskSnapshot(
  repo: TradingRepository,
  portfolio: Portfolio,
  stats: Pick<RiskSnapshot, 'realizedPnlToday' | 'closedTrades'>,
  sinceMs: number,
  runningPeak: Decimal | undefined,
): Promise<RiskSnapshot> {
  let peak = Decimal.max(portfolio.equity, runningPeak ?? portfolio.equity);
  for (const s of await repo.listDailySnapshots(portfolio.mode, utcDay(sinceMs))) if (s.atMs >= sinceMs) peak = Decimal.max(peak, s.equity);
  if (sinceMs === 0) peak = Decimal.max(peak, portfolio.netDeposits);
  return {
    ...stats,
    mode: portfolio.mode,
    equity: portfolio.equity,
    peakEquity: peak,
    positions: portfolio.positions.map((p) => ({ symbol: p.symbol, amount: p.amount, notional: p.notional })),
  };
}

/** The closing snapshot of a day for a portfolio. */
export function dailySnapshotOf(portfolio: Portfolio, day: string): DailySnapshot {
  return {
    mode: portfolio.mode, day, atMs: portfolio.atMs, equity: portfolio.equity, cash: portfolio.cash,
    realizedPnl: portfolio.realizedPnl, unrealizedPnl: portfolio.unrealizedPnl, netDeposits: portfolio.netDeposits,
    openPositions: portfolio.positions.length,
  };
}
