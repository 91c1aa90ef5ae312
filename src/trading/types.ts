import type { Decimal } from './decimal.js';

/** Paper orders fill against real quotes in a simulated account; live orders go to the exchange. */
export type TradingMode = 'paper' | 'live';
/** The side of an order or fill. */
export type OrderSide = 'buy' | 'sell';
/** market: now at the book · limit: at `limitPrice` or better · stop: a market order once `stopPrice` trades. */
export type OrderType = 'market' | 'limit' | 'stop';
/** An order's lifecycle state; see `order-lifecycle.ts` for the allowed moves. */
export type OrderStatus = 'new' | 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

/** What an order asks for; written to the ledger (status `new`) before it is sent to a broker. */
export interface NewOrder {
  /** Our id, unique; sent to the broker so the order can be found again after a crash. */
  readonly clientOrderId: string;
  readonly mode: TradingMode;
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  /** Base-asset amount, already rounded to the market's precision. */
  readonly amount: Decimal;
  readonly limitPrice: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  /** A resting order still open at this time is expired by the broker. */
  readonly expiresAtMs: number | undefined;
  /** Who asked (a chat user id, or `system`). */
  readonly requestedBy: string;
  readonly createdAtMs: number;
  /** On an entry: the stop-loss to place (a resting stop sell) once it fills. */
  readonly stopLossPrice?: Decimal | undefined;
  /** On an entry: the take-profit to place (a resting limit sell) once it fills. */
  readonly takeProfitPrice?: Decimal | undefined;
  /** On a protective exit: the entry it protects; its sibling (one-cancels-the-other) has the same parent. */
  readonly parentClientOrderId?: string | undefined;
}

/** The part of an order that changes with each transition. */
export interface OrderState {
  readonly status: OrderStatus;
  readonly brokerOrderId: string | undefined;
  readonly filledAmount: Decimal;
  /** Volume-weighted fill price, when anything filled. */
  readonly averagePrice: Decimal | undefined;
  /** Why it was rejected, cancelled or expired. */
  readonly reason: string | undefined;
}

/** One stored step of an order's lifecycle; `seq` 1 is the `new` state the order was written with. */
export interface OrderTransition extends OrderState {
  readonly clientOrderId: string;
  readonly seq: number;
  readonly atMs: number;
}

/** An order as the ledger knows it: what was asked plus its latest state. */
export interface Order extends NewOrder, OrderState {
  /** The seq of the latest transition; a transition must name it to win. */
  readonly seq: number;
  readonly updatedAtMs: number;
}

/** One execution of an order, as the broker reported it; unique per (clientOrderId, fillId). */
export interface Fill {
  readonly clientOrderId: string;
  readonly fillId: string;
  readonly mode: TradingMode;
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly side: OrderSide;
  readonly amount: Decimal;
  readonly price: Decimal;
  readonly feeAmount: Decimal;
  readonly feeAsset: string;
  readonly atMs: number;
}

/** A fill as recorded: its place in the ledger and the P&L it realized (quote asset, net of fees). */
export interface RecordedFill extends Fill {
  readonly seq: number;
  readonly realizedPnl: Decimal;
}

/** A change of a balance that is not a fill: a paper account's starting money, a deposit, a correction. */
export interface Deposit {
  /** Unique; recording the same key twice changes nothing. */
  readonly key: string;
  readonly mode: TradingMode;
  readonly asset: string;
  /** Positive adds, negative removes. */
  readonly amount: Decimal;
  readonly atMs: number;
  readonly note: string;
}

/** A long spot position. `cost` includes buying fees, so `cost / amount` is the break-even price. */
export interface Position {
  readonly mode: TradingMode;
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly amount: Decimal;
  readonly cost: Decimal;
  /** P&L realized by sells of this symbol so far, net of every fee, in the quote asset. */
  readonly realizedPnl: Decimal;
  readonly feesPaid: Decimal;
  readonly updatedAtMs: number;
}

/** How much of one asset an account holds. */
export interface Balance {
  readonly mode: TradingMode;
  readonly asset: string;
  readonly amount: Decimal;
}

/** One day's closing figures for a mode, in the account's quote asset; unique per (mode, day). */
export interface DailySnapshot {
  readonly mode: TradingMode;
  /** UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly atMs: number;
  readonly equity: Decimal;
  readonly cash: Decimal;
  readonly realizedPnl: Decimal;
  readonly unrealizedPnl: Decimal;
  readonly netDeposits: Decimal;
  readonly openPositions: number;
}

/** What tripped the trading breaker. */
export type BreakerTrigger = 'daily_loss' | 'drawdown' | 'loss_streak' | 'error_rate' | 'market_data';

/** One stored change of the trading breaker of a mode; `seq` grows by one per event. */
export interface BreakerEvent {
  readonly mode: TradingMode;
  readonly seq: number;
  readonly atMs: number;
  readonly kind: 'tripped' | 'reset';
  readonly trigger: BreakerTrigger | undefined;
  readonly detail: string;
  /** Who reset it (a chat user id), for `reset`. */
  readonly by: string | undefined;
}
