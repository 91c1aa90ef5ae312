import { TemporaryError, type TemporaryErrorOptions } from '../errors.js';
import type { Candle, MarketInfo, Quote, Trade } from './types.js';

/**
 * One exchange's public market data, in our own types. Implementations map every library error once:
 * a mistake the user can fix becomes a UserError, a passing outage a TemporaryError with a retry-after.
 */
export interface ExchangeClient {
  /** The data-source id stamped on everything this client returns, e.g. `binance`. */
  readonly id: string;
  /** The markets the exchange lists. */
  listMarkets(): Promise<readonly MarketInfo[]>;
  /** The latest price of `symbol` (unified, e.g. `BTC/USDT`; `btcusdt` is resolved too). */
  fetchQuote(symbol: string): Promise<Quote>;
  /** Up to `limit` bars of `timeframe` opening at or after `sinceMs`, oldest first. */
  fetchCandles(symbol: string, timeframe: string, sinceMs: number, limit: number): Promise<Candle[]>;
  /** Recent public trades, oldest first; from `sinceMs` when given. */
  fetchTrades(symbol: string, sinceMs?: number, limit?: number): Promise<Trade[]>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** Why an exchange call failed for now. */
export type OutageKind = 'rate-limited' | 'unavailable' | 'timeout' | 'network' | 'bad-response';

/**
 * A TemporaryError raised by an exchange client. `waitAtLeastMs` is the pause the exchange itself demands
 * before the next request (its Retry-After, or a rate-limit default); 0 when a prompt retry is fine.
 */
export class ExchangeOutage extends TemporaryError {
  constructor(
    reason: string,
    retryAfterMs: number,
    readonly kind: OutageKind,
    readonly waitAtLeastMs: number,
    options?: TemporaryErrorOptions,
  ) {
    super(reason, retryAfterMs, options);
  }
}
