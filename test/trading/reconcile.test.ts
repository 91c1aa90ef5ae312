import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TradingBreaker } from '../../src/trading/breaker.js';
import type { Broker, BrokerFill, BrokerOrder, OrderRequest } from '../../src/trading/broker.js';
import { Decimal, dec } from '../../src/trading/decimal.js';
import { createOrderService } from '../../src/trading/order-service.js';
import type { TradingRepository } from '../../src/trading/repository.js';
import { BACKENDS, dropMongoRepos, T0, testClock, testQuote, testQuotes, testRules } from './helpers.js';

afterAll(dropMongoRepos);

/** A scripted stand-in for the live exchange: the test decides what it reports. */
function scriptedBroker(): Broker & { orders: Map<string, BrokerOrder>; fail?: string } {
  const orders = new Map<string, BrokerOrder>();
  const self = {
    mode: 'live' as const,
    orders,
    fail: undefined as string | undefined,
    async placeOrder(r: OrderRequest) {
      const o: BrokerOrder = {
        ...r, brokerOrderId: `x-${r.clientOrderId}`, base: 'BTC', quote: 'USDT', status: 'open', filledAmount: Decimal.ZERO,
        averagePrice: undefined, fills: [], reason: undefined, createdAtMs: T0, updatedAtMs: T0,
      };
      orders.set(r.clientOrderId, o);
      return o;
    },
    async cancelOrder(id: string) {
      const o = { ...orders.get(id)!, status: 'cancelled' as const };
      orders.set(id, o);
      return o;
    },
    async fetchOrder(id: string) {
      if (self.fail) throw new Error(self.fail);
      return orders.get(id);
    },
    balances: async () => [],
    openOrders: async () => [...orders.values()].filter((o) => o.status === 'open'),
  };
  return self;
}

const fill = (id: string, amount: string, price: string, atMs: number): BrokerFill => ({ fillId: id, amount: dec(amount), price: dec(price), feeAmount: dec('0'), feeAsset: 'USDT', atMs });

for (const backend of BACKENDS) {
  describe(`reconcile against a scripted live broker on ${backend.name}`, () => {
    let repo: TradingRepository;
    let broker: ReturnType<typeof scriptedBroker>;
    let service: ReturnType<typeof createOrderService>;
    const clock = testClock();

    beforeEach(async () => {
      repo = await backend.open();
      broker = scriptedBroker();
      const quotes = testQuotes();
      quotes.set(testQuote('BTC/USDT', 40_000, 40_010, T0)); // TEST QUOTE
      const breaker = await TradingBreaker.open(repo, 'live', {});
      service = createOrderService({ repo, broker, quotes, rules: testRules, breaker, clock, limits: {}, quoteAsset: 'USDT', newClientOrderId: () => 'L1' });
    });

    it('follows partial fills to filled, recording each fill once, with a LIVE badge', async () => {
      const placed = await service.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '1', limitPrice: '39000', requestedBy: 'u' });
      expect(placed).toMatchObject({ badge: 'LIVE', order: { status: 'open', brokerOrderId: 'x-L1' } });
      const o = broker.orders.get('L1')!;
      broker.orders.set('L1', { ...o, status: 'partially_filled', filledAmount: dec('0.4'), averagePrice: dec('39000'), fills: [fill('t1', '0.4', '39000', T0 + 1)] });
      expect((await service.reconcile()).fillsRecorded).toBe(1);
      expect((await service.reconcile()).updated).toEqual([]);
      broker.orders.set('L1', { ...o, status: 'filled', filledAmount: dec('1'), averagePrice: dec('38994'), fills: [fill('t1', '0.4', '39000', T0 + 1), fill('t2', '0.6', '38990', T0 + 2)] });
      const report = await service.reconcile();
      expect(report).toMatchObject({ checked: 1, fillsRecorded: 1 });
      expect((await repo.orderHistory('L1')).map((t) => [t.status, t.filledAmount.toString()])).toEqual([
        ['new', '0'], ['open', '0'], ['partially_filled', '0.4'], ['filled', '1'],
      ]);
      expect((await repo.listPositions('live'))[0]).toMatchObject({ amount: dec('1'), cost: dec('38994') });
      expect((await service.reconcile()).checked).toBe(0);
    });

    it('reports an open order the broker no longer knows, and a failed query, without changing them', async () => {
      await service.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '1', limitPrice: '39000', requestedBy: 'u' });
      broker.fail = 'exchange timeout';
      expect((await service.reconcile()).failed.map((f) => f.reason)).toEqual(['exchange timeout']);
      broker.fail = undefined;
      broker.orders.clear();
      expect((await service.reconcile()).missing.map((o) => o.clientOrderId)).toEqual(['L1']);
      expect((await repo.getOrder('L1'))?.status).toBe('open');
    });

    it('stores one daily snapshot per day', async () => {
      const first = await service.recordDailySnapshot(T0);
      expect(first).toMatchObject({ stored: true, snapshot: { day: '2026-01-05', mode: 'live', openPositions: 0 } });
      expect((await service.recordDailySnapshot(T0 + 1)).stored).toBe(false);
      expect(await service.dailySnapshots()).toHaveLength(1);
    });
  });
}
