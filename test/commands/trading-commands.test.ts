import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { withTrading } from '../../src/chat/trading-replies.js';
import { closeDeps, tradingOf } from '../../src/deps.js';
import { TemporaryError, UserError } from '../../src/errors.js';
import { Decimal } from '../../src/trading/decimal.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';

const viewer: Caller = { platform: 'telegram', userId: '1', userName: 'v', chatId: '1' };
const trader: Caller = { platform: 'telegram', userId: '2', userName: 't', chatId: '2' };
const admin: Caller = { platform: 'telegram', userId: '3', userName: 'a', chatId: '3' };
const T0 = utc('2021-04-10T12:00');
const TICK = Decimal.from('0.01');
const SLIPPAGE = Decimal.from('0.001'); // PAPER_SLIPPAGE_BPS=10
const FEE = Decimal.from('0.001'); // ccxt's listed Binance spot taker fee
const num = (text: string) => text.replace(/(\d),(?=\d{3})/g, '$1');

/** The paper fill price of a market order on the book the fake exchange serves now: ask/bid moved by the slippage. */
function expectedFill(exchange: ExchangeServer, id: string, side: 'buy' | 'sell'): Decimal {
  const served = exchange.tickerNow(id)!;
  if (side === 'buy') return Decimal.from(served.ask!).times(Decimal.ONE.plus(SLIPPAGE)).roundToStep(TICK, 'up');
  return Decimal.from(served.bid!).times(Decimal.ONE.minus(SLIPPAGE)).roundToStep(TICK, 'down');
}

describe('trading commands over real ccxt and a local exchange serving real candles (paper mode)', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;

  const start = async (env: Record<string, string> = {}) => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5 });
    clock = fixedClock(T0);
    deps = testDeps({
      EXCHANGE_API_URL: exchange.url, VIEWER_USERS: 'telegram:1', TRADER_USERS: 'telegram:2', ADMIN_USERS: 'telegram:3',
      RATE_LIMIT_PER_MINUTE: '1000', PAPER_SLIPPAGE_BPS: '10', ...env,
    }, clock);
    runner = createCommandRunner(allCommands, deps);
  };
  /** Moves the exchange and the bot's clock on together, so new real bars become the current price. */
  const advance = (ms: number) => {
    clock.advance(ms);
    exchange.setCurrentTime(exchange.currentTimeMs() + ms);
  };

  beforeEach(async () => start());
  afterEach(async () => {
    await closeDeps(deps);
    await exchange.close();
  });

  it('/buy fills at the served ask plus slippage, /sell at the served bid minus it, each with the taker fee', async () => {
    const buyPrice = expectedFill(exchange, 'BTCUSDT', 'buy');
    const bought = await runner.run('/buy BTC/USDT 0.01', trader);
    expect(bought).toMatchObject({ outcome: 'ok', level: 'success', title: 'Bought 0.01 BTC', badges: ['PAPER'] });
    const buyFee = buyPrice.times(Decimal.from('0.01')).times(FEE);
    expect(num(bought.lines[1]!)).toBe(`Fill 0.01 BTC at ${buyPrice.toString()} USDT, fee ${buyFee.toString()} USDT`);
    expect(bought.lines.at(-1)).toMatch(/^Order id: tc-[0-9a-f]{20}$/);

    advance(10 * 60_000);
    const sellPrice = expectedFill(exchange, 'BTCUSDT', 'sell');
    const sold = await runner.run('/sell BTC 0.004', trader);
    expect(sold).toMatchObject({ outcome: 'ok', title: 'Sold 0.004 BTC', badges: ['PAPER'] });
    expect(num(sold.lines[1]!)).toBe(`Fill 0.004 BTC at ${sellPrice.toString()} USDT, fee ${sellPrice.times(Decimal.from('0.004')).times(FEE).toString()} USDT`);

    const fills = await (await tradingOf(deps)).service.trades({ limit: 10 });
    expect(fills.map((f) => [f.side, f.price.toString()])).toEqual([['sell', sellPrice.toString()], ['buy', buyPrice.toString()]]);
  });

  it('/buy $VALUE converts at the served ask; a wrong-sided sl/tp is refused, not ignored; a risk refusal names rule, limit and value', async () => {
    const ask = Decimal.from(exchange.tickerNow('ETHUSDT')!.ask!);
    const bought = await runner.run('/buy ETH $250', trader);
    expect(bought.title).toBe(`Bought ${Decimal.from(250).div(ask, 'down').roundToStep(Decimal.from('0.00001'), 'down').toString()} ETH`);

    const sl = await runner.run('/buy BTC/USDT 0.001 sl=500000', trader);
    expect(sl).toMatchObject({ outcome: 'user_error', badges: ['PAPER'] });
    expect(sl.lines[0]).toMatch(/^the stop-loss sl=500000 must be below the entry and the current bid \([\d.]+\): nothing was placed\.$/);

    const big = await runner.run('/buy BTC/USDT 0.02', trader);
    expect(big).toMatchObject({ outcome: 'user_error', title: 'Order refused', badges: ['PAPER'] });
    const value = expectedFill(exchange, 'BTCUSDT', 'buy').times(Decimal.from('0.02'));
    expect(big.lines[0]).toMatch(/^Refused by max_order_notional: order value [\d.]+ is above the maximum 1000 per order\.$/);
    expect(big.lines[1]).toBe(`Limit: 1000 · current: ${Decimal.from(exchange.tickerNow('BTCUSDT')!.ask!).times(Decimal.from('0.02')).toString()}`);
    expect(value.gt(Decimal.from(1000))).toBe(true);
  });

  it('/positions marks to the served price with its source and age; /balance and /pnl add up', async () => {
    await runner.run('/buy BTC/USDT 0.01', trader);
    advance(30 * 60_000);
    const served = exchange.tickerNow('BTCUSDT')!;
    const positions = await runner.run('/positions', viewer);
    expect(positions).toMatchObject({ outcome: 'ok', badges: ['PAPER'] });
    const [row] = positions.table!.rows;
    expect(row!.slice(0, 2)).toEqual(['BTC/USDT', '0.01']);
    expect(num(row![3]!)).toBe(Decimal.from(served.bid!).toString());
    expect(num(row![4]!)).toBe(Decimal.from(served.bid!).times(Decimal.from('0.01')).toFixed(2));
    expect(row![6]).toMatch(/^binance, \d+ ms old$/);

    const balance = await runner.run('/balance', viewer);
    expect(balance.table!.rows).toEqual(expect.arrayContaining([['BTC', '0.01']]));

    advance(60_000);
    const sellPrice = expectedFill(exchange, 'BTCUSDT', 'sell');
    await runner.run('/sell BTC/USDT 0.01', trader);
    const fills = await (await tradingOf(deps)).service.trades({ limit: 10 });
    const [sell, buy] = fills;
    expect(sell!.price.toString()).toBe(sellPrice.toString());
    const realized = sell!.amount.times(sell!.price).minus(sell!.feeAmount).minus(buy!.amount.times(buy!.price).plus(buy!.feeAmount));
    expect(sell!.realizedPnl.toString()).toBe(realized.toString());
    const pnl = await runner.run('/pnl day', viewer);
    expect(pnl.lines[1]).toContain(`Realized ${realized.isPositive() ? '+' : ''}${realized.toFixed(2)} (net of fees)`);
    expect(num(pnl.lines[2]!)).toBe(`Fees paid ${sell!.feeAmount.plus(buy!.feeAmount).toFixed(2)} over 2 fills`);
    expect(pnl.lines[3]).toMatch(/^Win rate (0\.0|100\.0)% \((0|1) of 1 closing trades\)$/);
    expect(pnl.lines[4]).toMatch(/^Long: 1 closing trades, .* short: none/);
  });

  it('/orders shows a resting limit order and /cancel cancels it', async () => {
    const limit = Decimal.from(exchange.tickerNow('BTCUSDT')!.bid!).times(Decimal.from('0.9')).roundToStep(TICK, 'down');
    const placed = await runner.run(`/buy BTC/USDT 0.01 limit=${limit.toString()}`, trader);
    expect(placed).toMatchObject({ outcome: 'ok', title: 'Order open' });
    const open = await runner.run('/orders', viewer);
    expect(open.table!.rows).toHaveLength(1);
    const [id, , side, symbol, type, amount, price, filled, status] = open.table!.rows[0]!;
    expect([side, symbol, type, amount, num(price!), filled, status]).toEqual(['buy', 'BTC/USDT', 'limit', '0.01', limit.toString(), '0', 'open']);
    const cancelled = await runner.run(`/cancel ${id!.slice(0, 10)}`, trader);
    expect(cancelled).toMatchObject({ outcome: 'ok', title: 'Order cancelled', badges: ['PAPER'] });
    expect(cancelled.lines[0]).toMatch(/: cancelled/);
    expect((await runner.run('/orders', viewer)).lines).toEqual(['No open paper orders.']);
    expect((await runner.run('/orders all BTC/USDT', viewer)).table!.rows[0]![8]).toBe('cancelled');
  });

  it('/close all asks for a confirmation, then sells every position once', async () => {
    await runner.run('/buy BTC/USDT 0.01', trader);
    await runner.run('/buy ETH/USDT 0.1', trader);
    const ask = await runner.run('/close all', trader);
    expect(ask).toMatchObject({ title: 'Please confirm', badges: ['PAPER'] });
    expect((await runner.run('/positions', viewer)).table!.rows).toHaveLength(2);
    const done = await runner.run(ask.confirm!.line, trader);
    expect(done).toMatchObject({ outcome: 'ok', title: 'Closed BTC/USDT, ETH/USDT' });
    expect((await runner.run('/positions', viewer)).lines[0]).toBe('No open paper positions.');
    // Confirming again sells nothing more.
    expect((await runner.run(ask.confirm!.line, trader)).lines[0]).toBe('No open paper positions.');
    expect(await (await tradingOf(deps)).service.trades({ limit: 10 })).toHaveLength(4);
  });

  it('the breaker trips on the daily loss, refuses entries, and only an admin resets it after confirming', async () => {
    await closeDeps(deps);
    await exchange.close();
    await start({ DAILY_LOSS_LIMIT: '0.5' });
    await runner.run('/buy BTC/USDT 0.01', trader);
    const sold = await runner.run('/sell BTC/USDT 0.01', trader); // spread, slippage and fees: a loss above 0.5
    expect(sold.title).toBe('Sold 0.01 BTC');
    const refused = await runner.run('/buy BTC/USDT 0.001', trader);
    expect(refused).toMatchObject({ outcome: 'user_error', title: 'Order refused', badges: ['PAPER'] });
    expect(refused.lines[0]).toMatch(/^Refused by breaker: the paper trading breaker is tripped \(daily loss [\d.]+ ≥ limit 0.5\)/);
    const state = await runner.run('/breaker', viewer);
    expect(state.title).toBe('Breaker TRIPPED');
    expect(state.lines[0]).toMatch(/^Tripped by daily_loss at /);

    expect((await runner.run('/breaker reset', trader)).lines[0]).toMatch(/needs the admin role/);
    advance(60_000);
    const ask = await runner.run('/breaker reset', admin);
    expect(ask.title).toBe('Please confirm');
    expect((await runner.run(ask.confirm!.line, admin)).title).toBe('Breaker reset');
    expect((await runner.run('/breaker', viewer)).table!.rows.map((r) => r[1])).toEqual(['reset', 'tripped']);
    const after = await runner.run('/buy BTC/USDT 0.001', trader);
    expect(after.title, after.lines.join('\n')).toBe('Bought 0.001 BTC');
  });

  it('refuses a viewer (audited), and refuses to fill on a stale price', async () => {
    const denied = await runner.run('/buy BTC/USDT 0.01', viewer);
    expect(denied.outcome).toBe('denied');
    const audit = await deps.store.audit.list({ limit: 5 });
    expect(audit[0]).toMatchObject({ outcome: 'denied', command: 'buy' });

    clock.advance(2 * 60_000); // the exchange's time stands still: its last price is now 2 minutes old
    const stale = await runner.run('/buy BTC/USDT 0.01', trader);
    expect(stale).toMatchObject({ outcome: 'temporary_error', level: 'warning', badges: ['PAPER'] });
    expect(stale.lines[0]).toBe('no quote for BTC/USDT to value the order: the BTC/USDT price from binance is 120 s old (max 30 s); not trading on a stale price; try again in 5 s.');
    // Refused before anything was written or sent.
    expect(await (await tradingOf(deps)).service.orders({ limit: 10 })).toEqual([]);
    expect(await (await tradingOf(deps)).service.trades({ limit: 10 })).toEqual([]);
  });

  it('an error in a trading command reaches the runner as a new error with the PAPER badge; the caught one stays unmarked', async () => {
    // A quote fetch is shared by concurrent requests: the same error object may also reach /price, which has no badge.
    const shared = new TemporaryError('binance is rate-limiting our requests', 10_000, { sayWhen: true });
    const thrown = await withTrading(deps, () => Promise.reject(shared)).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(TemporaryError);
    expect(thrown).not.toBe(shared);
    expect(thrown).toMatchObject({ message: shared.message, reason: shared.reason, retryAfterMs: 10_000, saysWhen: true, cause: shared, badges: ['PAPER'] });
    expect(shared).not.toHaveProperty('badges');
    const mistake = new UserError('unknown market XYZ/USDT', '/buy SYMBOL AMOUNT');
    const refused = await withTrading(deps, () => Promise.reject(mistake)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect(refused).toMatchObject({ message: mistake.message, usage: mistake.usage, cause: mistake, badges: ['PAPER'] });
    expect(mistake).not.toHaveProperty('badges');
  });

  it('a retried delivery of the same request places one order', async () => {
    const { buy } = await import('../../commands/buy.js');
    const ctx = { caller: trader, role: 'trader' as const, requestId: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9', log: deps.logger, nowMs: T0, commands: allCommands, progress: () => undefined, signal: new AbortController().signal };
    const first = await buy.run({ symbol: 'BTC/USDT', amount: '0.01' }, deps, ctx);
    const again = await buy.run({ symbol: 'BTC/USDT', amount: '0.01' }, deps, ctx);
    expect(first.title).toBe('Bought 0.01 BTC');
    expect(again.lines).toContain('This request was already placed; this is the stored order, nothing new was sent.');
    expect(await (await tradingOf(deps)).service.trades({ limit: 10 })).toHaveLength(1);
  });

  it('an exchange outage opens the market-data breaker, which trips the trading breaker', async () => {
    await runner.run('/positions', viewer); // trading is up (and listening) before the outage begins
    exchange.setOutage(true);
    clock.advance(10_000);
    for (let i = 0; i < 3; i++) await runner.run('/price ETH/USDT', viewer);
    expect(deps.market.exchange.breaker.snapshot().state).toBe('open');
    // No order needed: the transition itself makes trading re-check its breaker.
    await new Promise((resolve) => setImmediate(resolve));
    const state = await runner.run('/breaker', viewer);
    expect(state.title).toBe('Breaker TRIPPED');
    expect(state.lines[0]).toMatch(/^Tripped by market_data at .*the market-data breaker is open/);
  });
});

describe('trading commands in live mode, against the fake Binance private endpoints', () => {
  let exchange: ExchangeServer;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;
  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5, account: { USDT: 5_000 } });
    deps = testDeps({
      EXCHANGE_API_URL: exchange.url, TRADER_USERS: 'telegram:2', RATE_LIMIT_PER_MINUTE: '1000',
      TRADING_MODE: 'live', EXCHANGE_API_KEY: 'test-key', EXCHANGE_API_SECRET: 'test-secret',
    }, fixedClock(T0));
    runner = createCommandRunner(allCommands, deps);
  });
  afterEach(async () => {
    await closeDeps(deps);
    await exchange.close();
  });

  it('asks to confirm every live order, then sends it once under the client order id, LIVE on every reply', async () => {
    const ask = await runner.run('/buy BTC/USDT 0.01', trader);
    expect(ask).toMatchObject({ outcome: 'ok', title: 'Please confirm', badges: ['LIVE'] });
    expect(ask.lines[0]).toMatch(/LIVE market buy of 0.01 BTC .* real money/);
    expect(exchange.account.orders()).toEqual([]);
    const done = await runner.run(ask.confirm!.line, trader);
    expect(done).toMatchObject({ outcome: 'ok', title: 'Bought 0.01 BTC', badges: ['LIVE'] });
    expect(num(done.lines[1]!)).toMatch(new RegExp(`^Fill 0.01 BTC at ${exchange.tickerNow('BTCUSDT')!.ask} USDT, fee `));
    const [placed] = exchange.account.orders();
    expect(placed).toMatchObject({ status: 'FILLED', executedQty: 0.01 });
    expect(done.lines.at(-1)).toBe(`Order id: ${placed!.clientOrderId}`);
    expect((await runner.run(ask.confirm!.line, trader)).lines[0]).toBe('That confirmation was already used.');
    expect(exchange.account.orders()).toHaveLength(1);
    expect((await runner.run('/positions', trader)).badges).toEqual(['LIVE']);
  });
});
