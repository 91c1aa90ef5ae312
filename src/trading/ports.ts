import type { Quote } from '../market/types.js';
import type { Decimal } from './decimal.js';

/** The current quote of a symbol, with provenance; market/ provides it. Throws when it has none. */
export interface QuoteSource {
  getQuote(symbol: string): Promise<Quote>;
}

/** What the exchange allows on one market (ccxt's `market.precision`, `limits` and fees, as steps). */
export interface MarketRule {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Lot size: amounts are whole multiples of it (ccxt precision.amount in tick-size mode). */
  readonly amountStep: Decimal;
  /** Tick size: prices are whole multiples of it. */
  readonly priceStep: Decimal;
  readonly minAmount: Decimal | undefined;
  /** Smallest price × amount, in the quote asset. */
  readonly minNotional: Decimal | undefined;
  /** Fee rates as fractions (0.001 = 0.1 %); undefined falls back to the broker's configured rates. */
  readonly takerFeeRate: Decimal | undefined;
  readonly makerFeeRate: Decimal | undefined;
}

/** The rules of each tradable market; undefined for a symbol the exchange does not list. */
export interface MarketRules {
  getRule(symbol: string): Promise<MarketRule | undefined>;
}

/** The time, injected so tests and replays run on a fixed clock. */
export interface Clock {
  now(): number;
}
