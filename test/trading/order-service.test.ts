import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TemporaryError, UserError } from '../../src/errors.js';
import { TradingBreaker, type BreakerLimits } from '../../src/trading/breaker.js';
import { OutcomeUnknownError, type Broker } from '../../src/trading/broker.js';
import { dec } from '../../src/trading/decimal.js';
import { createOrderService } from '../../src/trading/order-service.js';
import { createPaperBroker } from '../../src/trading/paper-broker.js';
import type { TradingRepository } from '../../src/trading/repository.js';
import type { RiskLimits } from '../../src/trading/risk-rules.js';
import { BACKENDS, dropMongoRepos, T0, testClock, testQuote, testQuotes, testRules } from './helpers.js';

afterAll(dropMongoRepos);

// Every quote here is a TEST QUOTE built by the test, with provenance source `test-exchange`.
for (const backend of BACKENDS) {
  describe(`order service on ${backend.name}`, () => {
    let repo: TradingRepository;
    let clock: ReturnType<typeof testClock>;
    let quotes: ReturnType<typeof testQuotes>;
    let ids = 0;

    /** The whole paper stack over `repo`, as the composition root would build it at start-up. */
    const boot = async (opts: { limits?: RiskLimits; breaker?: BreakerLimits; wrap?: (b: Broker) => Broker } = {}) => {
      const paper = await createPaperBroker({ quotes, rules: testRules, clock, store: repo, startingBalances: { USDT: '10000' }, slippage: 0 });
      const breaker = await TradingBreaker.open(repo, 'paper', opts.breaker ?? {});
      const broker = opts.wrap ? opts.wrap(paper) : paper;
      const service = createOrderService({
        repo, broker: Object.assign(broker, { checkRestingOrders: paper.checkRestingOrders }), quotes, rules: testRules, breaker, clock,
        limits: opts.limits ?? {}, quoteAsset: 'USDT', startingBalances: { USDT: '10000' }, newClientOrderId: () => `id-${++ids}`,
      });
      const startup = await service.start();
      return { paper, breaker, service, startup };
    };
    const nonZero = (list: Array<{ asset: string; amount: ReturnType<typeof dec> }>) =>
      list.filter((b) => !b.amount.isZero()).map((b) => [b.asset, b.amount.toString()]);
    const expectAgreement = async (paper: Broker) => {
      expect(nonZero(await repo.listBalances('paper'))).toEqual(nonZero(await paper.balances()));
    };
    const buy = { symbol: 'BTC/USDT', side: 'buy' as const, type: 'market' as const, amount: '0.1', requestedBy: 'u1' };

    beforeEach(async () => {
      ids = 0;
      repo = await backend.open();
      clock = testClock();
      quotes = testQuotes();
      quotes.set(testQuote('BTC/USDT', 40_000, 40_010, T0));
    });

    it('risk-checks, writes, sends, records the fill and updates position and balances, with a PAPER badge', async () => {
      const { service, paper } = await boot();
      const result = await service.placeOrder(buy);
      expect(result).toMatchObject({ kind: 'placed', badge: 'PAPER', duplicate: false, order: { clientOrderId: 'id-1', status: 'filled', filledAmount: dec('0.1') } });
      if (result.kind !== 'placed') throw new Error('not placed');
      expect(result.fills).toHaveLength(1);
      expect((await repo.orderHistory('id-1')).map((t) => t.status)).toEqual(['new', 'filled']);
      const portfolio = await service.portfolio(clock.now());
      expect(portfolio.positions[0]).toMatchObject({ symbol: 'BTC/USDT', amount: dec('0.1'), cost: dec('4005.001'), mark: dec('40000') });
      expect(portfolio.equity).toEqual(dec('10000').minus(dec('4005.001')).plus(dec('4000')));
      await expectAgreement(paper);
    });

    it('places an order once per client order id, also when asked concurrently', async () => {
      const { service } = await boot();
      const results = await Promise.all(Array.from({ length: 5 }, () => service.placeOrder({ ...buy, clientOrderId: 'req-1' })));
      expect(results.filter((r) => r.kind === 'placed' && !r.duplicate)).toHaveLength(1);
      expect(await repo.listOrders({ limit: 10 })).toHaveLength(1);
      expect(await repo.listFills({ limit: 10 })).toHaveLength(1);
    });

    it('returns a risk refusal naming the rule, limit and value, and writes no order', async () => {
      const { service } = await boot({ limits: { maxOrderNotional: dec('1000') } });
      const result = await service.placeOrder(buy);
      expect(result).toEqual({ kind: 'refused', badge: 'PAPER', refusal: expect.objectContaining({ ok: false, rule: 'max_order_notional', limit: '1000', current: '4001' }) });
      expect(await repo.listOrders({ limit: 10 })).toEqual([]);
    });

    it('stores a broker refusal as a rejected order with the reason, and rethrows it', async () => {
      const { service } = await boot();
      await expect(service.placeOrder({ ...buy, amount: '1' })).rejects.toThrow(UserError);
      clock.advance(60_000); // the quote is now stale
      await expect(service.placeOrder(buy)).rejects.toThrow(TemporaryError);
      const orders = await repo.listOrders({ limit: 10 });
      expect(orders.map((o) => [o.status, o.reason?.slice(0, 28)])).toEqual([
        ['rejected', 'the BTC/USDT quote from test'],
        ['rejected', 'insufficient paper balance: '],
      ]);
    });

    it('rests a limit order, fills it on refresh once crossed, and cancels another', async () => {
      const { service, paper } = await boot();
      await service.placeOrder({ ...buy, type: 'limit', limitPrice: '39000' });
      await service.placeOrder({ ...buy, type: 'limit', limitPrice: '35000' });
      expect((await service.orders({ limit: 10, statuses: ['open'] })).length).toBe(2);
      quotes.set(testQuote('BTC/USDT', 38_900, 38_950, T0 + 1_000));
      clock.set(T0 + 1_000);
      const report = await service.refresh(clock.now());
      expect(report.updated.map((o) => [o.clientOrderId, o.status])).toEqual([['id-1', 'filled']]);
      expect(await service.cancelOrder('id-2')).toMatchObject({ status: 'cancelled' });
      await expect(service.cancelOrder('id-2')).rejects.toThrow(/already cancelled/);
      expect((await service.portfolio(clock.now())).positions[0]?.cost).toEqual(dec('3900').plus(dec('3.12')));
      await expectAgreement(paper);
    });

    it('closes a position at market, realizing the P&L', async () => {
      const { service } = await boot();
      await service.placeOrder(buy);
      quotes.set(testQuote('BTC/USDT', 41_000, 41_010, T0));
      const result = await service.closePosition('BTC/USDT', 'u1');
      expect(result).toMatchObject({ kind: 'placed', order: { side: 'sell', amount: dec('0.1'), status: 'filled' } });
      const [position] = await repo.listPositions('paper');
      expect(position).toMatchObject({ amount: dec('0'), realizedPnl: dec('4100').minus(dec('4.1')).minus(dec('4005.001')) });
      await expect(service.closePosition('BTC/USDT', 'u1')).rejects.toThrow(/no open paper position/);
    });

    it('refuses entries while the breaker is tripped and still lets exits through', async () => {
      const { service, breaker } = await boot({ breaker: { maxDrawdownPct: 5 } });
      await service.placeOrder({ ...buy, amount: '0.2' });
      quotes.set(testQuote('BTC/USDT', 30_000, 30_010, T0));
      const refused = await service.placeOrder(buy);
      expect(refused).toMatchObject({ kind: 'refused', refusal: { rule: 'breaker', limit: 'drawdown' } });
      expect(breaker.status()).toMatchObject({ tripped: true, trigger: 'drawdown' });
      expect(await service.closePosition('BTC/USDT', 'u1')).toMatchObject({ kind: 'placed' });
      await service.resetBreaker('admin-1');
      expect(await service.placeOrder(buy)).toMatchObject({ kind: 'placed' });
    });

    it('refuses entries once today\'s realized loss reaches the limit, and allows them again the next UTC day', async () => {
      const { service } = await boot({ limits: { maxDailyLoss: dec('50') } });
      await service.placeOrder(buy);
      quotes.set(testQuote('BTC/USDT', 39_000, 39_010, T0));
      await service.closePosition('BTC/USDT', 'u1'); // 3900 − 3.9 fee − 4005.001 cost = −108.901
      expect(await service.placeOrder(buy)).toMatchObject({ kind: 'refused', refusal: { rule: 'daily_loss', limit: '50', current: '108.901' } });
      clock.set(Date.UTC(2026, 0, 6, 0, 0, 1));
      quotes.set(testQuote('BTC/USDT', 39_000, 39_010, clock.now()));
      expect(await service.placeOrder(buy)).toMatchObject({ kind: 'placed' });
    });

    describe('reconcile after a crash', () => {
      it('order written but never sent: pending within the grace period, then rejected; exactly one order', async () => {
        const crashBeforeSend = (b: Broker): Broker => ({ ...b, placeOrder: async () => { throw new Error('process killed before send'); } });
        const first = await boot({ wrap: crashBeforeSend });
        await expect(first.service.placeOrder(buy)).rejects.toBeInstanceOf(OutcomeUnknownError);
        expect((await repo.getOrder('id-1'))?.status).toBe('new');
        clock.advance(10_000);
        const restart = await boot();
        expect(restart.startup.pending.map((o) => o.clientOrderId)).toEqual(['id-1']);
        clock.advance(60_000);
        const later = await restart.service.reconcile();
        expect(later.neverSent.map((o) => [o.clientOrderId, o.status])).toEqual([['id-1', 'rejected']]);
        expect(await repo.listOrders({ limit: 10 })).toHaveLength(1);
        expect(await repo.listFills({ limit: 10 })).toEqual([]);
        await expectAgreement(restart.paper);
      });

      it('order sent and filled but the fill not recorded: reconcile records it once', async () => {
        const crashAfterSend = (b: Broker): Broker => ({ ...b, placeOrder: async (r) => { await b.placeOrder(r); throw new Error('process killed after send'); } });
        const first = await boot({ wrap: crashAfterSend });
        await expect(first.service.placeOrder(buy)).rejects.toBeInstanceOf(OutcomeUnknownError);
        expect(await repo.listFills({ limit: 10 })).toEqual([]);
        const restart = await boot();
        expect(restart.startup).toMatchObject({ checked: 1, fillsRecorded: 1 });
        expect(await repo.getOrder('id-1')).toMatchObject({ status: 'filled', brokerOrderId: 'paper-1' });
        expect((await restart.service.reconcile()).updated).toEqual([]);
        expect(await repo.listOrders({ limit: 10 })).toHaveLength(1);
        expect(await repo.listFills({ limit: 10 })).toHaveLength(1);
        await expectAgreement(restart.paper);
      });

      it('fill recorded but the order transition lost: reconcile finishes it without doubling the fill', async () => {
        const first = await boot();
        const realTransition = repo.transitionOrder.bind(repo);
        repo.transitionOrder = async () => { throw new Error('process killed before the transition'); };
        await expect(first.service.placeOrder(buy)).rejects.toThrow(/killed/);
        repo.transitionOrder = realTransition;
        expect(await repo.listFills({ limit: 10 })).toHaveLength(1);
        const restart = await boot();
        expect(restart.startup.updated.map((o) => o.status)).toEqual(['filled']);
        expect(await repo.listFills({ limit: 10 })).toHaveLength(1);
        await expectAgreement(restart.paper);
      });

      it('a resting order filled while the bot was down is recorded at start-up', async () => {
        const first = await boot();
        await first.service.placeOrder({ ...buy, type: 'limit', limitPrice: '39000' });
        quotes.set(testQuote('BTC/USDT', 38_000, 38_010, T0 + 5));
        await first.paper.checkRestingOrders(T0 + 5); // the broker fills it; the bot stops before syncing
        const restart = await boot();
        expect(restart.startup.updated.map((o) => [o.clientOrderId, o.status])).toEqual([['id-1', 'filled']]);
        await expectAgreement(restart.paper);
      });
    });
  });
}
