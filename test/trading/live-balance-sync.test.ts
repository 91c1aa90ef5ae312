import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutcomeUnknownError } from '../../src/trading/broker.js';
import { EXCHANGE_SYNC_SOURCE, depositSource, syncExchangeBalances } from '../../src/trading/balance-sync.js';
import { BACKENDS, dropMongoRepos } from './helpers.js';
import { LIVE_T0, startLiveStack, type LiveStack } from './live-helpers.js';

afterAll(dropMongoRepos);

for (const backend of BACKENDS) describe(`live start-up books the exchange balances into the ledger (real ccxt, local exchange, ${backend.name})`, () => {
  let live: LiveStack;
  beforeEach(async () => {
    live = await startLiveStack({ USDT: 10_000, BTC: 0.5 }, await backend.open());
  });
  afterEach(async () => live.close());

  const ledger = async () => Object.fromEntries((await live.repo.listBalances('live')).map((b) => [b.asset, b.amount.toString()]));
  const syncEntries = async () => (await live.repo.listEntries('live', 0)).flatMap((e) => (e.kind === 'deposit' && depositSource(e.deposit) === EXCHANGE_SYNC_SOURCE ? [e.deposit] : []));

  it('books the exchange totals once; a restart books nothing; a later deposit or withdrawal books only the difference', async () => {
    const first = await (await live.openService()).start();
    expect(first.balanceSync!.booked.map((d) => [d.asset, d.amount.toString()])).toEqual([['BTC', '0.5'], ['USDT', '10000']]);
    expect(first.balanceSync!.booked[0]!.note).toBe('exchange balance sync: the exchange holds 0.5 BTC, the ledger had 0');
    expect(await ledger()).toEqual({ BTC: '0.5', USDT: '10000' });
    const service = await live.openService();
    expect((await service.portfolio(LIVE_T0)).netDeposits.toString()).toBe('10000');

    const restart = await (await live.openService()).start();
    expect(restart.balanceSync!.booked).toEqual([]);
    expect(await syncEntries()).toHaveLength(2);

    live.exchange.account.deposit('USDT', 250);
    live.exchange.account.deposit('BTC', -0.1);
    const later = await (await live.openService()).start();
    expect(later.balanceSync!.booked.map((d) => [d.asset, d.amount.toString()])).toEqual([['BTC', '-0.1'], ['USDT', '250']]);
    expect(await ledger()).toEqual({ BTC: '0.4', USDT: '10250' });
    expect(await syncEntries()).toHaveLength(4);
  });

  it('counts coins locked in open orders (the exchange total), and books a fill made while the bot was down as a fill, not a deposit', async () => {
    const service = await live.openService();
    await service.start();
    const bid = live.exchange.tickerNow('BTCUSDT')!.bid!;
    const resting = await service.placeOrder({ clientOrderId: 'tc-rest', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '0.2', limitPrice: String(Math.round(bid * 1.2)), requestedBy: 'test' });
    expect(resting).toMatchObject({ kind: 'placed', order: { status: 'open' } });
    expect(live.exchange.account.locked('BTC')).toBe(0.2);
    // The answer to this buy is lost: the ledger has it as `new`, the exchange filled it.
    live.exchange.injectFault('executed-then-reset', { path: '/api/v3/order', method: 'POST' });
    await expect(service.placeOrder({ clientOrderId: 'tc-lost', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01', requestedBy: 'test' })).rejects.toThrow(OutcomeUnknownError);

    const restart = await (await live.openService()).start();
    expect(restart.fillsRecorded).toBe(1);
    expect(restart.balanceSync!.booked).toEqual([]);
    expect((await ledger()).BTC).toBe('0.51');
    expect(live.exchange.account.balance('BTC')).toBe(0.51);
  });

  it('a sync cut short (crash, or an asset left unsettled) resumes with the rest', async () => {
    const partial = await syncExchangeBalances(live.repo, live.broker, LIVE_T0, new Set(['USDT']));
    expect(partial.booked.map((d) => d.asset)).toEqual(['BTC']);
    expect(partial.skipped).toEqual([{ asset: 'USDT', reason: 'an order in this asset is not settled yet; its fills may be missing from the ledger' }]);
    const rest = await syncExchangeBalances(live.repo, live.broker, LIVE_T0, new Set());
    expect(rest.booked.map((d) => d.asset)).toEqual(['USDT']);
    expect(await ledger()).toEqual({ BTC: '0.5', USDT: '10000' });
  });

  it('two replicas (separate connections to one ledger) syncing at once book each difference once', async () => {
    const repos = await backend.openShared(2);
    const both = await Promise.all(repos.map((repo) => syncExchangeBalances(repo, live.broker, LIVE_T0, new Set())));
    expect(both.flatMap((r) => r.booked.map((d) => d.asset)).sort()).toEqual(['BTC', 'USDT']);
    const balances = Object.fromEntries((await repos[0]!.listBalances('live')).map((b) => [b.asset, b.amount.toString()]));
    expect(balances).toEqual({ BTC: '0.5', USDT: '10000' });
  });
});
