import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { OrderResult } from '../../src/trading/order-service.js';
import { recordingLog, startLiveStack, type LiveStack } from './live-helpers.js';

const placed = (r: OrderResult) => {
  if (r.kind !== 'placed') throw new Error(`refused: ${r.refusal.message}`);
  return r;
};

describe('live stop-loss + take-profit: one native OCO order list on Binance (real ccxt, local exchange)', () => {
  let live: LiveStack;
  beforeEach(async () => {
    live = await startLiveStack({ USDT: 10_000 });
  });
  afterEach(async () => live.close());

  const buyProtected = async (service: Awaited<ReturnType<LiveStack['openService']>>, id = 'tc-entry') => {
    const { bid, ask } = live.exchange.tickerNow('BTCUSDT')!;
    const sl = (Math.floor(bid! * 0.95 * 100) / 100).toFixed(2);
    const tp = (Math.ceil(ask! * 1.05 * 100) / 100).toFixed(2);
    return { sl, tp, result: placed(await service.placeOrder({ clientOrderId: id, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01', stopLossPrice: sl, takeProfitPrice: tp, requestedBy: 'test' })) };
  };
  const ledgerStatus = async (id: string) => (await live.repo.getOrder(id))?.status;

  it('places both exits as one order list that holds the coins once; a take-profit fill expires the stop-loss, on the exchange and in the ledger', async () => {
    const service = await live.openService();
    await service.start();
    const { sl, tp, result } = await buyProtected(service);
    expect(result.protective!.orders.map((o) => [o.clientOrderId, o.status])).toEqual([['tc-entry-sl', 'open'], ['tc-entry-tp', 'open']]);
    expect(live.exchange.count('/api/v3/orderList/oco')).toBe(1);
    const oco = live.exchange.log.find((e) => e.path === '/api/v3/orderList/oco')!.query;
    expect(oco).toMatchObject({ symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01', aboveType: 'LIMIT_MAKER', abovePrice: tp, aboveClientOrderId: 'tc-entry-tp', belowType: 'STOP_LOSS', belowStopPrice: sl, belowClientOrderId: 'tc-entry-sl' });
    const legs = live.exchange.account.orderDetails().filter((o) => o.orderListId >= 0);
    expect(legs.map((o) => [o.clientOrderId, o.type, o.status])).toEqual([['tc-entry-sl', 'STOP_LOSS', 'NEW'], ['tc-entry-tp', 'LIMIT_MAKER', 'NEW']]);
    expect(new Set(legs.map((o) => o.orderListId)).size).toBe(1);
    expect(live.exchange.account.locked('BTC')).toBe(0.01);

    live.exchange.account.fillResting('tc-entry-tp');
    await service.reconcile();
    expect(live.exchange.account.orderDetails().find((o) => o.clientOrderId === 'tc-entry-sl')!.status).toBe('EXPIRED');
    expect([await ledgerStatus('tc-entry-tp'), await ledgerStatus('tc-entry-sl')]).toEqual(['filled', 'expired']);
    expect((await live.repo.getOrder('tc-entry-sl'))!.reason).toBe('the other order of its OCO filled, so the exchange ended it');
    expect((await live.repo.listPositions('live')).find((p) => p.symbol === 'BTC/USDT')!.amount.toString()).toBe('0');
    expect(live.exchange.account.balance('BTC')).toBe(0);
  });

  it('a stop-loss fill expires the take-profit the same way', async () => {
    const service = await live.openService();
    await service.start();
    await buyProtected(service);
    live.exchange.account.fillResting('tc-entry-sl');
    await service.reconcile();
    expect([await ledgerStatus('tc-entry-sl'), await ledgerStatus('tc-entry-tp')]).toEqual(['filled', 'expired']);
  });

  it('without a native OCO, falls back to two orders with a warning: an exchange that holds the coins for the first refuses the second', async () => {
    const log = recordingLog();
    const service = await live.openService({ broker: { ...live.broker, placeOco: undefined }, log });
    await service.start();
    expect(log.lines).toContain('warn: this exchange has no native OCO through ccxt: a stop-loss and a take-profit go out as two orders, and an exchange that reserves the coins for the first may refuse the second');
    const { result } = await buyProtected(service);
    expect(live.exchange.count('/api/v3/orderList/oco')).toBe(0);
    expect(result.protective!.orders.map((o) => [o.clientOrderId, o.status])).toEqual([['tc-entry-sl', 'open'], ['tc-entry-tp', 'rejected']]);
    expect(result.protective!.failed[0]!.reason).toMatch(/insufficient balance/);
  });

  it('a hand sell that the exchange refuses puts the protection back (as a new OCO), so the position is never left unprotected', async () => {
    const service = await live.openService();
    await service.start();
    await buyProtected(service);
    live.exchange.account.rejectNextOrder(-1013, 'Filter failure: NOTIONAL');
    const failed = await service.placeOrder({ clientOrderId: 'tc-hand', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: '0.01', requestedBy: 'test' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(UserError);
    expect((failed as Error).message).toMatch(/NOTIONAL.*Its protective orders were placed again: tc-entry-sl-2, tc-entry-tp-2\.$/);
    expect([await ledgerStatus('tc-entry-sl'), await ledgerStatus('tc-entry-tp'), await ledgerStatus('tc-hand')]).toEqual(['cancelled', 'cancelled', 'rejected']);
    expect([await ledgerStatus('tc-entry-sl-2'), await ledgerStatus('tc-entry-tp-2')]).toEqual(['open', 'open']);
    expect(live.exchange.count('/api/v3/orderList/oco')).toBe(2);
    expect(live.exchange.account.locked('BTC')).toBe(0.01);
    // The restored exits still work as a pair: the stop-loss fills, the take-profit ends.
    live.exchange.account.fillResting('tc-entry-sl-2');
    await service.reconcile();
    expect([await ledgerStatus('tc-entry-sl-2'), await ledgerStatus('tc-entry-tp-2')]).toEqual(['filled', 'expired']);
    // A later pass does not place the original exits again.
    await service.reconcile();
    expect(live.exchange.count('/api/v3/orderList/oco')).toBe(2);
  });

  it('a hand sell that fills only in part (the rest expires) puts protection back for what is still held', async () => {
    const service = await live.openService();
    await service.start();
    await buyProtected(service);
    live.exchange.account.setNextFillRatio(0.4);
    const sold = placed(await service.placeOrder({ clientOrderId: 'tc-hand', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: '0.01', requestedBy: 'test' }));
    expect([sold.order.status, sold.order.filledAmount.toString()]).toEqual(['expired', '0.004']);
    expect(sold.restored!.orders.map((o) => [o.clientOrderId, o.amount.toString(), o.status])).toEqual([['tc-entry-sl-2', '0.006', 'open'], ['tc-entry-tp-2', '0.006', 'open']]);
    expect(live.exchange.account.locked('BTC')).toBe(0.006);
  });

  it('an OCO whose answer is lost is settled by reconcile: both legs found by their client order ids, nothing placed twice', async () => {
    const service = await live.openService();
    await service.start();
    live.exchange.injectFault('executed-then-reset', { path: '/api/v3/orderList/oco', method: 'POST' });
    const { result } = await buyProtected(service);
    expect(result.protective!.failed.map((f) => f.clientOrderId)).toEqual(['tc-entry-sl', 'tc-entry-tp']);
    expect([await ledgerStatus('tc-entry-sl'), await ledgerStatus('tc-entry-tp')]).toEqual(['new', 'new']);
    await service.reconcile();
    expect([await ledgerStatus('tc-entry-sl'), await ledgerStatus('tc-entry-tp')]).toEqual(['open', 'open']);
    expect(live.exchange.count('/api/v3/orderList/oco')).toBe(1);
    expect(live.exchange.account.orderDetails().filter((o) => o.orderListId >= 0)).toHaveLength(2);
  });

  it('a hand sell that goes through cancels the protection for good', async () => {
    const service = await live.openService();
    await service.start();
    await buyProtected(service);
    const sold = placed(await service.placeOrder({ clientOrderId: 'tc-hand', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: '0.01', requestedBy: 'test' }));
    expect(sold.order.status).toBe('filled');
    expect(sold.restored).toBeUndefined();
    expect([await ledgerStatus('tc-entry-sl'), await ledgerStatus('tc-entry-tp')]).toEqual(['cancelled', 'cancelled']);
    expect(live.exchange.account.orderDetails().filter((o) => o.status === 'NEW')).toEqual([]);
  });
});
