import { Decimal } from './decimal.js';
import type { Balance, Deposit, Fill, Position, RecordedFill, TradingMode } from './types.js';

/** One ledger entry: a fill or a deposit, in the order the ledger recorded them (`seq`). */
export type LedgerEntry =
  | { readonly kind: 'fill'; readonly seq: number; readonly key: string; readonly fill: RecordedFill }
  | { readonly kind: 'deposit'; readonly seq: number; readonly key: string; readonly deposit: Deposit };

/** Balances and positions of one mode, as folded from its ledger entries up to `throughSeq`. */
export interface LedgerState {
  readonly mode: TradingMode;
  readonly throughSeq: number;
  readonly balances: ReadonlyMap<string, Decimal>;
  readonly positions: ReadonlyMap<string, Position>;
}

/** The unique ledger key of a fill: a fill reported twice is recorded once. */
export function fillKey(clientOrderId: string, fillId: string): string {
  return `fill:${JSON.stringify([clientOrderId, fillId])}`;
}

/** price × amount: the quote value a fill moves, computed once so cash and cost agree to the unit. */
export function fillNotional(fill: Pick<Fill, 'amount' | 'price'>): Decimal {
  return fill.amount.times(fill.price);
}

/** What a fill changes in each asset's balance. */
export function balanceChanges(fill: Fill): Array<{ asset: string; delta: Decimal }> {
  const notional = fillNotional(fill);
  const buy = fill.side === 'buy';
  const changes = [
    { asset: fill.base, delta: buy ? fill.amount : fill.amount.neg() },
    { asset: fill.quote, delta: buy ? notional.neg() : notional },
  ];
  if (!fill.feeAmount.isZero()) changes.push({ asset: fill.feeAsset, delta: fill.feeAmount.neg() });
  return changes;
}

/** An empty position, the starting point of a symbol's first fill. */
export function emptyPosition(fill: Fill): Position {
  const zero = Decimal.ZERO;
  return { mode: fill.mode, symbol: fill.symbol, base: fill.base, quote: fill.quote, amount: zero, cost: zero, realizedPnl: zero, feesPaid: zero, updatedAtMs: fill.atMs };
}

/**
 * Applies a fill to a position. Buying fees in the quote asset join the cost; fees in the base asset shrink
 * what is held; fees in another asset touch only that balance. A sell removes cost pro rata and realizes
 * proceeds − removed cost − selling fee, so cash + Σ cost = deposits + Σ realized, exactly. A sell larger than
 * the position is still recorded (it happened at the broker; dropping it would make the balances lie), its excess
 * realized at no cost, and returned as `oversold`: an anomaly the ledger audit reports (coins from outside the
 * bot, or a missing fill) rather than a silent clamp.
 */
export function applyFill(position: Position | undefined, fill: Fill): { position: Position; realizedPnl: Decimal; oversold: Decimal } {
  const before = position ?? emptyPosition(fill);
  const feeQuote = fill.feeAsset === fill.quote ? fill.feeAmount : Decimal.ZERO;
  const feeBase = fill.feeAsset === fill.base ? fill.feeAmount : Decimal.ZERO;
  const feesPaid = before.feesPaid.plus(feeQuote).plus(feeBase.times(fill.price));
  const notional = fillNotional(fill);
  if (fill.side === 'buy') {
    const after = { ...before, amount: before.amount.plus(fill.amount).minus(feeBase), cost: before.cost.plus(notional).plus(feeQuote), feesPaid, updatedAtMs: fill.atMs };
    return { position: after, realizedPnl: Decimal.ZERO, oversold: Decimal.ZERO };
  }
  const sold = fill.amount.plus(feeBase);
  let removed = Decimal.ZERO;
  if (before.amount.isPositive()) removed = sold.gte(before.amount) ? before.cost : before.cost.mulDiv(sold, before.amount);
  const realizedPnl = notional.minus(feeQuote).minus(removed);
  const after: Position = {
    ...before,
    amount: Decimal.max(Decimal.ZERO, before.amount.minus(sold)),
    cost: before.cost.minus(removed),
    realizedPnl: before.realizedPnl.plus(realizedPnl),
    feesPaid,
    updatedAtMs: fill.atMs,
  };
  return { position: after, realizedPnl, oversold: Decimal.max(Decimal.ZERO, sold.minus(before.amount)) };
}

/** The empty state of a mode's ledger. */
export function emptyLedgerState(mode: TradingMode): LedgerState {
  return { mode, throughSeq: 0, balances: new Map(), positions: new Map() };
}

/** Folds one entry (of this state's mode, with a higher seq) into the state; returns a new state. */
export function applyEntry(state: LedgerState, entry: LedgerEntry): LedgerState {
  const balances = new Map(state.balances);
  const add = (asset: string, delta: Decimal) => balances.set(asset, (balances.get(asset) ?? Decimal.ZERO).plus(delta));
  if (entry.kind === 'deposit') {
    add(entry.deposit.asset, entry.deposit.amount);
    return { ...state, throughSeq: entry.seq, balances };
  }
  for (const change of balanceChanges(entry.fill)) add(change.asset, change.delta);
  const positions = new Map(state.positions);
  positions.set(entry.fill.symbol, applyFill(state.positions.get(entry.fill.symbol), entry.fill).position);
  return { ...state, throughSeq: entry.seq, balances, positions };
}

/** A state's balances as a sorted list. */
export function balanceList(state: LedgerState): Balance[] {
  return [...state.balances]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([asset, amount]) => ({ mode: state.mode, asset, amount }));
}
