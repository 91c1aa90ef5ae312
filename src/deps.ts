import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createMarketData, type MarketData } from './market/market-data.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/types.js';
import { VERSION } from './version.js';

/** The source of the current time, epoch ms; injected so tests and backtests control it. */
export interface Clock {
  now(): number;
}

/** Facts about the running process that /status shows. */
export interface Runtime {
  readonly version: string;
  readonly startedAtMs: number;
  /** The chat transports running in this process (console, telegram, discord) or `cli` for one-shot use. */
  readonly adapters: string[];
}

/** Everything commands and jobs may use, chosen once in createDeps. */
export interface Deps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: Store;
  /** Prices, candles and trades from the configured exchange, with retries, a breaker and a quote cache. */
  readonly market: MarketData;
  readonly runtime: Runtime;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Closes what createDeps opened: the exchange client's connections, then the store. */
export async function closeDeps(deps: Deps): Promise<void> {
  await deps.market.exchange.close().catch((error: unknown) => deps.logger.warn({ err: error }, 'closing the exchange client failed'));
  await deps.store.close();
}

/** Picks every implementation from the config: the one place that does. Opens the store (throws when unreachable). */
export async function createDeps(config: Config, logger: Logger, clock: Clock = systemClock): Promise<Deps> {
  const store = await openStore(config);
  const market = createMarketData({
    exchange: { exchangeId: config.exchange, ...(config.exchangeApiUrl ? { apiUrl: config.exchangeApiUrl } : {}) },
    now: () => clock.now(),
  });
  return {
    config,
    logger,
    clock,
    store,
    market,
    runtime: { version: VERSION, startedAtMs: clock.now(), adapters: [] },
  };
}
