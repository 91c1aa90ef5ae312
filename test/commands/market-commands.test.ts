import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { startExchangeServer, type AggTrade, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';

const viewer: Caller = { platform: 'telegram', userId: '1', userName: 'v', chatId: '1' };
const T0 = utc('2021-04-20T01:00');
const trades: AggTrade[] = [
  { a: 1, p: '55000.10', q: '2.5', f: 1, l: 1, T: T0 - 60_000, m: true, M: true },
  { a: 2, p: '55001.00', q: '0.1', f: 2, l: 2, T: T0 - 50_000, m: false, M: true },
  { a: 3, p: '55002.50', q: '10', f: 3, l: 3, T: T0 - 40_000, m: false, M: true },
];

describe('market commands over real ccxt and a local exchange serving real candles', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, trades: { BTCUSDT: trades } });
    clock = fixedClock(T0);
    deps = testDeps({ EXCHANGE_API_URL: exchange.url, VIEWER_USERS: 'telegram:1', RATE_LIMIT_PER_MINUTE: '1000' }, clock);
    runner = createCommandRunner(allCommands, deps);
  });
  afterEach(async () => {
    await deps.market.exchange.close();
    await deps.store.close();
    await exchange.close();
  });

  it('/price shows the price the exchange served, with its source and age', async () => {
    const reply = await runner.run('/price BTC/USDT', viewer);
    const served = exchange.tickerNow('BTCUSDT')!;
    expect(reply.outcome).toBe('ok');
    expect(reply.title).toBe('BTC/USDT');
    const [row] = reply.table!.rows;
    expect(row![0]).toBe('BTC/USDT');
    expect(Number(row![1]!.replace(/,/g, ''))).toBe(served.lastPrice);
    expect(row![6]).toBe('binance');
    expect(row![7]).toMatch(/^\d+(ms| ms|s)/);
    expect(reply.badges).toEqual([]);
  });

  it('/price answers several symbols, resolving bare bases, and names the one that does not exist', async () => {
    const reply = await runner.run('/price btc ETH/USDT DOGE/XYZ', viewer);
    expect(reply.table!.rows.map((r) => r[0])).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(reply.lines).toEqual([expect.stringMatching(/^DOGE\/XYZ: binance has no market "DOGE\/XYZ"/)]);
    expect(reply.level).toBe('warning');
  });

  it('/price of an unknown market is a clear user error, not a number', async () => {
    const reply = await runner.run('/price NOPE/USDT', viewer);
    expect(reply.outcome).toBe('user_error');
    expect(reply.table).toBeUndefined();
    expect(reply.lines[0]).toMatch(/binance has no market "NOPE\/USDT"/);
  });

  it('/price labels an old price STALE, with the exchange outage as the reason, and never invents one', async () => {
    const fresh = await runner.run('/price BTC/USDT', viewer);
    exchange.setOutage(true);
    clock.advance(3 * 60_000);
    const stale = await runner.run('/price BTC/USDT', viewer);
    expect(stale.badges).toEqual(['STALE']);
    expect(stale.table!.rows[0]![1]).toBe(fresh.table!.rows[0]![1]);
    expect(stale.table!.rows[0]![7]).toMatch(/STALE$/);
    expect(stale.lines[0]).toMatch(/^BTC\/USDT is STALE: the exchange stamped it 3m \d+s ago \(.*binance.*\)\.$/);
    clock.advance(20 * 60_000);
    const gone = await runner.run('/price BTC/USDT', viewer);
    expect(gone.outcome).toBe('temporary_error');
    expect(gone.table).toBeUndefined();
    expect(gone.lines[0]).toMatch(/try again in/i);
    expect(gone.lines[0]!.match(/try again/gi)).toHaveLength(1);
  });

  it('/chart draws the latest real candles and says where they came from', async () => {
    const reply = await runner.run('/chart BTC/USDT 1m 60', viewer);
    expect(reply.outcome).toBe('ok');
    expect(reply.image!.png.length).toBeGreaterThan(10_000);
    expect(reply.image!.filename).toBe('BTC-USDT-1m.png');
    expect(reply.lines[1]).toMatch(/^Source: binance · 60 × 1m · 2021-04-20 00:00:00 UTC → 2021-04-20 00:59:00 UTC/);
    expect((await runner.run('/chart BTC/USDT 7x', viewer)).lines[0]).toMatch(/timeframe must look like/);
  }, 60_000);

  it('/whales lists the largest trades first, filters by notional, and says when none qualify', async () => {
    const all = await runner.run('/whales BTC/USDT', viewer);
    expect(all.table!.rows.map((r) => r[4])).toEqual(['550,025', '137,500.25', '5,500.1']);
    expect(all.table!.rows[0]!.slice(1, 4)).toEqual(['buy', '55,002.5', '10']);
    const big = await runner.run('/whales BTC/USDT 100000', viewer);
    expect(big.table!.rows).toHaveLength(2);
    const none = await runner.run('/whales BTC/USDT 1000000', viewer);
    expect(none.lines[0]).toMatch(/^No trade of at least 1,000,000 in the last 3 trades on binance/);
  });

  it('/status shows market-data monitoring figures', async () => {
    await runner.run('/price BTC/USDT', viewer);
    await runner.run('/price BTC/USDT', viewer);
    const reply = await runner.run('/status', viewer);
    expect(reply.lines.find((l) => l.startsWith('Market data'))).toMatch(/^Market data: binance: \d+ requests, 100.00% ok, p50 \d+ ms, p99 \d+ ms, cache hits \d+%, breaker closed, last success/);
  });
});
