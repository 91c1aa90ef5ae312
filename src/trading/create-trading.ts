import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MarketData } from '../market/market-data.js';
import type { Store } from '../store/types.js';
import { TradingBreaker, type BreakerLimits } from './breaker.js';
import type { Broker } from './broker.js';
import { Decimal } from './decimal.js';
import { marketQuoteSource, marketRules } from './market-ports.js';
import { createOrderService, type OrderService, type StartReport } from './order-service.js';
import { createPaperBroker } from './paper-broker.js';
import type { Clock, MarketRules, QuoteSource } from './ports.js';
import type { RiskLimits } from './risk-rules.js';
import type { TradingMode } from './types.js';

/** The parts of Deps trading is built from. */
export interface TradingDeps {
  readonly config: Pick<Config, 'trading'>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly store: Pick<Store, 'trading'>;
  readonly market: MarketData;
}

/** Builds the live broker; absent until live trading is wired, and then `TRADING_MODE=live` is refused. */
export type LiveBrokerFactory = (deps: TradingDeps) => Promise<Broker & { close?(): Promise<void> }>;

/** The trading stack of one mode: broker, breaker and order service over the exchange's real market data. */
export interface Trading {
  readonly mode: TradingMode;
  readonly service: OrderService;
  readonly broker: Broker;
  readonly quotes: QuoteSource;
  readonly rules: MarketRules;
  /** Quotes older than this are never traded on. */
  readonly maxQuoteAgeMs: number;
  /** What the start-up reconcile found, and (live) the exchange balances it booked. */
  readonly startReport: StartReport;
  /** Stops listening to the market-data breaker and closes the live broker's connections. */
  close(): Promise<void>;
}

/** How the order error rate is judged: over the last 10 minutes, once at least 4 orders were sent. */
const ERROR_RATE_WINDOW_MS = 10 * 60_000;
const ERROR_RATE_MIN_ORDERS = 4;

const decimal = (v: string | undefined) => (v === undefined ? undefined : Decimal.from(v));

/** The risk limits of the config, as the rules take them. */
export function riskLimitsOf(config: Config['trading']): RiskLimits {
  const l = config.limits;
  return {
    ...(l.allowedSymbols ? { allowedSymbols: l.allowedSymbols } : {}),
    ...(l.maxOrderNotional ? { maxOrderNotional: decimal(l.maxOrderNotional)! } : {}),
    ...(l.maxPositionNotional ? { maxPositionNotional: decimal(l.maxPositionNotional)! } : {}),
    ...(l.maxOpenPositions === undefined ? {} : { maxOpenPositions: l.maxOpenPositions }),
    ...(l.maxTotalExposure ? { maxTotalExposure: decimal(l.maxTotalExposure)! } : {}),
    ...(l.maxDailyLoss ? { maxDailyLoss: decimal(l.maxDailyLoss)! } : {}),
    ...(l.maxDrawdownPct === undefined ? {} : { maxDrawdownPct: l.maxDrawdownPct }),
    ...(l.cooldown ? { cooldown: l.cooldown } : {}),
  };
}

/** When the trading breaker trips, from the config. */
export function breakerLimitsOf(config: Config['trading']): BreakerLimits {
  const l = config.limits;
  return {
    ...(l.maxDailyLoss ? { maxDailyLoss: decimal(l.maxDailyLoss)! } : {}),
    ...(l.maxDrawdownPct === undefined ? {} : { maxDrawdownPct: l.maxDrawdownPct }),
    ...(config.breaker.maxLossStreak === undefined ? {} : { maxLossStreak: config.breaker.maxLossStreak }),
    errorRate: { maxRatio: config.breaker.maxErrorRate, windowMs: ERROR_RATE_WINDOW_MS, minOrders: ERROR_RATE_MIN_ORDERS },
  };
}

/**
 * Builds the broker of the configured mode, the trading breaker (its state restored from the store, fed by the
 * market-data breaker) and the order service, then starts the service: books the paper starting balances once
 * (live: the exchange's balances beyond the ledger's) and reconciles every active order with the broker.
 */
export async function createTrading(deps: TradingDeps, liveBroker?: LiveBrokerFactory): Promise<Trading> {
  const t = deps.config.trading;
  const quotes = marketQuoteSource(deps.market, { maxAgeMs: t.maxQuoteAgeMs, now: () => deps.clock.now() });
  const rules = marketRules(deps.market);
  const repo = deps.store.trading;
  let broker: Broker & { close?(): Promise<void> };
  if (t.mode === 'live') {
    if (!liveBroker) throw new UserError('TRADING_MODE=live, but live trading is not available in this build yet; set TRADING_MODE=paper.');
    broker = await liveBroker(deps);
  } else {
    broker = await createPaperBroker({
      quotes, rules, clock: deps.clock, store: repo, startingBalances: t.paperStartingBalances, maxQuoteAgeMs: t.maxQuoteAgeMs,
      slippage: t.paperSlippageBps, takerFeeRate: t.takerFeeRate, makerFeeRate: t.makerFeeRate,
    });
  }
  const breaker = await TradingBreaker.open(repo, t.mode, breakerLimitsOf(t));
  const exchange = deps.market.exchange;
  let marketDataOpen = exchange.breaker.snapshot().state === 'open';
  const service = createOrderService({
    repo, broker, quotes, rules, breaker, clock: deps.clock, limits: riskLimitsOf(t), quoteAsset: t.quoteAsset,
    marketDataOpen: () => marketDataOpen, log: deps.logger,
    ...(t.mode === 'paper' ? { startingBalances: t.paperStartingBalances } : { syncExchangeBalances: true }),
  });
  const stopListening = exchange.onBreakerTransition((transition) => {
    marketDataOpen = transition.to === 'open';
    // Trip the trading breaker now rather than at the next order, so /breaker shows it at once.
    if (marketDataOpen) void service.assess(deps.clock.now()).catch((error: unknown) => deps.logger.warn({ err: error }, 'trading breaker check failed'));
  });
  breaker.onTransition((event) => deps.logger.warn({ event }, `trading breaker ${event.kind}`));
  const startReport = await service.start();
  if (startReport.checked > 0) deps.logger.info({ checked: startReport.checked, updated: startReport.updated.length }, 'reconciled orders at start');
  for (const d of startReport.balanceSync?.booked ?? []) deps.logger.info({ key: d.key, asset: d.asset, amount: d.amount.toString() }, d.note);
  for (const s of startReport.balanceSync?.skipped ?? []) deps.logger.warn({ asset: s.asset }, `exchange balance sync skipped ${s.asset}: ${s.reason}`);
  return {
    mode: t.mode, service, broker, quotes, rules, maxQuoteAgeMs: t.maxQuoteAgeMs, startReport,
    async close() {
      stopListening();
      await broker.close?.();
    },
  };
}
