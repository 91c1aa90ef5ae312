import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { createMarketData, type MarketData, type MarketDataOptions } from './market/market-data.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/types.js';
import { OptimizerPool } from './backtest/worker-pool.js';
import { createCcxtBroker } from './market/ccxt-broker.js';
import { JobSlots } from './research/job-slots.js';
import { createTrading, type Trading } from './trading/create-trading.js';
import { VERSION } from './version.js';
import type { SchedulerStatus } from './ops/job.js';
import { createOpsMetrics, type OpsMetrics } from './ops/metrics.js';

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
  /** The scheduler, once `tradeops start` has started it (absent in one-shot CLI use or with JOBS=off). */
  scheduler?: SchedulerStatus;
}

/** Everything commands and jobs may use, chosen once in createDeps. */
export interface Deps {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: Store;
  /** Prices, candles and trades from the configured exchange, with retries, a breaker and a quote cache. */
  readonly market: MarketData;
  /** One running backtest or optimisation per user, cancellable. */
  readonly jobs: JobSlots;
  /** Worker threads for optimisations, started on first use and shared by all of them. */
  readonly optimizerPool: OptimizerPool;
  readonly runtime: Runtime;
  /** Prometheus metrics of this process (commands, jobs, deliveries), served at /metrics. */
  readonly metrics: OpsMetrics;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * One trading stack per store: keyed on the store (not the Deps object), so a job's deps (Deps plus a notifier) share
 * the stack the commands use instead of starting a second broker over the same ledger.
 */
const tradingByStore = new WeakMap<Store, Promise<Trading>>();

/**
 * The trading stack of these deps (the configured mode's broker, breaker and order service), built and started
 * (starting balances booked, orders reconciled) on first use; `tradeops start` asks for it at start-up.
 */
export function tradingOf(deps: Deps): Promise<Trading> {
  let trading = tradingByStore.get(deps.store);
  if (!trading) {
    const { config } = deps;
    // Live orders go to the configured exchange with its keys (loadConfig refuses TRADING_MODE=live without them).
    trading = createTrading(deps, () =>
      createCcxtBroker({
        exchangeId: config.exchange,
        ...(config.exchangeApiUrl ? { apiUrl: config.exchangeApiUrl } : {}),
        credentials: { apiKey: config.exchangeApiKey ?? '', secret: config.exchangeApiSecret ?? '' },
      }),
    );
    // A failed start (store or exchange down) is not cached: the next command tries again.
    trading.catch(() => tradingByStore.delete(deps.store));
    tradingByStore.set(deps.store, trading);
  }
  return trading;
}

/** Closes what createDeps opened: trading (when it was started), the exchange client's connections, then the store. */
export async function closeDeps(deps: Deps): Promise<void> {
  deps.jobs.cancelAll();
  await deps.optimizerPool.close().catch((error: unknown) => deps.logger.warn({ err: error }, 'closing the optimizer pool failed'));
  const trading = await tradingByStore.get(deps.store)?.catch(() => undefined);
  await trading?.close().catch((error: unknown) => deps.logger.warn({ err: error }, 'closing trading failed'));
  await deps.market.exchange.close().catch((error: unknown) => deps.logger.warn({ err: error }, 'closing the exchange client failed'));
  await deps.store.close();
}

/** How market data and the optimizer are tuned; tests shorten timeouts and keep retries off the wall clock. */
export interface DepsTuning {
  readonly market?: Omit<MarketDataOptions, 'now'>;
  readonly optimizerWorkers?: number;
}

/** Builds Deps around an opened store: the one place that picks implementations. */
export function assembleDeps(config: Config, logger: Logger, clock: Clock, store: Store, tuning: DepsTuning = {}): Deps {
  const market = createMarketData({
    ...tuning.market,
    exchange: { exchangeId: config.exchange, ...(config.exchangeApiUrl ? { apiUrl: config.exchangeApiUrl } : {}), ...tuning.market?.exchange },
    now: () => clock.now(),
  });
  return {
    config,
    logger,
    clock,
    store,
    market,
    jobs: new JobSlots(),
    optimizerPool: new OptimizerPool(tuning.optimizerWorkers),
    runtime: { version: VERSION, startedAtMs: clock.now(), adapters: [] },
    metrics: createOpsMetrics(),
  };
}

/** Opens the store DATABASE_URL names (throws when unreachable) and builds Deps around it. */
export async function createDeps(config: Config, logger: Logger, clock: Clock = systemClock): Promise<Deps> {
  return assembleDeps(config, logger, clock, await openStore(config));
}
