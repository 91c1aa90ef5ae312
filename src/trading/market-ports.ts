import { TemporaryError } from '../errors.js';
import type { MarketData } from '../market/market-data.js';
import { assertTradable } from '../market/sources.js';
import { resolveSymbol } from '../market/symbols.js';
import type { MarketInfo } from '../market/types.js';
import { Decimal } from './decimal.js';
import type { MarketRule, MarketRules, QuoteSource } from './ports.js';

/** How old a quote trading may use is, by the exchange's own timestamp, on the injected clock. */
export interface QuoteFreshness {
  readonly maxAgeMs: number;
  readonly now: () => number;
}

/**
 * Quotes for trading: always a reading from the exchange (never the stale fallback /price may show), only from a
 * live exchange source, and (when `freshness` is given) no older than its limit, so neither an order's value nor
 * a position's mark rests on an old price. The paper broker checks the age again when it fills.
 */
export function marketQuoteSource(market: Pick<MarketData, 'quotes'>, freshness?: QuoteFreshness): QuoteSource {
  return {
    async getQuote(symbol) {
      const { quote } = await market.quotes.getQuote(symbol);
      assertTradable(quote.provenance.source);
      const ageMs = freshness ? freshness.now() - quote.provenance.sourceTimeMs : 0;
      if (freshness && ageMs > freshness.maxAgeMs) {
        throw new TemporaryError(
          `the ${quote.symbol} price from ${quote.provenance.source} is ${Math.round(ageMs / 1000)} s old (max ${Math.round(freshness.maxAgeMs / 1000)} s); not trading on a stale price`,
          5_000,
        );
      }
      return quote;
    },
  };
}

const optional = (v: number | undefined) => (v === undefined ? undefined : Decimal.from(v));

/** A market's trading rule, or a TemporaryError when the exchange did not say its lot or tick size. */
export function toMarketRule(m: MarketInfo, source: string): MarketRule {
  if (m.amountStep === undefined || m.priceStep === undefined) {
    throw new TemporaryError(`${source} did not give the lot and tick size of ${m.symbol}; not trading it blind`, 30_000);
  }
  return {
    symbol: m.symbol,
    base: m.base,
    quote: m.quote,
    amountStep: Decimal.from(m.amountStep),
    priceStep: Decimal.from(m.priceStep),
    minAmount: optional(m.minAmount),
    minNotional: optional(m.minNotional),
    takerFeeRate: optional(m.takerFeeRate),
    makerFeeRate: optional(m.makerFeeRate),
  };
}

/**
 * Market rules from the exchange's own market list (precision, minimums, fees, via ccxt). The symbol is resolved
 * as /price resolves it (`btc`, `BTCUSDT`, `btc/usdt`); an unknown one is a UserError naming close matches.
 */
export function marketRules(market: Pick<MarketData, 'exchange'>): MarketRules {
  return {
    async getRule(symbol) {
      const info = resolveSymbol(symbol, await market.exchange.listMarkets(), market.exchange.id);
      return toMarketRule(info, market.exchange.id);
    },
  };
}
