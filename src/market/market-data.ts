import { createCcxtClient, type CcxtClientOptions } from './ccxt.js';
import { guardExchangeClient, type GuardOptions, type GuardedExchangeClient } from './guarded-client.js';
import { QuoteService, type QuoteServiceOptions } from './quote-service.js';

/** Everything market data needs from the composition root. */
export interface MarketDataOptions {
  /** `EXCHANGE` (default binance) and `EXCHANGE_API_URL`, plus timeouts and the rate-limit spacing. */
  readonly exchange?: CcxtClientOptions;
  /** Retry policy, breaker thresholds, and the injected sleep and random source. */
  readonly guard?: Omit<GuardOptions, 'now'>;
  readonly quotes?: Omit<QuoteServiceOptions, 'now'>;
  readonly now?: () => number;
}

/** The market-data pieces for one exchange, wired: ccxt client → retries and breaker → quote cache. */
export interface MarketData {
  readonly exchange: GuardedExchangeClient;
  readonly quotes: QuoteService;
}

/** Builds the market-data stack for the configured exchange; ccxt itself is loaded on first use. */
export function createMarketData(options: MarketDataOptions = {}): MarketData {
  const now = options.now ?? Date.now;
  const client = createCcxtClient({ ...options.exchange, now });
  const exchange = guardExchangeClient(client, { ...options.guard, now });
  return { exchange, quotes: new QuoteService(exchange, { ...options.quotes, now }) };
}
