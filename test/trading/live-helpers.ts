import { createCcxtBroker } from '../../src/market/ccxt-broker.js';
import { createMarketData, type MarketData } from '../../src/market/market-data.js';
import { TradingBreaker } from '../../src/trading/breaker.js';
import type { Broker } from '../../src/trading/broker.js';
import { marketQuoteSource, marketRules } from '../../src/trading/market-ports.js';
import { createOrderService, type OrderService, type OrderServiceOptions, type ServiceLog } from '../../src/trading/order-service.js';
import type { TradingRepository } from '../../src/trading/repository.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { openSqliteRepo } from './helpers.js';

/** The fake exchange's "now": real Binance 1m bars are served up to it. */
export const LIVE_T0 = utc('2021-04-10T12:00');

/** What the service logged, as `level: message` lines. */
export function recordingLog(): ServiceLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, warn: (_d, m) => void lines.push(`warn: ${m}`), error: (_d, m) => void lines.push(`error: ${m}`) };
}

/** A live stack over real ccxt against the local exchange: one ledger, and services opened (and re-opened, as restarts) on it. */
export interface LiveStack {
  readonly exchange: ExchangeServer;
  readonly repo: TradingRepository;
  readonly market: MarketData;
  readonly broker: Broker & { close(): Promise<void> };
  /** A fresh order service on the same ledger and exchange (a restart), not yet started. */
  openService(over?: Partial<OrderServiceOptions>): Promise<OrderService>;
  close(): Promise<void>;
}

/** Starts the fake exchange with `account` balances and a live ccxt broker on it; the ledger is `repo` (SQLite by default). */
export async function startLiveStack(account: Readonly<Record<string, number>>, repo: TradingRepository = openSqliteRepo()): Promise<LiveStack> {
  const exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: LIVE_T0, bookSpreadTicks: 5, account });
  const broker = await createCcxtBroker({ apiUrl: exchange.url, rateLimitMs: 1, credentials: { apiKey: 'test-key', secret: 'test-secret' } });
  const market = createMarketData({ exchange: { apiUrl: exchange.url, rateLimitMs: 1 }, now: () => LIVE_T0 });
  const clock = { now: () => LIVE_T0 };
  return {
    exchange, repo, market, broker,
    async openService(over = {}) {
      const breaker = await TradingBreaker.open(repo, 'live', {});
      return createOrderService({
        repo, broker, quotes: marketQuoteSource(market), rules: marketRules(market), breaker, clock, limits: {}, quoteAsset: 'USDT',
        syncExchangeBalances: true, ...over,
      });
    },
    async close() {
      await market.exchange.close();
      await broker.close();
      await exchange.close();
    },
  };
}
