import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TemporaryError, UserError } from '../../src/errors.js';
import { createCcxtBroker } from '../../src/market/ccxt-broker.js';
import { createMarketData } from '../../src/market/market-data.js';
import { OutcomeUnknownError, type Broker, type OrderRequest } from '../../src/trading/broker.js';
import { TradingBreaker } from '../../src/trading/breaker.js';
import { Decimal, dec } from '../../src/trading/decimal.js';
import { marketQuoteSource, marketRules } from '../../src/trading/market-ports.js';
import { createOrderService } from '../../src/trading/order-service.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { openSqliteRepo } from '../trading/helpers.js';
import { binanceMarkets, utc } from './shared-data.js';

const T0 = utc('2021-04-10T12:00');
const request = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: 'tc-live-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: dec('0.01'),
  limitPrice: undefined, stopPrice: undefined, expiresAtMs: undefined, ...over,
});

describe('live broker over real ccxt against the fake Binance private endpoints', () => {
  let exchange: ExchangeServer;
  let broker: Broker & { close(): Promise<void> };

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5, account: { USDT: 10_000 } });
    broker = await createCcxtBroker({ apiUrl: exchange.url, rateLimitMs: 1, credentials: { apiKey: 'test-key', secret: 'test-secret' } });
  });
  afterEach(async () => {
    await broker.close();
    await exchange.close();
  });

  it('places a market order under our client order id and reports its fill at the served ask, with the fee', async () => {
    const ask = exchange.tickerNow('BTCUSDT')!.ask!;
    const order = await broker.placeOrder(request());
    expect(exchange.log.find((e) => e.path === '/api/v3/order' && e.query.newClientOrderId)!.query).toMatchObject({ newClientOrderId: 'tc-live-1', side: 'BUY', type: 'MARKET', quantity: '0.01' });
    expect(order).toMatchObject({ clientOrderId: 'tc-live-1', status: 'filled', base: 'BTC', quote: 'USDT' });
    expect(order.fills).toHaveLength(1);
    const fill = order.fills[0]!;
    expect([fill.amount.toString(), fill.price.toString(), fill.feeAsset]).toEqual(['0.01', String(ask), 'USDT']);
    expect(fill.feeAmount.toString()).toBe(Decimal.from(ask).times(dec('0.01')).times(dec('0.001')).toString());
    const again = await broker.fetchOrder('tc-live-1', 'BTC/USDT');
    expect(again!.fills.map((f) => f.fillId)).toEqual(order.fills.map((f) => f.fillId));
    const balances = await broker.balances();
    expect(balances.find((b) => b.asset === 'BTC')!.amount.toString()).toBe('0.01');
    // Placing the same client order id again returns the order; the exchange still holds one.
    expect((await broker.placeOrder(request())).brokerOrderId).toBe(order.brokerOrderId);
    expect(exchange.account.orders()).toHaveLength(1);
  });

  it('rests a limit order, reports a partial fill and the rest later, and cancels a resting one', async () => {
    const bid = exchange.tickerNow('BTCUSDT')!.bid!;
    exchange.account.setNextFillRatio(0.4);
    const crossing = await broker.placeOrder(request({ clientOrderId: 'tc-part', type: 'limit', limitPrice: Decimal.from(bid + 100) }));
    expect(crossing).toMatchObject({ status: 'partially_filled' });
    expect(crossing.filledAmount.toString()).toBe('0.004');
    exchange.account.fillResting('tc-part');
    const done = await broker.fetchOrder('tc-part', 'BTC/USDT');
    expect(done).toMatchObject({ status: 'filled' });
    expect(done!.fills.map((f) => f.amount.toString())).toEqual(['0.004', '0.006']);

    const resting = await broker.placeOrder(request({ clientOrderId: 'tc-rest', type: 'limit', limitPrice: Decimal.from(Math.round(bid * 0.9)) }));
    expect(resting.status).toBe('open');
    expect((await broker.openOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual(['tc-rest']);
    expect((await broker.cancelOrder('tc-rest', 'BTC/USDT')).status).toBe('cancelled');
    // Cancelling a filled order leaves it filled; an unknown one is a user error.
    expect((await broker.cancelOrder('tc-part', 'BTC/USDT')).status).toBe('filled');
    await expect(broker.cancelOrder('tc-nope', 'BTC/USDT')).rejects.toThrow(UserError);
  });

  it('maps refusals to UserError, a rate limit to TemporaryError, and a lost answer to OutcomeUnknownError', async () => {
    await expect(broker.placeOrder(request({ clientOrderId: 'tc-big', amount: dec('5') }))).rejects.toThrow(/insufficient balance/);
    exchange.account.rejectNextOrder(-1013, 'Filter failure: LOT_SIZE');
    const refused = await broker.placeOrder(request({ clientOrderId: 'tc-lot' })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    exchange.injectFault('rate-limit', { path: '/api/v3/order', method: 'POST' });
    const limited = await broker.placeOrder(request({ clientOrderId: 'tc-429' })).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(TemporaryError);
    expect(limited).not.toBeInstanceOf(OutcomeUnknownError);
    exchange.injectFault('executed-then-reset', { path: '/api/v3/order', method: 'POST' });
    const lost = await broker.placeOrder(request({ clientOrderId: 'tc-lost' })).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(OutcomeUnknownError);
    expect((await broker.fetchOrder('tc-lost', 'BTC/USDT'))!.status).toBe('filled');
    expect(exchange.account.orders().map((o) => o.clientOrderId)).toEqual(['tc-lost']);
  });

  it('through the order service: a lost answer is settled by reconcile, one order on the exchange and in the ledger', async () => {
    const market = createMarketData({ exchange: { apiUrl: exchange.url, rateLimitMs: 1 }, now: () => T0 });
    const repo = openSqliteRepo();
    const breaker = await TradingBreaker.open(repo, 'live', {});
    const clock = { now: () => T0 };
    const service = createOrderService({ repo, broker, quotes: marketQuoteSource(market), rules: marketRules(market), breaker, clock, limits: {}, quoteAsset: 'USDT' });
    exchange.injectFault('executed-then-reset', { path: '/api/v3/order', method: 'POST' });
    await expect(service.placeOrder({ clientOrderId: 'tc-svc', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01', requestedBy: 'test' })).rejects.toThrow(OutcomeUnknownError);
    expect((await repo.getOrder('tc-svc'))!.status).toBe('new');
    const report = await service.reconcile();
    expect(report.fillsRecorded).toBe(1);
    expect((await repo.getOrder('tc-svc'))!.status).toBe('filled');
    const retried = await service.placeOrder({ clientOrderId: 'tc-svc', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01', requestedBy: 'test' });
    expect(retried).toMatchObject({ kind: 'placed', duplicate: true });
    expect(exchange.account.orders()).toHaveLength(1);
    expect(await repo.listFills({ limit: 10 })).toHaveLength(1);
    await market.exchange.close();
  });
});
