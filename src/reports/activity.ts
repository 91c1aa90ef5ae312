import { formatDecimal, formatMoney } from '../chat/trading-replies.js';
import { Decimal } from '../trading/decimal.js';
import type { RecordedFill } from '../trading/types.js';

/** What the fills of an account say: realized P&L, fees, closing trades and wins, in the quote asset. */
export interface FillSummary {
  readonly fills: number;
  readonly realizedPnl: Decimal;
  readonly fees: Decimal;
  readonly closingTrades: number;
  readonly wins: number;
}

/** Sums fills quoted in `quoteAsset`; a closing trade is one sell order (all its fills), a win when it realized a profit. */
export function summarizeFills(fills: readonly RecordedFill[], quoteAsset: string): FillSummary {
  const mine = fills.filter((f) => f.quote === quoteAsset);
  const byOrder = new Map<string, Decimal>();
  for (const f of mine) if (f.side === 'sell') byOrder.set(f.clientOrderId, (byOrder.get(f.clientOrderId) ?? Decimal.ZERO).plus(f.realizedPnl));
  return {
    fills: mine.length,
    realizedPnl: Decimal.sum(byOrder.values()),
    fees: Decimal.sum(mine.filter((f) => f.feeAsset === quoteAsset).map((f) => f.feeAmount)),
    closingTrades: byOrder.size,
    wins: [...byOrder.values()].filter((v) => v.isPositive()).length,
  };
}

/** A win rate for people: `60.0% (3 of 5 closing trades)`, or that there were none. */
export function describeWinRate(s: Pick<FillSummary, 'closingTrades' | 'wins'>): string {
  return s.closingTrades ? `${((s.wins / s.closingTrades) * 100).toFixed(1)}% (${s.wins} of ${s.closingTrades} closing trades)` : 'no closing trades';
}

/**
 * When the open amount of a position was opened: walking back from the newest fill of its symbol until the
 * position was flat. Undefined when the fills do not reach back that far (e.g. the asset was deposited).
 */
export function openedAtMs(amount: Decimal, fillsNewestFirst: readonly RecordedFill[]): number | undefined {
  let held = amount;
  for (const f of fillsNewestFirst) {
    held = f.side === 'buy' ? held.minus(f.amount) : held.plus(f.amount);
    if (!held.isPositive()) return f.atMs;
  }
  return undefined;
}

/** One fill as a report line: time, side, amount, price, fee and, for a sell, the P&L it realized. */
export function describeFill(f: RecordedFill): string {
  const time = new Date(f.atMs).toISOString().slice(11, 16);
  const realized = f.side === 'sell' ? `, realized ${formatMoney(f.realizedPnl, true)} ${f.quote}` : '';
  return `${time} UTC ${f.side} ${formatDecimal(f.amount)} ${f.symbol} at ${formatDecimal(f.price)}, fee ${formatDecimal(f.feeAmount)} ${f.feeAsset}${realized}`;
}
