import { performance } from 'node:perf_hooks';
import { TemporaryError, UserError } from '../errors.js';
import { CircuitBreaker, CircuitOpenError, type BreakerOptions, type BreakerTransition } from './circuit-breaker.js';
import type { ExchangeClient } from './exchange-client.js';
import { cryptoRandom, type RandomSource } from './random.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.js';
import { SourceStats, type CallOutcome, type SourceStatsSnapshot } from './source-stats.js';

/** Options of {@link guardExchangeClient}; tests inject the clock, the sleep and the random source. */
export interface GuardOptions {
  readonly now?: () => number;
  /** Clock for latency figures; `performance.now` by default. */
  readonly monotonicMs?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source for retry delays; the OS's cryptographic generator by default. */
  readonly random?: RandomSource;
  readonly retry?: Partial<RetryPolicy>;
  readonly breaker?: Omit<BreakerOptions, 'now'>;
}

/** An exchange client with retries, a circuit breaker and monitoring counters around every call. */
export interface GuardedExchangeClient extends ExchangeClient {
  /** The counters, shared with the quote service so cache figures land in the same snapshot. */
  readonly recorder: SourceStats;
  readonly breaker: CircuitBreaker;
  /** Registers a listener for breaker state changes; returns the function that removes it. */
  onBreakerTransition(listener: (t: BreakerTransition) => void): () => void;
  /** Monitoring figures for this source, as plain data. */
  stats(): SourceStatsSnapshot;
}

/** Sleeps with a real timer; injected away in tests. */
export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof UserError) return 'user-error';
  if (error instanceof TemporaryError) return 'temporary-error';
  return 'error';
}

/**
 * Wraps `client` so each call goes: retry (TemporaryError only, exponential backoff with jitter) → circuit
 * breaker (per source) → the exchange, with every attempt counted in the source's stats.
 */
export function guardExchangeClient(client: ExchangeClient, options: GuardOptions = {}): GuardedExchangeClient {
  const now = options.now ?? Date.now;
  const monotonicMs = options.monotonicMs ?? (() => performance.now());
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const breaker = new CircuitBreaker(client.id, { ...options.breaker, now });
  const recorder = new SourceStats(client.id, now);
  const retryDeps = {
    sleep: options.sleep ?? realSleep,
    random: options.random ?? cryptoRandom,
    onRetry: () => recorder.recordRetry(),
  };

  const attempt = async <T>(call: () => Promise<T>): Promise<T> => {
    const startedMs = monotonicMs();
    try {
      const result = await breaker.execute(call);
      recorder.recordCall('ok', monotonicMs() - startedMs);
      return result;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof CircuitOpenError) recorder.recordCall('rejected-by-breaker', undefined, reason);
      else recorder.recordCall(outcomeOf(error), monotonicMs() - startedMs, reason);
      throw error;
    }
  };
  const guarded = <T>(call: () => Promise<T>): Promise<T> => withRetry(() => attempt(call), policy, retryDeps);

  return {
    id: client.id,
    recorder,
    breaker,
    listMarkets: () => guarded(() => client.listMarkets()),
    fetchQuote: (symbol) => guarded(() => client.fetchQuote(symbol)),
    fetchCandles: (symbol, timeframe, sinceMs, limit) => guarded(() => client.fetchCandles(symbol, timeframe, sinceMs, limit)),
    fetchTrades: (symbol, sinceMs, limit) => guarded(() => client.fetchTrades(symbol, sinceMs, limit)),
    close: () => client.close(),
    onBreakerTransition: (listener) => breaker.onTransition(listener),
    stats: () => recorder.snapshot(breaker.snapshot()),
  };
}
