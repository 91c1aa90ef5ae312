import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { closeDeps, tradingOf } from '../../src/deps.js';
import { createTrading } from '../../src/trading/create-trading.js';
import { Decimal } from '../../src/trading/decimal.js';
import type { Order } from '../../src/trading/types.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';

const viewer: Caller = { platform: 'telegram', userId: '1', userName: 'v', chatId: '1' };
const trader: Caller = { platform: 'telegram', userId: '2', userName: 't', chatId: '2' };
const T0 = utc('2021-04-10T12:00');
const MINUTE = 60_000;
const TICK = Decimal.from('0.01');

describe('/buy with sl= and tp=: protective exits, one cancelling the other (paper, real ccxt, real candles)', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;

  const env = (url: string) => ({
    EXCHANGE_API_URL: url, VIEWER_USERS: 'telegram:1', TRADER_USERS: 'telegram:2', RATE_LIMIT_PER_MINUTE: '1000', PAPER_SLIPPAGE_BPS: '10',
  });
  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5 });
    clock = fixedClock(T0);
    deps = testDeps(env(exchange.url), clock);
    runner = createCommandRunner(allCommands, deps);
  });
  afterEach(async () => {
    await closeDeps(deps);
    await exchange.close();
  });

  /** The served BTC/USDT bids of the next `minutes` minutes of real candles (the bot's clock does not move). */
  const futureBids = (minutes: number): Decimal[] => {
    const now = exchange.currentTimeMs();
    const bids = Array.from({ length: minutes }, (_, i) => {
      exchange.setCurrentTime(now + (i + 1) * MINUTE);
      return Decimal.from(exchange.tickerNow('BTCUSDT')!.bid!);
    });
    exchange.setCurrentTime(now);
    return bids;
  };
  /** Moves the exchange and the bot on a minute at a time, letting resting orders fill, until `done` or `minutes` pass. */
  const runUntil = async (minutes: number, done: () => Promise<boolean>) => {
    for (let i = 0; i < minutes && !(await done()); i++) {
      clock.advance(MINUTE);
      exchange.setCurrentTime(exchange.currentTimeMs() + MINUTE);
      await (await tradingOf(deps)).service.refresh(clock.now());
    }
  };
  const order = async (id: string): Promise<Order> => (await (await tradingOf(deps)).service.orders({ limit: 50 })).find((o) => o.clientOrderId === id)!;
  const idsOf = (lines: readonly string[]) => lines.flatMap((l) => /· id (\S+)$/.exec(l)?.[1] ?? []);

  it('a market buy places a resting stop-loss and take-profit; the take-profit fills and cancels the stop-loss', async () => {
    const bids = futureBids(240);
    const ask = Decimal.from(exchange.tickerNow('BTCUSDT')!.ask!);
    const high = bids.reduce((a, b) => Decimal.max(a, b));
    expect(high.gt(ask.times(Decimal.from('1.002'))), 'the real candles rise above the entry within 4 hours').toBe(true);
    const tp = ask.plus(high).div(Decimal.from(2)).roundToStep(TICK, 'down');
    const sl = ask.times(Decimal.from('0.8')).roundToStep(TICK, 'down');

    const bought = await runner.run(`/buy BTC/USDT 0.01 sl=${sl.toString()} tp=${tp.toString()}`, trader);
    expect(bought, bought.lines.join('\n')).toMatchObject({ outcome: 'ok', title: 'Bought 0.01 BTC', badges: ['PAPER'] });
    const [slId, tpId] = idsOf(bought.lines);
    const entryId = /^Order id: (\S+)$/.exec(bought.lines.find((l) => l.startsWith('Order id'))!)![1]!;
    expect([slId, tpId]).toEqual([`${entryId}-sl`, `${entryId}-tp`]);
    expect(bought.lines.join('\n')).toMatch(/Stop-loss: sell 0\.01 BTC\/USDT stop [\d,.]+: open · id /);
    expect(bought.lines).toContain('When one fills, the other is cancelled; closing the position cancels both.');

    const open = await runner.run('/orders', viewer);
    expect(open.table!.rows.map((r) => [r[0], r[2], r[4], r[5], r[8]])).toEqual(expect.arrayContaining([
      [slId, 'sell', 'stop (stop-loss)', '0.01', 'open'],
      [tpId, 'sell', 'limit (take-profit)', '0.01', 'open'],
    ]));
    expect(open.table!.rows).toHaveLength(2);

    await runUntil(240, async () => (await order(tpId!)).status === 'filled');
    expect((await order(tpId!)).status).toBe('filled');
    expect((await order(slId!)).status).toBe('cancelled');
    expect((await runner.run('/positions', viewer)).lines[0]).toBe('No open paper positions.');
    const fills = await (await tradingOf(deps)).service.trades({ limit: 10 });
    expect(fills.map((f) => [f.clientOrderId, f.side, f.price.toString()])).toEqual([[tpId, 'sell', tp.toString()], [entryId, 'buy', expect.any(String)]]);
  });

  it('the stop-loss fills and cancels the take-profit', async () => {
    const bids = futureBids(240);
    const bid = Decimal.from(exchange.tickerNow('BTCUSDT')!.bid!);
    const low = bids.reduce((a, b) => Decimal.min(a, b));
    expect(low.lt(bid.times(Decimal.from('0.998'))), 'the real candles fall below the entry within 4 hours').toBe(true);
    const sl = bid.plus(low).div(Decimal.from(2)).roundToStep(TICK, 'up');
    const tp = bid.times(Decimal.from('1.5')).roundToStep(TICK, 'up');
    const bought = await runner.run(`/buy BTC/USDT 0.01 sl=${sl.toString()} tp=${tp.toString()}`, trader);
    const [slId, tpId] = idsOf(bought.lines);
    await runUntil(240, async () => (await order(slId!)).status === 'filled');
    expect((await order(slId!)).status).toBe('filled');
    expect((await order(tpId!)).status).toBe('cancelled');
    expect((await runner.run('/orders', viewer)).lines).toEqual(['No open paper orders.']);
  });

  it('/close cancels both exits; a wrong-sided sl or tp is refused with nothing placed', async () => {
    const ask = Decimal.from(exchange.tickerNow('BTCUSDT')!.ask!);
    const bid = Decimal.from(exchange.tickerNow('BTCUSDT')!.bid!);
    const tooHighSl = await runner.run(`/buy BTC/USDT 0.01 sl=${bid.plus(TICK).toString()}`, trader);
    expect(tooHighSl).toMatchObject({ outcome: 'user_error', badges: ['PAPER'] });
    expect(tooHighSl.lines[0]).toMatch(/^the stop-loss sl=[\d.]+ must be below the entry and the current bid/);
    const tooLowTp = await runner.run(`/buy BTC/USDT 0.01 tp=${ask.toString()}`, trader);
    expect(tooLowTp.lines[0]).toMatch(/^the take-profit tp=[\d.]+ must be above the entry \([\d.]+\): nothing was placed\.$/);
    const onSell = await runner.run('/sell BTC/USDT 0.01 sl=1', trader);
    expect(onSell.lines[0]).toMatch(/^sl= and tp= protect an entry: use them on \/buy/);
    expect(await (await tradingOf(deps)).service.orders({ limit: 10 })).toEqual([]);

    const bought = await runner.run(`/buy BTC/USDT 0.01 sl=${ask.times(Decimal.from('0.9')).roundToStep(TICK, 'down').toString()} tp=${ask.times(Decimal.from('1.1')).roundToStep(TICK, 'up').toString()}`, trader);
    const [slId, tpId] = idsOf(bought.lines);
    const closed = await runner.run('/close BTC/USDT', trader);
    expect(closed).toMatchObject({ outcome: 'ok', title: 'Closed BTC/USDT' });
    expect([(await order(slId!)).status, (await order(tpId!)).status]).toEqual(['cancelled', 'cancelled']);
    expect((await runner.run('/orders', viewer)).lines).toEqual(['No open paper orders.']);
  });

  it('a limit entry gets its exits when it fills in a refresh; the link survives a restart on the same store', async () => {
    const bids = futureBids(240);
    const ask = Decimal.from(exchange.tickerNow('BTCUSDT')!.ask!);
    const low = bids.reduce((a, b) => Decimal.min(a, b));
    const limit = ask.plus(low).div(Decimal.from(2)).roundToStep(TICK, 'down');
    expect(limit.lt(ask)).toBe(true);
    const sl = limit.times(Decimal.from('0.8')).roundToStep(TICK, 'down');
    const tp = limit.times(Decimal.from('1.2')).roundToStep(TICK, 'up');
    const placed = await runner.run(`/buy BTC/USDT 0.01 limit=${limit.toString()} sl=${sl.toString()} tp=${tp.toString()}`, trader);
    expect(placed).toMatchObject({ outcome: 'ok', title: 'Order open' });
    expect(placed.lines).toContain(`Protective orders (stop-loss ${sl.toString().replace(/\B(?=(\d{3})+(?!\d))/, ',')}, take-profit ${tp.toString().replace(/\B(?=(\d{3})+(?!\d))/, ',')}) will be placed when it fills, one cancelling the other.`);
    const entryId = /^Order id: (\S+)$/.exec(placed.lines.find((l) => l.startsWith('Order id'))!)![1]!;
    await runUntil(240, async () => (await order(entryId)).status === 'filled');
    expect((await order(`${entryId}-sl`))).toMatchObject({ status: 'open', type: 'stop', parentClientOrderId: entryId });
    expect((await order(`${entryId}-tp`))).toMatchObject({ status: 'open', type: 'limit', parentClientOrderId: entryId });

    // A new trading stack (paper broker and order service) on the same store, as after a restart: the links come
    // from the store, and closing the position cancels both exits.
    const restarted = await createTrading({ config: deps.config, logger: deps.logger, clock, store: deps.store, market: deps.market });
    try {
      const exits = (await restarted.service.orders({ limit: 10 })).filter((o) => o.parentClientOrderId === entryId);
      expect(exits.map((o) => [o.clientOrderId, o.status])).toEqual(expect.arrayContaining([[`${entryId}-sl`, 'open'], [`${entryId}-tp`, 'open']]));
      const closed = await restarted.service.closePosition('BTC/USDT', 'telegram:2', 'restart-close');
      expect(closed).toMatchObject({ kind: 'placed', order: { status: 'filled' } });
      const after = await restarted.service.orders({ limit: 10 });
      expect(after.filter((o) => o.parentClientOrderId === entryId).map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
    } finally {
      await restarted.close();
    }
  });
});
