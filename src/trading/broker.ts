import { TemporaryError } from '../errors.js';
import type { Decimal } from './decimal.js';
import type { Balance, NewOrder, OrderStatus, TradingMode } from './types.js';

/** An order as sent to a broker. Amount and prices are already rounded to the market's precision. */
export interface OrderRequest
  extends Pick<NewOrder, 'clientOrderId' | 'symbol' | 'side' | 'type' | 'amount' | 'limitPrice' | 'stopPrice' | 'expiresAtMs'> {
  /** Orders of one one-cancels-the-other group hold their amount once (the larger), as an exchange's OCO does. */
  readonly ocoGroup?: string | undefined;
}

/** A stop-loss and a take-profit sell of one amount, placed as one native one-cancels-the-other order list. */
export interface OcoRequest {
  /** The list's id: the entry the exits protect. */
  readonly listClientOrderId: string;
  readonly symbol: string;
  readonly amount: Decimal;
  readonly stopLoss: { readonly clientOrderId: string; readonly stopPrice: Decimal };
  readonly takeProfit: { readonly clientOrderId: string; readonly limitPrice: Decimal };
}

/** One execution as the broker reports it; `fillId` is unique within the order. */
export interface BrokerFill {
  readonly fillId: string;
  readonly amount: Decimal;
  readonly price: Decimal;
  readonly feeAmount: Decimal;
  readonly feeAsset: string;
  readonly atMs: number;
}

/** An order as the broker sees it, with every fill so far. */
export interface BrokerOrder extends OrderRequest {
  readonly brokerOrderId: string;
  readonly base: string;
  readonly quote: string;
  readonly status: Exclude<OrderStatus, 'new'>;
  readonly filledAmount: Decimal;
  readonly averagePrice: Decimal | undefined;
  readonly fills: readonly BrokerFill[];
  readonly reason: string | undefined;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/**
 * An account at a broker: the paper broker, and later the live ccxt broker. Errors say what happened:
 * `UserError` or `TemporaryError` from placeOrder mean the order was certainly NOT placed;
 * {@link OutcomeUnknownError} (or any other error) means it may have been, and reconcile will find out.
 */
export interface Broker {
  readonly mode: TradingMode;
  /** Places an order; placing a client order id the broker already has returns that order unchanged. */
  placeOrder(request: OrderRequest): Promise<BrokerOrder>;
  /** Cancels an open order; returns its final state (a filled order stays filled). UserError when unknown. */
  cancelOrder(clientOrderId: string, symbol: string): Promise<BrokerOrder>;
  /** The order with this client order id, or undefined when the broker never received it. */
  fetchOrder(clientOrderId: string, symbol: string): Promise<BrokerOrder | undefined>;
  /**
   * Places both exits as one native OCO order list (the exchange holds the coins once, and a fill of one leg ends the
   * other); returns [stop-loss, take-profit]. Absent when the exchange has none: then each exit is its own order.
   * Errors mean what they mean for placeOrder.
   */
  placeOco?(request: OcoRequest): Promise<[BrokerOrder, BrokerOrder]>;
  /** Free plus reserved amount per asset. */
  balances(): Promise<Balance[]>;
  openOrders(symbol?: string): Promise<BrokerOrder[]>;
}

/** The request may have reached the broker (a timeout, a dropped connection): only reconcile can tell. */
export class OutcomeUnknownError extends TemporaryError {}
