import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { ExchangeClient } from '../../src/market/exchange-client.js';
import { createMarketData } from '../../src/market/market-data.js';
import { QuoteService } from '../../src/market/quote-service.js';
import { marketQuoteSource, marketRules } from '../../src/trading/market-ports.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';

const T0 = utc('2021-04-10T12:00');

describe('market ports: trading sees the exchange through QuoteSource and MarketRules', () => {
  let exchange: ExchangeServer | undefined;
  afterEach(async () => exchange?.close());

  it('takes lot size, tick size, minimums and fees from the exchange via ccxt, and resolves symbols as /price does', async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 3 });
    const market = createMarketData({ exchange: { apiUrl: exchange.url, rateLimitMs: 1 }, now: () => T0 });
    const rule = await marketRules(market).getRule('btcusdt');
    expect(rule && Object.fromEntries(Object.entries(rule).map(([k, v]) => [k, String(v)]))).toEqual({
      symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: '0.00001', priceStep: '0.01', minAmount: '0.00001',
      minNotional: '5', takerFeeRate: '0.001', makerFeeRate: '0.001',
    });
    await expect(marketRules(market).getRule('DOGE/USDT')).rejects.toThrow(/binance has no market "DOGE\/USDT"/);
    const quote = await marketQuoteSource(market).getQuote('BTC/USDT');
    const served = exchange.tickerNow('BTCUSDT')!;
    expect([quote.bid, quote.ask, quote.last]).toEqual([served.bid, served.ask, served.lastPrice]);
    await market.exchange.close();
  });

  it('refuses a synthetic quote: generated data is never traded on', async () => {
    // A client for the seeded demo source; its price is a demo figure, which is exactly what must be refused.
    const synthetic: ExchangeClient = {
      id: 'synthetic',
      listMarkets: async () => [],
      fetchQuote: async (symbol) => ({
        symbol, last: 100, bid: 99.9, ask: 100.1, change24hPct: undefined, baseVolume24h: undefined, quoteVolume24h: undefined,
        provenance: { source: 'synthetic', sourceTimeMs: T0, receivedAtMs: T0 },
      }),
      fetchCandles: async () => [],
      fetchTrades: async () => [],
      close: async () => undefined,
    };
    const source = marketQuoteSource({ quotes: new QuoteService(synthetic, { now: () => T0 }) });
    await expect(source.getQuote('BTC/USDT')).rejects.toThrow(UserError);
    await expect(source.getQuote('BTC/USDT')).rejects.toThrow(/SYNTHETIC demo data.*never be traded on/);
  });
});
