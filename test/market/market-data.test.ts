import { afterEach, expect, it } from 'vitest';
import { createMarketData, type MarketData } from '../../src/market/market-data.js';
import { seededRandom } from '../../src/market/random.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from './shared-data.js';

let exchange: ExchangeServer | undefined;
let market: MarketData | undefined;
afterEach(async () => {
  await market?.exchange.close();
  await exchange?.close();
});

it('wires ccxt → retries and breaker → quote cache from the EXCHANGE and EXCHANGE_API_URL settings', async () => {
  const nowMs = utc('2021-04-25T12:00');
  exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: nowMs });
  const sleeps: number[] = [];
  market = createMarketData({
    exchange: { exchangeId: 'binance', apiUrl: exchange.url, rateLimitMs: 1 },
    guard: { sleep: async (ms) => void sleeps.push(ms), random: seededRandom(3), breaker: { failureThreshold: 4 } },
    quotes: { ttlMs: 5_000, staleAfterMs: 90_000 },
    now: () => nowMs,
  });
  exchange.injectFault('unavailable', { path: '/api/v3/ticker/24hr' });
  const reading = await market.quotes.getQuote('eth/usdt');
  expect(reading.quote.last).toBe(exchange.tickerNow('ETHUSDT')!.lastPrice);
  expect(reading.quote.provenance.source).toBe('binance');
  expect(sleeps.length).toBe(1);
  expect((await market.quotes.getQuote('eth/usdt')).fromCache).toBe(true);
  expect(market.quotes.stats()).toMatchObject({ source: 'binance', retries: 1, cache: { hits: 1, misses: 1 }, breaker: { state: 'closed' } });
  expect(market.exchange.stats()).toEqual(market.quotes.stats());
});
