import { beforeEach, describe, expect, it } from 'vitest';
import { TemporaryError, UserError } from '../../src/errors.js';
import type { OrderRequest } from '../../src/trading/broker.js';
import { dec } from '../../src/trading/decimal.js';
import { createPaperBroker, type PaperBroker, type PaperBrokerOptions } from '../../src/trading/paper-broker.js';
import type { TradingRepository } from '../../src/trading/repository.js';
import { openSqliteRepo, T0, testClock, testQuote, testQuotes, testRules } from './helpers.js';

// Every quote here is a TEST QUOTE built by the test, with provenance source `test-exchange`.
const req = (over: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: 'c1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: dec('0.1'), limitPrice: undefined,
  stopPrice: undefined, expiresAtMs: undefined, ...over,
});

describe('paper broker', () => {
  let repo: TradingRepository;
  let clock: ReturnType<typeof testClock>;
  let quotes: ReturnType<typeof testQuotes>;
  let broker: PaperBroker;
  const open = (over: Partial<PaperBrokerOptions> = {}) =>
    createPaperBroker({ quotes, rules: testRules, clock, store: repo, startingBalances: { USDT: '10000' }, slippage: 0, ...over });

  beforeEach(async () => {
    repo = openSqliteRepo();
    clock = testClock();
    quotes = testQuotes();
    quotes.set(testQuote('BTC/USDT', 40_000, 40_010, T0));
    quotes.set(testQuote('ETH/USDT', 2_000, 2_001, T0));
    broker = await open();
  });

  describe('market orders', () => {
    it('buys at the ask and sells at the bid, fee from the market rules in the quote asset', async () => {
      const buy = await broker.placeOrder(req());
      expect(buy).toMatchObject({ status: 'filled', filledAmount: dec('0.1'), averagePrice: dec('40010') });
      expect(buy.fills).toEqual([{ fillId: 'paper-1-1', amount: dec('0.1'), price: dec('40010'), feeAmount: dec('4.001'), feeAsset: 'USDT', atMs: T0 }]);
      const sell = await broker.placeOrder(req({ clientOrderId: 'c2', side: 'sell', amount: dec('0.05') }));
      expect(sell.fills[0]).toMatchObject({ price: dec('40000'), feeAmount: dec('2') });
      expect(await broker.balances()).toEqual([
        { mode: 'paper', asset: 'BTC', amount: dec('0.05') },
        { mode: 'paper', asset: 'USDT', amount: dec('10000').minus(dec('4001')).minus(dec('4.001')).plus(dec('2000')).minus(dec('2')) },
      ]);
    });

    it('applies slippage in bps against the trader and rounds the price to the tick', async () => {
      broker = await open({ slippage: 10 });
      const buy = await broker.placeOrder(req());
      expect(buy.averagePrice).toEqual(dec('40050.01')); // 40010 × 1.001 = 40050.01
      const sell = await broker.placeOrder(req({ clientOrderId: 'c2', side: 'sell', amount: dec('0.1') }));
      expect(sell.averagePrice).toEqual(dec('39960')); // 40000 × 0.999
    });

    it('takes a slippage model as a function of the request and the quote', async () => {
      broker = await open({ slippage: (r) => (r.amount.gt(dec('0.05')) ? 25 : 0) });
      expect((await broker.placeOrder(req({ amount: dec('0.01') }))).averagePrice).toEqual(dec('40010'));
      expect((await broker.placeOrder(req({ clientOrderId: 'c2' }))).averagePrice).toEqual(dec('40110.03')); // 40010 × 1.0025 = 40110.025 → up
    });

    it('falls back to the configured fee rate when the market has none', async () => {
      broker = await open({ takerFeeRate: '0.002' });
      const buy = await broker.placeOrder(req({ symbol: 'ETH/USDT', amount: dec('1') }));
      expect(buy.fills[0]!.feeAmount).toEqual(dec('4.002'));
    });

    it('rounds the amount down to the lot size and refuses below the minimum amount or value', async () => {
      expect((await broker.placeOrder(req({ amount: dec('0.123456') }))).filledAmount).toEqual(dec('0.1234'));
      await expect(broker.placeOrder(req({ clientOrderId: 'c2', amount: dec('0.00004') }))).rejects.toThrow(/rounds to 0 BTC/);
      await expect(broker.placeOrder(req({ clientOrderId: 'c3', amount: dec('0.0002') }))).rejects.toThrow(
        /order value 8.002 USDT is below the minimum 10 USDT for BTC\/USDT/,
      );
      await expect(broker.placeOrder(req({ clientOrderId: 'c4', symbol: 'ETH/USDT', amount: dec('0.005') }))).rejects.toThrow(
        /amount 0.005 ETH is below the minimum 0.01 ETH/,
      );
    });

    it('refuses to overdraw: buys beyond the cash, sells beyond the coins', async () => {
      await expect(broker.placeOrder(req({ amount: dec('1') }))).rejects.toThrow(/insufficient paper balance: need 40050.01 USDT, 10000 USDT available/);
      await expect(broker.placeOrder(req({ clientOrderId: 'c2', side: 'sell' }))).rejects.toThrow(UserError);
      expect(await broker.balances()).toEqual([{ mode: 'paper', asset: 'USDT', amount: dec('10000') }]);
    });

    it('returns the same order for a client order id it already has, without filling twice', async () => {
      const first = await broker.placeOrder(req());
      expect(await broker.placeOrder(req({ amount: dec('0.2') }))).toEqual(first);
      expect((await broker.balances()).find((b) => b.asset === 'BTC')?.amount).toEqual(dec('0.1'));
    });
  });

  describe('refusing to fill on bad quotes', () => {
    it('refuses a stale quote with a TemporaryError naming its age', async () => {
      clock.set(T0 + 31_000);
      const error = await broker.placeOrder(req()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TemporaryError);
      expect((error as Error).message).toMatch(/quote from test-exchange is 31 s old \(max 30 s\)/);
      broker = await open({ maxQuoteAgeMs: 60_000 });
      expect((await broker.placeOrder(req())).status).toBe('filled');
    });

    it('refuses a quote without bid or ask', async () => {
      quotes.set(testQuote('BTC/USDT', undefined, 40_010, T0));
      await expect(broker.placeOrder(req())).rejects.toThrow(/has no bid or ask/);
      quotes.set(testQuote('BTC/USDT', 40_000, undefined, T0));
      await expect(broker.placeOrder(req())).rejects.toBeInstanceOf(TemporaryError);
    });

    it('refuses a synthetic quote with a UserError', async () => {
      quotes.set(testQuote('BTC/USDT', 40_000, 40_010, T0, 'synthetic'));
      await expect(broker.placeOrder(req())).rejects.toThrow(/refusing to fill BTC\/USDT on a synthetic quote/);
      await expect(broker.placeOrder(req())).rejects.toBeInstanceOf(UserError);
    });

    it('refuses an unknown market', async () => {
      await expect(broker.placeOrder(req({ symbol: 'DOGE/USDT' }))).rejects.toThrow(/unknown market DOGE\/USDT/);
    });

    it('leaves resting orders alone while their quote is stale', async () => {
      await broker.placeOrder(req({ type: 'limit', limitPrice: dec('39000') }));
      clock.set(T0 + 120_000);
      quotes.set(testQuote('BTC/USDT', 38_000, 38_010, T0)); // crossed, but two minutes old
      const report = await broker.checkRestingOrders(clock.now());
      expect(report.filled).toEqual([]);
      expect(report.skipped[0]!.reason).toMatch(/120 s old/);
    });
  });

  describe('resting limit and stop orders', () => {
    it('rests a buy limit below the ask, reserves its cash, and fills at the limit as maker when the ask crosses it', async () => {
      const order = await broker.placeOrder(req({ type: 'limit', limitPrice: dec('39000.009') }));
      expect(order).toMatchObject({ status: 'open', limitPrice: dec('39000') });
      expect(await broker.openOrders()).toHaveLength(1);
      await expect(broker.placeOrder(req({ clientOrderId: 'c2', amount: dec('0.16') }))).rejects.toThrow(/insufficient/);
      quotes.set(testQuote('BTC/USDT', 39_001, 39_002, T0 + 1_000));
      clock.set(T0 + 1_000);
      expect((await broker.checkRestingOrders(clock.now())).filled).toEqual([]);
      quotes.set(testQuote('BTC/USDT', 38_990, 38_995, T0 + 2_000));
      clock.set(T0 + 2_000);
      const { filled } = await broker.checkRestingOrders(clock.now());
      expect(filled).toHaveLength(1);
      expect(filled[0]!.fills).toEqual([{ fillId: 'paper-1-1', amount: dec('0.1'), price: dec('39000'), feeAmount: dec('3.12'), feeAsset: 'USDT', atMs: T0 + 2_000 }]);
      expect(await broker.openOrders()).toEqual([]);
    });

    it('fills a marketable limit at once as taker, never past its limit', async () => {
      const order = await broker.placeOrder(req({ type: 'limit', limitPrice: dec('41000') }));
      expect(order).toMatchObject({ status: 'filled', averagePrice: dec('40010') });
    });

    it('fills a sell limit when the bid rises to it', async () => {
      await broker.placeOrder(req());
      await broker.placeOrder(req({ clientOrderId: 's', side: 'sell', type: 'limit', limitPrice: dec('41000') }));
      await expect(broker.placeOrder(req({ clientOrderId: 's2', side: 'sell', amount: dec('0.01') }))).rejects.toThrow(/need 0.01 BTC, 0 BTC available/);
      quotes.set(testQuote('BTC/USDT', 41_000, 41_010, T0 + 5));
      const { filled } = await broker.checkRestingOrders(T0 + 5);
      expect(filled[0]).toMatchObject({ status: 'filled', averagePrice: dec('41000') });
    });

    it('triggers a stop sell when the bid falls to it and fills at the bid as taker', async () => {
      await broker.placeOrder(req());
      await broker.placeOrder(req({ clientOrderId: 'stop', side: 'sell', type: 'stop', stopPrice: dec('39500') }));
      quotes.set(testQuote('BTC/USDT', 39_600, 39_610, T0 + 5));
      expect((await broker.checkRestingOrders(T0 + 5)).filled).toEqual([]);
      quotes.set(testQuote('BTC/USDT', 39_400, 39_410, T0 + 6));
      const { filled } = await broker.checkRestingOrders(T0 + 6);
      expect(filled[0]).toMatchObject({ clientOrderId: 'stop', status: 'filled', averagePrice: dec('39400') });
      expect(filled[0]!.fills[0]!.feeAmount).toEqual(dec('3.94'));
    });

    it('triggers a stop buy when the ask rises to it; refuses a stop that would trigger at once', async () => {
      await expect(broker.placeOrder(req({ type: 'stop', stopPrice: dec('40000') }))).rejects.toThrow(/would trigger at once/);
      await broker.placeOrder(req({ clientOrderId: 'sb', type: 'stop', stopPrice: dec('41000') }));
      quotes.set(testQuote('BTC/USDT', 41_050, 41_060, T0 + 5));
      const { filled } = await broker.checkRestingOrders(T0 + 5);
      expect(filled[0]).toMatchObject({ status: 'filled', averagePrice: dec('41060') });
    });

    it('expires a resting order past its time and cancels on request', async () => {
      await broker.placeOrder(req({ type: 'limit', limitPrice: dec('30000'), expiresAtMs: T0 + 10 }));
      await broker.placeOrder(req({ clientOrderId: 'c2', type: 'limit', limitPrice: dec('30000') }));
      const report = await broker.checkRestingOrders(T0 + 10);
      expect(report.expired.map((o) => [o.clientOrderId, o.status])).toEqual([['c1', 'expired']]);
      expect(await broker.cancelOrder('c2', 'BTC/USDT')).toMatchObject({ status: 'cancelled', reason: 'cancelled on request' });
      expect(await broker.cancelOrder('c1', 'BTC/USDT')).toMatchObject({ status: 'expired' });
      await expect(broker.cancelOrder('nope', 'BTC/USDT')).rejects.toThrow(/no paper order nope/);
      expect(await broker.balances()).toEqual([{ mode: 'paper', asset: 'USDT', amount: dec('10000') }]);
    });
  });

  it('keeps its book across a restart: orders, fills and balances come back from the store', async () => {
    await broker.placeOrder(req());
    await broker.placeOrder(req({ clientOrderId: 'rest', type: 'limit', limitPrice: dec('30000') }));
    const reopened = await open();
    expect(await reopened.balances()).toEqual(await broker.balances());
    expect(await reopened.fetchOrder('c1', 'BTC/USDT')).toEqual(await broker.fetchOrder('c1', 'BTC/USDT'));
    expect((await reopened.openOrders()).map((o) => o.clientOrderId)).toEqual(['rest']);
    expect((await reopened.placeOrder(req({ clientOrderId: 'c3', amount: dec('0.01') }))).brokerOrderId).toBe('paper-3');
  });
});
