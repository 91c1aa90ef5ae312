import { TemporaryError } from '../errors.js';
import type { ExchangeClient } from './exchange-client.js';
import type { GuardedExchangeClient } from './guarded-client.js';
import { SourceStats, type SourceStatsSnapshot } from './source-stats.js';
import type { Quote } from './types.js';

/** Options of {@link QuoteService}; every field has a default. */
export interface QuoteServiceOptions {
  readonly now?: () => number;
  /** How long a received quote is reused without asking the exchange; 5 s. */
  readonly ttlMs?: number;
  /** A price whose exchange timestamp is older than this is labelled stale; 60 s. */
  readonly staleAfterMs?: number;
  /** The oldest cached quote {@link QuoteService.getQuoteOrStale} falls back to in an outage; 10 min. */
  readonly fallbackMaxAgeMs?: number;
}

/** A quote as shown at one moment: its age by the exchange's own timestamp and whether it is stale. */
export interface QuoteReading {
  readonly quote: Quote;
  /** now − the exchange's timestamp, ms (never negative). */
  readonly ageMs: number;
  readonly stale: boolean;
  /** True when no exchange call was made for this reading. */
  readonly fromCache: boolean;
  /** Why a stale reading was served instead of a fresh one (the outage's message). */
  readonly staleReason: string | undefined;
}

/** The age of `quote` at `nowMs` by the exchange's timestamp, and whether that is past `staleAfterMs`. */
export function describeQuoteAge(quote: Quote, nowMs: number, staleAfterMs: number): { ageMs: number; stale: boolean } {
  const ageMs = Math.max(0, nowMs - quote.provenance.sourceTimeMs);
  return { ageMs, stale: ageMs > staleAfterMs };
}

const isGuarded = (c: ExchangeClient): c is GuardedExchangeClient => 'recorder' in c && 'stats' in c;

/**
 * Prices with provenance for one exchange: a TTL cache on an injected clock, one exchange call for any number
 * of concurrent requests for a symbol, and stale labelling. Retries and the breaker live in the client.
 */
export class QuoteService {
  private readonly cache = new Map<string, Quote>();
  private readonly inFlight = new Map<string, Promise<Quote>>();
  private readonly recorder: SourceStats;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly staleAfterMs: number;
  private readonly fallbackMaxAgeMs: number;

  constructor(
    private readonly client: ExchangeClient,
    options: QuoteServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? 5_000;
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
    this.fallbackMaxAgeMs = options.fallbackMaxAgeMs ?? 10 * 60_000;
    this.recorder = isGuarded(client) ? client.recorder : new SourceStats(client.id, this.now);
  }

  /** The data source these quotes come from. */
  get source(): string {
    return this.client.id;
  }

  /** A quote no older than the TTL since it was received, or the error that prevented one. */
  async getQuote(symbol: string): Promise<QuoteReading> {
    const key = symbol.trim().toUpperCase();
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.provenance.receivedAtMs < this.ttlMs) {
      this.recorder.recordCache('hit');
      return this.reading(cached, true, undefined);
    }
    let pending = this.inFlight.get(key);
    if (pending) this.recorder.recordCache('coalesced');
    else {
      this.recorder.recordCache('miss');
      pending = this.fetch(key);
      this.inFlight.set(key, pending);
    }
    return this.reading(await pending, false, undefined);
  }

  /**
   * Like {@link getQuote}, but in an outage (a TemporaryError) falls back to the last quote received within
   * `fallbackMaxAgeMs`, labelled stale with the outage's message; for /price, never for trading.
   */
  async getQuoteOrStale(symbol: string): Promise<QuoteReading> {
    try {
      return await this.getQuote(symbol);
    } catch (error) {
      const cached = this.cache.get(symbol.trim().toUpperCase());
      if (!(error instanceof TemporaryError) || !cached) throw error;
      if (this.now() - cached.provenance.receivedAtMs > this.fallbackMaxAgeMs) throw error;
      return this.reading(cached, true, error.message);
    }
  }

  /** Monitoring figures for this source, cache counters included. */
  stats(): SourceStatsSnapshot {
    return isGuarded(this.client) ? this.client.stats() : this.recorder.snapshot();
  }

  private async fetch(key: string): Promise<Quote> {
    try {
      const quote = await this.client.fetchQuote(key);
      this.cache.set(key, quote);
      this.cache.set(quote.symbol, quote);
      return quote;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private reading(quote: Quote, fromCache: boolean, staleReason: string | undefined): QuoteReading {
    const age = describeQuoteAge(quote, this.now(), this.staleAfterMs);
    return { quote, ageMs: age.ageMs, stale: age.stale || staleReason !== undefined, fromCache, staleReason };
  }
}
