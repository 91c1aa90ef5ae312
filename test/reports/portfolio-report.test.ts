import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import { formatDecimal, formatMoney } from '../../src/chat/trading-replies.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { closeDeps, tradingOf } from '../../src/deps.js';
import { recordDailyClose } from '../../src/reports/daily-close.js';
import { Decimal } from '../../src/trading/decimal.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';
import { LIVE_T0 } from '../trading/live-helpers.js';

const viewer: Caller = { platform: 'telegram', userId: '1', userName: 'v', chatId: '1' };
const trader: Caller = { platform: 'telegram', userId: '2', userName: 't', chatId: '2' };
const T0 = utc('2021-04-10T12:00');
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

describe('portfolio report (/report) over real ccxt and a local exchange serving real candles (paper mode)', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;

  const advance = (ms: number) => {
    clock.advance(ms);
    exchange.setCurrentTime(exchange.currentTimeMs() + ms);
  };

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5 });
    clock = fixedClock(T0);
    deps = testDeps({ EXCHANGE_API_URL: exchange.url, VIEWER_USERS: 'telegram:1', TRADER_USERS: 'telegram:2', RATE_LIMIT_PER_MINUTE: '1000', PAPER_SLIPPAGE_BPS: '10' }, clock);
    runner = createCommandRunner(allCommands, deps);
    // A round trip and an open remainder: buy 0.01 BTC, sell 0.004 ten minutes later, report twenty minutes after that.
    expect((await runner.run('/buy BTC/USDT 0.01', trader)).outcome).toBe('ok');
    advance(10 * 60_000);
    expect((await runner.run('/sell BTC/USDT 0.004', trader)).outcome).toBe('ok');
    advance(20 * 60_000);
  });
  afterEach(async () => {
    await closeDeps(deps);
    await exchange.close();
  });

  /** Two stored daily closes, 2 and 1 days (and an hour) old, so the day change has a base and the chart has points. */
  const storeCloses = async () => {
    for (const [day, atMs, equity] of [['2021-04-08', T0 - 2 * 86_400_000, '9900'], ['2021-04-09', T0 - 86_400_000 - 3_600_000, '10050']] as const) {
      await deps.store.trading.putDailySnapshot({
        mode: 'paper', day, atMs, equity: Decimal.from(equity), cash: Decimal.from(equity), realizedPnl: Decimal.ZERO,
        unrealizedPnl: Decimal.ZERO, netDeposits: Decimal.from('10000'), openPositions: 0,
      });
    }
  };

  it('adds up equity, P&L, fees and win rate from the fills, marks the position to the served bid, lists the day’s trades', async () => {
    await storeCloses();
    const fills = await (await tradingOf(deps)).service.trades({ limit: 10 });
    const [sell, buy] = fills;
    const bid = Decimal.from(exchange.tickerNow('BTCUSDT')!.bid!);
    const cash = Decimal.from('10000').minus(buy!.amount.times(buy!.price)).minus(buy!.feeAmount).plus(sell!.amount.times(sell!.price)).minus(sell!.feeAmount);
    const value = bid.times(Decimal.from('0.006'));
    const equity = cash.plus(value);

    const reply = await runner.run('/report', viewer);
    expect(reply).toMatchObject({ outcome: 'ok', level: 'info', title: 'Portfolio report', badges: ['PAPER'] });
    const [asOf, equityLine, change, drawdown, pnl, fees, winRate, breaker, positions] = reply.lines;
    expect(asOf).toBe('As of 2021-04-10 12:30:00 UTC, paper account in USDT.');
    expect(equityLine).toBe(`Equity ${formatMoney(equity)} USDT: cash ${formatMoney(cash)} + positions ${formatMoney(value)} at current prices.`);
    const dayPct = equity.minus(Decimal.from('10050')).mulDiv(Decimal.from(100), Decimal.from('10050'));
    expect(change).toBe(`Change: day ${dayPct.isPositive() ? '+' : ''}${dayPct.toFixed(2)}% (${formatMoney(equity.minus(Decimal.from('10050')), true)} since the 2021-04-09 close) · week: no daily close that old yet · month: no daily close that old yet`);
    const peak = Decimal.max(Decimal.from('10050'), equity);
    expect(drawdown).toBe(`Drawdown ${peak.minus(equity).mulDiv(Decimal.from(100), peak).toFixed(2)}% from the peak ${formatMoney(peak)} USDT (daily closes, net deposits and now).`);
    const unrealized = value.minus(buy!.amount.times(buy!.price).plus(buy!.feeAmount).times(Decimal.from('0.6')));
    expect(pnl).toBe(`P&L: realized ${formatMoney(sell!.realizedPnl, true)} USDT (net of fees; last 24 h ${formatMoney(sell!.realizedPnl, true)}) · unrealized ${formatMoney(unrealized, true)}`);
    expect(fees).toBe(`Fees: ${formatMoney(buy!.feeAmount.plus(sell!.feeAmount))} USDT in all, ${formatMoney(buy!.feeAmount.plus(sell!.feeAmount))} in the last 24 h`);
    const won = sell!.realizedPnl.isPositive() ? 1 : 0;
    expect(winRate).toBe(`Win rate: ${won ? '100.0' : '0.0'}% (${won} of 1 closing trades) in all; last 24 h: ${won ? '100.0' : '0.0'}% (${won} of 1 closing trades)`);
    expect(breaker).toBe('Breaker closed: orders are allowed.');
    expect(positions).toBe('Open positions: 1 (table below).');
    expect(reply.lines).toContain('Trades in the last 24 h: 2 fills:');
    expect(reply.lines).toContain(`12:00 UTC buy 0.01 BTC/USDT at ${formatDecimal(buy!.price)}, fee ${formatDecimal(buy!.feeAmount)} USDT`);
    expect(reply.lines).toContain(`12:10 UTC sell 0.004 BTC/USDT at ${formatDecimal(sell!.price)}, fee ${formatDecimal(sell!.feeAmount)} USDT, realized ${formatMoney(sell!.realizedPnl, true)} USDT`);
    expect(reply.lines).toContain('Data freshness:');
    expect(reply.lines.find((l) => l.startsWith('Quotes from binance:'))).toMatch(/^Quotes from binance: last answer \d+ ms ago, 100\.0% of \d+ calls answered, breaker closed$/);
    expect(reply.lines).toContain('Candles stored: none');

    const [row] = reply.table!.rows;
    expect(reply.table!.columns).toEqual(['symbol', 'amount', 'entry', 'mark', 'value', 'unrealized', 'held for', 'price from']);
    expect(row!.slice(0, 2)).toEqual(['BTC/USDT', '0.006']);
    expect(row![3]).toBe(formatDecimal(bid));
    expect(row![4]).toBe(formatMoney(value));
    expect(row![6]).toBe('30m 0s');
    expect(row![7]).toMatch(/^binance, \d+ ms old$/);

    expect([...reply.image!.png.slice(0, 4)]).toEqual(PNG_MAGIC);
    expect(reply.image!.alt).toBe(`Equity curve of the paper account over 3 points, now ${formatMoney(equity)} USDT`);
  });

  it('/report text carries no image and gives the daily closes as text; with no closes there is no chart and it says why', async () => {
    const bare = await runner.run('/report', viewer);
    expect(bare.image).toBeUndefined();
    expect(bare.lines).toContain('No equity chart yet: there is no stored daily close to draw from.');
    expect(bare.lines[2]).toBe('Change: day: no daily close that old yet · week: no daily close that old yet · month: no daily close that old yet');

    await storeCloses();
    const text = await runner.run('/report text', viewer);
    expect(text).toMatchObject({ outcome: 'ok', badges: ['PAPER'] });
    expect(text.image).toBeUndefined();
    expect(text.lines.at(-1)).toBe('Equity at the daily closes: 04-08 9,900.00 · 04-09 10,050.00');
    expect((await runner.run('/report pdf', viewer)).outcome).toBe('user_error');
  });

  it('a stale quote is not used: the position says it has no current price and equity is labelled incomplete', async () => {
    await storeCloses();
    clock.advance(2 * 60_000); // the exchange's clock stays: its last price is now two minutes old (limit 30 s)
    const reply = await runner.run('/report', viewer);
    expect(reply).toMatchObject({ outcome: 'ok', level: 'warning', badges: ['PAPER'] });
    expect(reply.lines[1]).toMatch(/^Equity INCOMPLETE: [\d,]+\.\d\d USDT in cash and priced positions, plus BTC\/USDT with no current price \(not valued\)\.$/);
    expect(reply.lines[2]).toBe('Equity change and drawdown: not computed while equity is incomplete.');
    expect(reply.lines).toContainEqual(expect.stringMatching(/^BTC\/USDT: no current price \(the BTC\/USDT price from binance is \d+ s old \(max 30 s\)\); not valued\.$/));
    expect(reply.lines.find((l) => l.startsWith('P&L:'))).toContain('on priced positions only');
    expect(reply.table!.rows[0]!.slice(3)).toEqual(['—', 'unknown', 'unknown', '32m 0s', 'no current price']);
    expect(reply.image).toBeUndefined();
    expect(reply.lines).toContain('No equity chart: equity is incomplete.');
  });

  it('an exchange outage: no current price for the position, and the freshness line shows the last failure', async () => {
    exchange.setOutage(true);
    clock.advance(60_000);
    const reply = await runner.run('/report text', viewer);
    expect(reply).toMatchObject({ outcome: 'ok', level: 'warning' });
    expect(reply.table!.rows[0]![7]).toBe('no current price');
    expect(reply.lines.find((l) => l.startsWith('Quotes from binance:'))).toMatch(/; last failure \d+ ms ago: .+/);
  });

  it('the daily close is not taken while a position has no current price, and is once it has one', async () => {
    const midnight = utc('2021-04-11T00:05');
    clock.set(midnight); // the exchange still serves 12:30 prices: stale
    const trading = () => tradingOf(deps);
    expect(await recordDailyClose(deps.store, trading, midnight)).toBe('no 2021-04-10 close yet: no current price for BTC/USDT');
    const later = midnight + 10_000; // past the 5 s quote cache
    clock.set(later);
    exchange.setCurrentTime(later);
    expect(await recordDailyClose(deps.store, trading, later)).toBe('recorded the 2021-04-10 close');
    const [close] = await deps.store.trading.listDailySnapshots('paper');
    const portfolio = await (await trading()).service.portfolio(later);
    expect(close).toMatchObject({ day: '2021-04-10', atMs: later, openPositions: 1 });
    expect(close!.equity.toString()).toBe(portfolio.equity.toString());
    expect(await recordDailyClose(deps.store, trading, later + 60_000)).toBeUndefined();
  });
});

describe('portfolio report: breaker and mode', () => {
  it('says when the trading breaker is tripped, by what, and that entries are refused', async () => {
    const exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5 });
    const deps = testDeps({ EXCHANGE_API_URL: exchange.url, TRADER_USERS: 'telegram:2', RATE_LIMIT_PER_MINUTE: '1000', DAILY_LOSS_LIMIT: '0.5' }, fixedClock(T0));
    try {
      const runner = createCommandRunner(allCommands, deps);
      await runner.run('/buy BTC/USDT 0.01', trader);
      await runner.run('/sell BTC/USDT 0.01', trader); // spread, slippage and fees: a loss above 0.5
      const reply = await runner.run('/report text', trader);
      expect(reply).toMatchObject({ outcome: 'ok', level: 'warning', badges: ['PAPER'] });
      expect(reply.lines).toContainEqual(expect.stringMatching(/^Breaker TRIPPED by daily_loss at 2021-04-10 12:00:00 UTC: daily loss [\d.]+ ≥ limit 0\.5\. New entries are refused\.$/));
    } finally {
      await closeDeps(deps);
      await exchange.close();
    }
  });

  it('carries the LIVE badge and shows a ledger anomaly (a sell of coins the ledger held no position for)', async () => {
    const exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: LIVE_T0, bookSpreadTicks: 5, account: { USDT: 5_000, BTC: 0.5 } });
    const deps = testDeps({
      EXCHANGE_API_URL: exchange.url, TRADER_USERS: 'telegram:2', RATE_LIMIT_PER_MINUTE: '1000',
      TRADING_MODE: 'live', EXCHANGE_API_KEY: 'test-key', EXCHANGE_API_SECRET: 'test-secret',
    }, fixedClock(LIVE_T0));
    try {
      const runner = createCommandRunner(allCommands, deps);
      const ask = await runner.run('/sell BTC/USDT 0.2', trader);
      expect((await runner.run(ask.confirm!.line, trader)).title).toBe('Sold 0.2 BTC');
      const reply = await runner.run('/report text', trader);
      expect(reply).toMatchObject({ outcome: 'ok', level: 'warning', title: 'Portfolio report', badges: ['LIVE'] });
      expect(reply.lines[0]).toMatch(/^As of .* UTC, live account in USDT\.$/);
      expect(reply.lines).toContain('Ledger anomaly: BTC/USDT sells exceeded the position by 0.2 BTC in total (coins from outside the bot, or a fill the ledger lacks); P&L counts those proceeds at no cost.');
    } finally {
      await closeDeps(deps);
      await exchange.close();
    }
  });
});
