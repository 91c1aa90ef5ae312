import { beforeEach, describe, expect, it } from 'vitest';
import type { BrokerOrder } from '../../src/trading/broker.js';
import { dec, Decimal } from '../../src/trading/decimal.js';
import type { TradingRepository } from '../../src/trading/repository.js';
import type { OrderState } from '../../src/trading/types.js';
import { newOrder, T0, testFill } from './helpers.js';

const state = (over: Partial<OrderState> = {}): OrderState => ({
  status: 'open', brokerOrderId: 'b-1', filledAmount: Decimal.ZERO, averagePrice: undefined, reason: undefined, ...over,
});

/** The behaviour every TradingRepository must have; run on SQLite and on MongoDB. */
export function describeTradingRepositoryContract(
  name: string,
  open: () => Promise<TradingRepository>,
  openShared: (count: number) => Promise<TradingRepository[]>,
): void {
  describe(`TradingRepository contract: ${name}`, () => {
    let repo: TradingRepository;
    beforeEach(async () => {
      repo = await open();
    });

    describe('orders', () => {
      it('writes a new order once per client order id and returns it with every field', async () => {
        const first = await repo.insertOrder(newOrder({ type: 'limit', limitPrice: dec('39000.5'), expiresAtMs: T0 + 60_000 }));
        expect(first.created).toBe(true);
        expect(first.order).toMatchObject({ clientOrderId: 'o-1', status: 'new', seq: 1, amount: dec('0.5'), limitPrice: dec('39000.5'), expiresAtMs: T0 + 60_000, stopPrice: undefined, filledAmount: Decimal.ZERO });
        const again = await repo.insertOrder(newOrder({ amount: dec('9') }));
        expect(again.created).toBe(false);
        expect(again.order.amount).toEqual(dec('0.5'));
        expect(await repo.listOrders({ limit: 10 })).toHaveLength(1);
      });

      it('keeps an entry\'s stop-loss and take-profit and an exit\'s link to its entry, through transitions and listings', async () => {
        await repo.insertOrder(newOrder({ stopLossPrice: dec('38000'), takeProfitPrice: dec('45000.5') }));
        await repo.insertOrder(newOrder({ clientOrderId: 'o-1-sl', side: 'sell', type: 'stop', stopPrice: dec('38000'), parentClientOrderId: 'o-1' }));
        expect(await repo.getOrder('o-1')).toMatchObject({ stopLossPrice: dec('38000'), takeProfitPrice: dec('45000.5'), parentClientOrderId: undefined });
        const moved = await repo.transitionOrder('o-1-sl', 1, state(), T0 + 1);
        expect(moved).toMatchObject({ status: 'open', parentClientOrderId: 'o-1', stopLossPrice: undefined });
        const listed = await repo.listOrders({ statuses: ['open'], limit: 10 });
        expect(listed.map((o) => [o.clientOrderId, o.parentClientOrderId])).toEqual([['o-1-sl', 'o-1']]);
      });

      it('lets exactly one of many concurrent inserts of one client order id create it', async () => {
        const results = await Promise.all(Array.from({ length: 12 }, (_, i) => repo.insertOrder(newOrder({ requestedBy: `u${i}` }))));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(await repo.listOrders({ limit: 50 })).toHaveLength(1);
      });

      it('stores each transition with its time, in order, and keeps the latest state on the order', async () => {
        await repo.insertOrder(newOrder());
        const open = await repo.transitionOrder('o-1', 1, state(), T0 + 1);
        expect(open).toMatchObject({ status: 'open', seq: 2, brokerOrderId: 'b-1', updatedAtMs: T0 + 1 });
        await repo.transitionOrder('o-1', 2, state({ status: 'partially_filled', filledAmount: dec('0.2'), averagePrice: dec('40000') }), T0 + 2);
        const done = await repo.transitionOrder('o-1', 3, state({ status: 'filled', filledAmount: dec('0.5'), averagePrice: dec('40010') }), T0 + 3);
        expect(done).toMatchObject({ status: 'filled', seq: 4, filledAmount: dec('0.5'), averagePrice: dec('40010') });
        const history = await repo.orderHistory('o-1');
        expect(history.map((t) => [t.seq, t.status, t.atMs])).toEqual([[1, 'new', T0], [2, 'open', T0 + 1], [3, 'partially_filled', T0 + 2], [4, 'filled', T0 + 3]]);
        expect(await repo.getOrder('o-1')).toEqual(done);
      });

      it('refuses a transition from a stale seq and one the lifecycle forbids', async () => {
        await repo.insertOrder(newOrder());
        await repo.transitionOrder('o-1', 1, state({ status: 'rejected', reason: 'no' }), T0 + 1);
        expect(await repo.transitionOrder('o-1', 1, state(), T0 + 2)).toBeUndefined();
        await expect(repo.transitionOrder('o-1', 2, state(), T0 + 2)).rejects.toThrow(/rejected to open/);
      });

      it('lets exactly one of many concurrent transitions from the same seq win', async () => {
        await repo.insertOrder(newOrder());
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => repo.transitionOrder('o-1', 1, state({ brokerOrderId: `b-${i}` }), T0 + i)),
        );
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(await repo.orderHistory('o-1')).toHaveLength(2);
        expect((await repo.getOrder('o-1'))?.brokerOrderId).toBe(winners[0]!.brokerOrderId);
      });

      it('lists orders newest first, by mode, symbol and status', async () => {
        await repo.insertOrder(newOrder({ clientOrderId: 'a', createdAtMs: T0 }));
        await repo.insertOrder(newOrder({ clientOrderId: 'b', createdAtMs: T0 + 1, symbol: 'ETH/USDT', base: 'ETH' }));
        await repo.insertOrder(newOrder({ clientOrderId: 'c', createdAtMs: T0 + 2, mode: 'live' }));
        await repo.transitionOrder('a', 1, state({ status: 'filled', filledAmount: dec('0.5'), averagePrice: dec('1') }), T0 + 5);
        expect((await repo.listOrders({ limit: 10 })).map((o) => o.clientOrderId)).toEqual(['c', 'b', 'a']);
        expect((await repo.listOrders({ limit: 10, mode: 'paper' })).map((o) => o.clientOrderId)).toEqual(['b', 'a']);
        expect((await repo.listOrders({ limit: 10, symbol: 'ETH/USDT' })).map((o) => o.clientOrderId)).toEqual(['b']);
        expect((await repo.listOrders({ limit: 10, statuses: ['new', 'open'] })).map((o) => o.clientOrderId)).toEqual(['c', 'b']);
        expect((await repo.listOrders({ limit: 10, statuses: ['filled'] }))[0]).toMatchObject({ clientOrderId: 'a', status: 'filled' });
        expect(await repo.listOrders({ limit: 1 })).toHaveLength(1);
      });
    });

    describe('fills, positions and balances', () => {
      it('records a fill once and moves the position and balances by exact decimals', async () => {
        await repo.recordDeposit({ key: 'start', mode: 'paper', asset: 'USDT', amount: dec('100000'), atMs: T0, note: 'start' });
        const first = await repo.recordFill(testFill());
        expect(first.inserted).toBe(true);
        expect(first.fill).toMatchObject({ realizedPnl: Decimal.ZERO, amount: dec('0.5') });
        expect((await repo.recordFill(testFill({ amount: dec('7') }))).inserted).toBe(false);
        const [position] = await repo.listPositions('paper');
        expect(position).toMatchObject({ symbol: 'BTC/USDT', amount: dec('0.5'), cost: dec('20020'), feesPaid: dec('20') });
        expect(await repo.listBalances('paper')).toEqual([
          { mode: 'paper', asset: 'BTC', amount: dec('0.5') },
          { mode: 'paper', asset: 'USDT', amount: dec('79980') },
        ]);
      });

      it('realizes P&L on sells pro rata to the cost, net of fees', async () => {
        await repo.recordDeposit({ key: 'start', mode: 'paper', asset: 'USDT', amount: dec('100000'), atMs: T0, note: 'start' });
        await repo.recordFill(testFill({ amount: dec('0.3'), price: dec('0.1'), feeAmount: dec('0.01') }));
        await repo.recordFill(testFill({ fillId: 'f-2', amount: dec('0.3'), price: dec('0.2'), feeAmount: dec('0.02') }));
        const sell = await repo.recordFill(testFill({ clientOrderId: 'o-2', side: 'sell', amount: dec('0.2'), price: dec('0.3'), feeAmount: dec('0.001') }));
        // cost 0.03+0.01+0.06+0.02 = 0.12 for 0.6; a third sold removes 0.04; proceeds 0.06 − 0.001 fee
        expect(sell.fill.realizedPnl).toEqual(dec('0.019'));
        const [position] = await repo.listPositions('paper');
        expect(position).toMatchObject({ amount: dec('0.4'), cost: dec('0.08'), realizedPnl: dec('0.019') });
        const cash = (await repo.listBalances('paper')).find((b) => b.asset === 'USDT')!.amount;
        expect(cash).toEqual(dec('100000').minus(dec('0.12')).plus(dec('0.059')));
      });

      it('records exactly one of many concurrent copies of a fill', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => repo.recordFill(testFill())));
        expect(results.filter((r) => r.inserted)).toHaveLength(1);
        expect(await repo.listFills({ limit: 50 })).toHaveLength(1);
        expect((await repo.listBalances('paper')).find((b) => b.asset === 'BTC')?.amount).toEqual(dec('0.5'));
      });

      it('keeps every distinct concurrent fill, each applied once', async () => {
        await Promise.all(Array.from({ length: 8 }, (_, i) => repo.recordFill(testFill({ fillId: `f-${i}`, amount: dec('0.1'), feeAmount: dec('0') }))));
        const [position] = await repo.listPositions('paper');
        expect(position?.amount).toEqual(dec('0.8'));
        expect(position?.cost).toEqual(dec('32000'));
        const entries = await repo.listEntries('paper', 0);
        expect(entries.map((e) => e.seq)).toEqual([...entries.map((e) => e.seq)].sort((a, b) => a - b));
      });

      it('records a deposit once per key and keeps modes apart', async () => {
        const dep = { key: 'k', mode: 'live' as const, asset: 'USDT', amount: dec('5.5'), atMs: T0, note: 'x' };
        expect(await repo.recordDeposit(dep)).toEqual({ inserted: true });
        expect(await repo.recordDeposit(dep)).toEqual({ inserted: false });
        expect(await repo.listBalances('live')).toEqual([{ mode: 'live', asset: 'USDT', amount: dec('5.5') }]);
        expect(await repo.listBalances('paper')).toEqual([]);
      });

      it('lists a mode\'s deposits oldest first, and no fills', async () => {
        await repo.recordDeposit({ key: 'start', mode: 'paper', asset: 'USDT', amount: dec('100000'), atMs: T0, note: 'start' });
        await repo.recordFill(testFill({ fillId: 'a', atMs: T0 + 5 }));
        await repo.recordDeposit({ key: 'live-sync', mode: 'live', asset: 'USDT', amount: dec('7'), atMs: T0 + 8, note: 'sync' });
        await repo.recordDeposit({ key: 'top-up', mode: 'paper', asset: 'BTC', amount: dec('-0.25'), atMs: T0 + 10, note: '' });
        expect(await repo.listDeposits('paper')).toEqual([
          { key: 'start', mode: 'paper', asset: 'USDT', amount: dec('100000'), atMs: T0, note: 'start' },
          { key: 'top-up', mode: 'paper', asset: 'BTC', amount: dec('-0.25'), atMs: T0 + 10, note: '' },
        ]);
        expect((await repo.listDeposits('live')).map((d) => d.key)).toEqual(['live-sync']);
        const entries = (await repo.listEntries('paper', 0)).flatMap((e) => (e.kind === 'deposit' ? [e.deposit] : []));
        expect(await repo.listDeposits('paper')).toEqual(entries);
      });

      it('lists fills newest first by order, symbol, mode and time', async () => {
        await repo.recordFill(testFill({ fillId: 'a', atMs: T0 }));
        await repo.recordFill(testFill({ fillId: 'b', atMs: T0 + 10, clientOrderId: 'o-2', symbol: 'ETH/USDT', base: 'ETH' }));
        await repo.recordFill(testFill({ fillId: 'c', atMs: T0 + 20, mode: 'live' }));
        expect((await repo.listFills({ limit: 10 })).map((f) => f.fillId)).toEqual(['c', 'b', 'a']);
        expect((await repo.listFills({ limit: 10, mode: 'paper', sinceMs: T0 + 5 })).map((f) => f.fillId)).toEqual(['b']);
        expect((await repo.listFills({ limit: 10, clientOrderId: 'o-1' })).map((f) => f.fillId)).toEqual(['c', 'a']);
        expect((await repo.listFills({ limit: 10, symbol: 'ETH/USDT' })).map((f) => f.fillId)).toEqual(['b']);
      });
    });

    describe('two processes on one database', () => {
      it('record interleaved and duplicated fills concurrently: each once, and both agree with a fresh reader', async () => {
        const [a, b, fresh] = (await openShared(3)) as [TradingRepository, TradingRepository, TradingRepository];
        await a.recordDeposit({ key: 'start', mode: 'paper', asset: 'USDT', amount: dec('100000'), atMs: T0, note: 'start' });
        const fills = Array.from({ length: 12 }, (_, i) =>
          testFill({ fillId: `f-${i}`, side: i % 3 === 2 ? 'sell' : 'buy', amount: dec('0.01'), price: dec(40_000 + i), feeAmount: dec('0.4') }),
        );
        // Every fill three times from two processes at once, in any order; the buys before the sells, as a broker
        // can only fill a sell from a position that exists (in one phase, a sell could land before its buys).
        const record = (batch: typeof fills) =>
          Promise.all(batch.flatMap((f, i) => [a.recordFill(f), b.recordFill(f), (i % 2 ? a : b).recordFill(f)]));
        const results = [...(await record(fills.filter((f) => f.side === 'buy'))), ...(await record(fills.filter((f) => f.side === 'sell')))];
        expect(results.filter((r) => r.inserted)).toHaveLength(12);
        for (const repo of [a, b, fresh]) {
          expect((await repo.listPositions('paper')).map((p) => [p.amount.toString(), p.cost.toString(), p.realizedPnl.toString()])).toEqual(
            (await a.listPositions('paper')).map((p) => [p.amount.toString(), p.cost.toString(), p.realizedPnl.toString()]),
          );
        }
        const [position] = await a.listPositions('paper');
        expect(position?.amount).toEqual(dec('0.04'));
        const cash = (await b.listBalances('paper')).find((x) => x.asset === 'USDT')!.amount;
        expect(cash.plus(position!.cost).toString()).toBe(dec('100000').plus(position!.realizedPnl).toString());
        const seqs = (await a.listEntries('paper', 0)).map((e) => e.seq);
        expect(seqs).toEqual(Array.from({ length: 13 }, (_, i) => seqs[0]! + i));
      });

      it('let exactly one of them create an order and win each transition', async () => {
        const [a, b] = (await openShared(2)) as [TradingRepository, TradingRepository];
        const created = await Promise.all([a, b, a, b].map((r) => r.insertOrder(newOrder())));
        expect(created.filter((c) => c.created)).toHaveLength(1);
        const moved = await Promise.all([a, b].map((r, i) => r.transitionOrder('o-1', 1, state({ brokerOrderId: `b-${i}` }), T0 + 1)));
        expect(moved.filter((m) => m !== undefined)).toHaveLength(1);
        expect(await a.listOrders({ limit: 10, statuses: ['open'] })).toHaveLength(1);
        expect(await b.orderHistory('o-1')).toHaveLength(2);
      });
    });

    describe('snapshots, breaker events and the paper book', () => {
      it('stores one daily snapshot per (mode, day)', async () => {
        const snap = { mode: 'paper' as const, day: '2026-01-05', atMs: T0, equity: dec('100.5'), cash: dec('50'), realizedPnl: dec('-1.25'), unrealizedPnl: dec('0'), netDeposits: dec('100'), openPositions: 2 };
        expect(await repo.putDailySnapshot(snap)).toBe(true);
        expect(await repo.putDailySnapshot({ ...snap, equity: dec('1') })).toBe(false);
        expect(await repo.putDailySnapshot({ ...snap, day: '2026-01-06' })).toBe(true);
        expect(await repo.putDailySnapshot({ ...snap, mode: 'live' })).toBe(true);
        expect(await repo.listDailySnapshots('paper')).toEqual([snap, { ...snap, day: '2026-01-06' }]);
        expect(await repo.listDailySnapshots('paper', '2026-01-06')).toHaveLength(1);
      });

      it('appends breaker events by seq, one winner per seq', async () => {
        const ev = { mode: 'paper' as const, seq: 1, atMs: T0, kind: 'tripped' as const, trigger: 'drawdown' as const, detail: 'dd 12%', by: undefined };
        const results = await Promise.all(Array.from({ length: 8 }, () => repo.appendBreakerEvent(ev)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await repo.appendBreakerEvent({ ...ev, seq: 3 })).toBe(false);
        expect(await repo.appendBreakerEvent({ ...ev, seq: 2, kind: 'reset', trigger: undefined, by: 'admin' })).toBe(true);
        expect(await repo.listBreakerEvents('paper', 10)).toEqual([{ ...ev, seq: 2, kind: 'reset', trigger: undefined, by: 'admin' }, ev]);
        expect(await repo.listBreakerEvents('live', 10)).toEqual([]);
      });

      it('saves and reloads paper broker orders with their fills', async () => {
        const order: BrokerOrder = {
          clientOrderId: 'p1', brokerOrderId: 'paper-1', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', side: 'buy', type: 'limit',
          amount: dec('1'), limitPrice: dec('10'), stopPrice: undefined, expiresAtMs: undefined, status: 'open', filledAmount: Decimal.ZERO,
          averagePrice: undefined, fills: [], reason: undefined, createdAtMs: T0, updatedAtMs: T0,
        };
        await repo.savePaperOrder(order);
        const filled: BrokerOrder = { ...order, status: 'filled', filledAmount: dec('1'), averagePrice: dec('10'), updatedAtMs: T0 + 1, fills: [{ fillId: 'paper-1-1', amount: dec('1'), price: dec('10'), feeAmount: dec('0.008'), feeAsset: 'USDT', atMs: T0 + 1 }] };
        await repo.savePaperOrder(filled);
        await repo.savePaperOrder({ ...order, clientOrderId: 'p2', brokerOrderId: 'paper-2', createdAtMs: T0 + 2 });
        expect(await repo.loadPaperOrders()).toEqual([filled, { ...order, clientOrderId: 'p2', brokerOrderId: 'paper-2', createdAtMs: T0 + 2 }]);
      });
    });
  });
}
