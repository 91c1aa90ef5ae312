import { TemporaryError, UserError } from '../errors.js';
import type { Quote } from '../market/types.js';
import { Decimal, type RoundingMode } from './decimal.js';
import type { MarketRule, MarketRules } from './ports.js';

/** The rule of `symbol`; a UserError when the exchange does not list it. */
export async function requireRule(rules: MarketRules, symbol: string): Promise<MarketRule> {
  const rule = await rules.getRule(symbol);
  if (!rule) throw new UserError(`unknown market ${symbol}: the exchange does not list it`);
  return rule;
}

/** An amount rounded down to the market's lot size (never buy or sell more than asked). */
export function roundAmount(rule: MarketRule, amount: Decimal): Decimal {
  return amount.roundToStep(rule.amountStep, 'down');
}

/** A price rounded to the market's tick size. */
export function roundPrice(rule: MarketRule, price: Decimal, mode: RoundingMode): Decimal {
  return price.roundToStep(rule.priceStep, mode);
}

/** Throws a UserError naming the minimum when amount or price × amount is below the market's minimums. */
export function checkMinimums(rule: MarketRule, amount: Decimal, price: Decimal): void {
  if (!amount.isPositive()) {
    throw new UserError(`amount rounds to 0 ${rule.base} at the market's lot size ${rule.amountStep.toString()}`);
  }
  if (rule.minAmount && amount.lt(rule.minAmount)) {
    throw new UserError(
      `amount ${amount.toString()} ${rule.base} is below the minimum ${rule.minAmount.toString()} ${rule.base} for ${rule.symbol}`,
    );
  }
  const notional = amount.times(price);
  if (rule.minNotional && notional.lt(rule.minNotional)) {
    throw new UserError(
      `order value ${notional.toString()} ${rule.quote} is below the minimum ${rule.minNotional.toString()} ${rule.quote} for ${rule.symbol}`,
    );
  }
}

/** A quote checked fit to trade on: bid and ask as decimals. */
export interface TradableQuote {
  readonly bid: Decimal;
  readonly ask: Decimal;
  readonly last: Decimal;
  readonly quote: Quote;
}

/**
 * Checks that a quote may be traded on: not made up (`synthetic`), not older than `maxAgeMs` by the source's
 * own timestamp, with a positive bid and ask. Otherwise throws, saying why: UserError for synthetic data (a
 * configuration matter), TemporaryError for a stale or one-sided quote (fresh data may come).
 */
export function tradableQuote(quote: Quote, symbol: string, nowMs: number, maxAgeMs: number): TradableQuote {
  const { source, sourceTimeMs } = quote.provenance;
  if (source === 'synthetic') {
    throw new UserError(`refusing to fill ${symbol} on a synthetic quote: paper trading needs real market data`);
  }
  if (quote.symbol !== symbol) throw new TemporaryError(`quote for ${quote.symbol} returned for ${symbol}`, 5_000);
  const ageMs = nowMs - sourceTimeMs;
  if (ageMs > maxAgeMs) {
    throw new TemporaryError(
      `the ${symbol} quote from ${source} is ${Math.round(ageMs / 1000)} s old (max ${Math.round(maxAgeMs / 1000)} s); not filling on a stale price`,
      5_000,
    );
  }
  const valid = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x) && x > 0;
  if (!valid(quote.bid) || !valid(quote.ask)) {
    throw new TemporaryError(`the ${symbol} quote from ${source} has no bid or ask; not filling without a book price`, 5_000);
  }
  if (quote.bid > quote.ask) throw new TemporaryError(`the ${symbol} quote from ${source} is crossed (bid > ask)`, 5_000);
  return { bid: Decimal.from(quote.bid), ask: Decimal.from(quote.ask), last: Decimal.from(quote.last), quote };
}

/** The price after slippage: buys pay more, sells get less, rounded to the tick against the trader. */
export function slippedPrice(rule: MarketRule, bookPrice: Decimal, side: 'buy' | 'sell', bps: number): Decimal {
  const shift = bookPrice.times(Decimal.from(bps)).div(Decimal.from(10_000));
  return side === 'buy' ? roundPrice(rule, bookPrice.plus(shift), 'up') : roundPrice(rule, bookPrice.minus(shift), 'down');
}
