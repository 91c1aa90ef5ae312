import type { BrokerFill, BrokerOrder, OrderRequest } from './broker.js';
import { Decimal } from './decimal.js';
import type { TradableQuote } from './market-checks.js';
import { slippedPrice } from './market-checks.js';
import type { MarketRule } from './ports.js';

/** Slippage in basis points for one fill; a number is a fixed model. */
export type SlippageModel = number | ((request: OrderRequest, quote: TradableQuote) => number);

/** How the paper broker prices: slippage and fee rates (market rules' fees win when they have them). */
export interface PaperPricing {
  readonly slippage: SlippageModel;
  readonly takerFeeRate: Decimal;
  readonly makerFeeRate: Decimal;
}

/** How a fill should happen now: as taker at a slipped book price, as maker at the limit, or not at all. */
export type Execution = { readonly price: Decimal; readonly liquidity: 'taker' | 'maker' } | undefined;

function bps(pricing: PaperPricing, request: OrderRequest, quote: TradableQuote): number {
  return typeof pricing.slippage === 'number' ? pricing.slippage : pricing.slippage(request, quote);
}

/** The taker price of a market order (or a triggered stop): ask for buys, bid for sells, with slippage. */
export function takerPrice(rule: MarketRule, request: OrderRequest, quote: TradableQuote, pricing: PaperPricing): Decimal {
  const book = request.side === 'buy' ? quote.ask : quote.bid;
  return slippedPrice(rule, book, request.side, bps(pricing, request, quote));
}

/** True when a stop order's trigger has traded: buys when ask ≥ stop, sells when bid ≤ stop. */
export function stopTriggered(request: OrderRequest, quote: TradableQuote): boolean {
  const stop = request.stopPrice ?? Decimal.ZERO;
  return request.side === 'buy' ? quote.ask.gte(stop) : quote.bid.lte(stop);
}

/** True when a limit order crosses the book: buys when ask ≤ limit, sells when bid ≥ limit. */
export function limitCrossed(request: OrderRequest, quote: TradableQuote): boolean {
  const limit = request.limitPrice ?? Decimal.ZERO;
  return request.side === 'buy' ? quote.ask.lte(limit) : quote.bid.gte(limit);
}

/**
 * Decides whether an order fills against this quote. A marketable limit order placed now takes the book (never
 * past its limit); a resting limit that the market crossed later fills at its limit as maker; a triggered stop
 * fills as a market order.
 */
export function decideExecution(
  rule: MarketRule,
  request: OrderRequest,
  quote: TradableQuote,
  pricing: PaperPricing,
  resting: boolean,
): Execution {
  if (request.type === 'market') return { price: takerPrice(rule, request, quote, pricing), liquidity: 'taker' };
  if (request.type === 'stop') {
    return stopTriggered(request, quote) ? { price: takerPrice(rule, request, quote, pricing), liquidity: 'taker' } : undefined;
  }
  if (!limitCrossed(request, quote)) return undefined;
  const limit = request.limitPrice ?? Decimal.ZERO;
  if (resting) return { price: limit, liquidity: 'maker' };
  const taker = takerPrice(rule, request, quote, pricing);
  return { price: request.side === 'buy' ? Decimal.min(taker, limit) : Decimal.max(taker, limit), liquidity: 'taker' };
}

/** The fee rate that applies to a fill. */
export function feeRate(rule: MarketRule, pricing: PaperPricing, liquidity: 'taker' | 'maker'): Decimal {
  return liquidity === 'taker' ? (rule.takerFeeRate ?? pricing.takerFeeRate) : (rule.makerFeeRate ?? pricing.makerFeeRate);
}

/** The order after filling its remaining amount at `price`, fee in the quote asset. */
export function withFill(order: BrokerOrder, price: Decimal, rate: Decimal, atMs: number): BrokerOrder {
  const amount = order.amount.minus(order.filledAmount);
  const fill: BrokerFill = {
    fillId: `${order.brokerOrderId}-${order.fills.length + 1}`,
    amount,
    price,
    feeAmount: amount.times(price).times(rate),
    feeAsset: order.quote,
    atMs,
  };
  const fills = [...order.fills, fill];
  const filledAmount = order.filledAmount.plus(amount);
  const value = Decimal.sum(fills.map((f) => f.amount.times(f.price)));
  return { ...order, fills, filledAmount, averagePrice: value.div(filledAmount), status: 'filled', updatedAtMs: atMs };
}
