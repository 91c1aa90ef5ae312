import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import { positionRefresh } from '../../jobs/position-refresh.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { closeDeps, tradingOf } from '../../src/deps.js';
import type { JobDeps } from '../../src/ops/job.js';
import { Decimal } from '../../src/trading/decimal.js';
import type { Order } from '../../src/trading/types.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, recordingJobDeps, testDeps } from '../support/test-deps.js';

const trader: Caller = { platform: 'telegram', userId: '2', userName: 't', chatId: '2' };
const T0 = utc('2021-04-10T12:00');
const MINUTE = 60_000;
const TICK = Decimal.from('0.01');

describe('position-refresh job (paper, real ccxt against the local exchange, real BTC/USDT candles)', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: JobDeps & { logLines: string[] };
  let runner: CommandRunner;
  const woken: string[] = [];

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5 });
    clock = fixedClock(T0);
    const base = testDeps({ EXCHANGE_API_URL: exchange.url, TRADER_USERS: 'telegram:2', RATE_LIMIT_PER_MINUTE: '1000' }, clock);
    // The chat commands run on the bot's deps; the job gets a copy plus the scheduler's additions, as start-jobs makes.
    // Both reach the same trading stack because tradingOf keeps one per store.
    deps = recordingJobDeps(base, woken);
    runner = createCommandRunner(allCommands, base);
  });
  afterEach(async () => {
    await closeDeps(deps);
    await exchange.close();
  });

  /** The served BTC/USDT book of the next `minutes` minutes of real candles (nothing moves). */
  const future = (minutes: number, side: 'bid' | 'ask'): Decimal[] => {
    const now = exchange.currentTimeMs();
    const prices = Array.from({ length: minutes }, (_, i) => {
      exchange.setCurrentTime(now + (i + 1) * MINUTE);
      return Decimal.from(exchange.tickerNow('BTCUSDT')![side]!);
    });
    exchange.setCurrentTime(now);
    return prices;
  };
  /** One minute on, for the exchange and the bot; then the job's run at that time. */
  const nextMinute = async () => {
    clock.advance(MINUTE);
    exchange.setCurrentTime(exchange.currentTimeMs() + MINUTE);
    return (await positionRefresh.run(deps, clock.now()))!.summary;
  };
  const order = async (id: string): Promise<Order> => (await (await tradingOf(deps)).service.orderWithHistory(id))!.order;
  const orderId = (lines: readonly string[]) => /^Order id: (\S+)$/.exec(lines.find((l) => l.startsWith('Order id'))!)![1]!;

  it('a resting limit buy stays open until the real ask crosses it, then fills at its limit on that run', async () => {
    const asks = future(240, 'ask');
    const ask = Decimal.from(exchange.tickerNow('BTCUSDT')!.ask!);
    const low = asks.reduce((a, b) => Decimal.min(a, b));
    expect(low.lt(ask.times(Decimal.from('0.998'))), 'the real candles fall below the entry within 4 hours').toBe(true);
    const limit = ask.plus(low).div(Decimal.from(2)).roundToStep(TICK, 'down');
    const crossAt = asks.findIndex((a) => a.lte(limit)) + 1;
    expect(crossAt).toBeGreaterThan(1);

    const placed = await runner.run(`/buy BTC/USDT 0.01 limit=${limit.toString()}`, trader);
    expect(placed.outcome, placed.lines.join('\n')).toBe('ok');
    const id = orderId(placed.lines);
    expect((await order(id)).status).toBe('open');

    for (let minute = 1; minute < crossAt; minute++) {
      const summary = await nextMinute();
      expect((await order(id)).status, `minute ${minute}: ask ${asks[minute - 1]!.toString()} > limit ${limit.toString()}`).toBe('open');
      expect(summary).toMatch(/^PAPER: 1 active orders checked, 0 fills recorded; 1 orders resting, 0 positions/);
    }
    const summary = await nextMinute();
    const filled = await order(id);
    expect(filled).toMatchObject({ status: 'filled', averagePrice: limit });
    expect(summary).toContain(`${id} buy 0.01/0.01 BTC/USDT limit filled @ ${limit.toString()}`);
    expect(summary).toMatch(/1 fills recorded; .*0 orders resting, 1 positions, equity [\d.]+ USDT$/);
    const [position] = (await (await tradingOf(deps)).service.portfolio(clock.now())).positions;
    expect(position).toMatchObject({ symbol: 'BTC/USDT', amount: Decimal.from('0.01') });

    const again = await positionRefresh.run(deps, clock.now());
    expect(again!.summary).toMatch(/^PAPER: 0 active orders checked, 0 fills recorded; 0 orders resting, 1 positions/);
    expect(await (await tradingOf(deps)).service.trades({ limit: 10 })).toHaveLength(1);
    expect(woken).toEqual([]);
  });

  it('a protective stop-loss fills when the real bid falls through it', async () => {
    const bids = future(240, 'bid');
    const bid = Decimal.from(exchange.tickerNow('BTCUSDT')!.bid!);
    const low = bids.reduce((a, b) => Decimal.min(a, b));
    const sl = bid.plus(low).div(Decimal.from(2)).roundToStep(TICK, 'up');
    const hitAt = bids.findIndex((b) => b.lte(sl)) + 1;
    expect(hitAt).toBeGreaterThan(1);
    const bought = await runner.run(`/buy BTC/USDT 0.01 sl=${sl.toString()}`, trader);
    const slId = `${orderId(bought.lines)}-sl`;
    expect((await order(slId)).status).toBe('open');

    for (let minute = 1; minute < hitAt; minute++) await nextMinute();
    expect((await order(slId)).status).toBe('open');
    const summary = await nextMinute();
    expect((await order(slId)).status).toBe('filled');
    expect(summary).toContain(`${slId} sell 0.01/0.01 BTC/USDT stop filled @ `);
    expect(summary).toMatch(/0 orders resting, 0 positions/);
  });

  it('during an exchange outage nothing fills, the run says why and does not fail; after it the order fills', async () => {
    const asks = future(240, 'ask');
    const ask = Decimal.from(exchange.tickerNow('BTCUSDT')!.ask!);
    const limit = ask.plus(asks.reduce((a, b) => Decimal.min(a, b))).div(Decimal.from(2)).roundToStep(TICK, 'down');
    const crossAt = asks.findIndex((a) => a.lte(limit)) + 1;
    const id = orderId((await runner.run(`/buy BTC/USDT 0.01 limit=${limit.toString()}`, trader)).lines);

    exchange.setOutage(true);
    clock.advance(crossAt * MINUTE);
    exchange.setCurrentTime(T0 + crossAt * MINUTE);
    const during = await positionRefresh.run(deps, clock.now());
    expect(during!.summary).toMatch(/0 fills recorded; 1 orders resting, 0 positions, .*; no usable quote, nothing filled there: BTC\/USDT: /);
    expect((await order(id)).status).toBe('open');

    exchange.setOutage(false);
    // Back up: the next runs fill it as soon as the real ask is at or below the limit again.
    let minute = crossAt;
    while ((await order(id)).status === 'open' && minute < 240) {
      minute++;
      await nextMinute();
    }
    expect(asks[minute - 1]!.lte(limit), `filled at minute ${minute}, when the ask was at or below the limit`).toBe(true);
    expect((await order(id)).status).toBe('filled');
  });
});
