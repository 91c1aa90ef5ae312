import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import { candleBackfill } from '../../jobs/candle-backfill.js';
import { signalWatch } from '../../jobs/signal-watch.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { closeDeps } from '../../src/deps.js';
import type { JobDeps } from '../../src/ops/job.js';
import { topUpCandles } from '../../src/research/watch-candles.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, readBars, SELSKAS_DIR, utc } from '../market/shared-data.js';
import { fixedClock, recordingJobDeps, testDeps } from '../support/test-deps.js';

const alice: Caller = { platform: 'telegram', userId: '1', userName: 'alice', chatId: '100' };
const bob: Caller = { platform: 'discord', userId: '2', userName: 'bob', chatId: '200' };
const T0 = utc('2021-04-10T12:00');
const MINUTE = 60_000;

describe('candle-backfill job (real ccxt against the local exchange, real candles)', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: JobDeps;
  let runner: CommandRunner;

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0 });
    clock = fixedClock(T0);
    const base = testDeps({ EXCHANGE_API_URL: exchange.url, VIEWER_USERS: 'telegram:1,discord:2', RATE_LIMIT_PER_MINUTE: '1000' }, clock);
    deps = recordingJobDeps(base);
    runner = createCommandRunner(allCommands, deps);
  });
  afterEach(async () => {
    await closeDeps(deps);
    await exchange.close();
  });

  const watch = async (line: string, caller: Caller) => expect((await runner.run(line, caller)).outcome).toBe('ok');
  const stored = (symbol: string, timeframe: string) => deps.store.candles.loadColumns('binance', symbol, timeframe);
  const run = async () => (await candleBackfill.run(deps, clock.now()))!.summary;
  const at = (ms: number) => {
    clock.set(ms);
    exchange.setCurrentTime(ms);
  };

  it('does nothing without watches', async () => {
    expect(await run()).toBe('no watched markets');
    expect(exchange.count('/api/v3/klines')).toBe(0);
  });

  it('stores the closed candles of each watched pair once, the exchange\'s real bars; a second run adds nothing', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    await watch('/watch BTC/USDT 5m rsi_reversion', bob);
    await watch('/watch ETH/USDT 1m macd_cross', bob);

    expect(await run()).toBe('2 watched pairs; stored BTC/USDT 5m +1000, ETH/USDT 1m +1000');
    const btc = await stored('BTC/USDT', '5m');
    expect(btc.timeMs.length).toBe(1000);
    // The last closed 5m bar at 12:00 opened at 11:55; the forming one is left out.
    expect(btc.timeMs.at(-1)).toBe(T0 - 5 * MINUTE);
    const real = readBars(join(SELSKAS_DIR, 'BTC_USDT-5m.json'));
    const i = real.findIndex((r) => r[0] === T0 - 5 * MINUTE);
    expect([btc.open.at(-1), btc.high.at(-1), btc.low.at(-1), btc.close.at(-1), btc.volume.at(-1)]).toEqual(real[i]!.slice(1, 6));
    expect((await stored('ETH/USDT', '1m')).timeMs.at(-1)).toBe(T0 - MINUTE);

    const requests = exchange.count('/api/v3/klines');
    expect(await run()).toBe('2 watched pairs; stored BTC/USDT 5m +0, ETH/USDT 1m +0');
    expect(exchange.count('/api/v3/klines')).toBe(requests);
    expect((await stored('BTC/USDT', '5m')).timeMs.length).toBe(1000);
  });

  it('adds only the bars closed since the last stored one, and fetches at most 1000 per pair and run', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    await run();
    at(T0 + 7 * MINUTE);
    expect(await run()).toBe('1 watched pairs; stored BTC/USDT 5m +1');
    expect((await stored('BTC/USDT', '5m')).timeMs.at(-1)).toBe(T0);

    at(T0 + 5 * 86_400_000);
    expect(await run()).toBe('1 watched pairs; stored BTC/USDT 5m +1000');
    const btc = await stored('BTC/USDT', '5m');
    expect(btc.timeMs.at(-1)).toBe(T0 + 5 * 86_400_000 - 5 * MINUTE);
    expect(btc.timeMs.length).toBe(2001);
  });

  it('fills the depth signal-watch leaves (it keeps only 500 bars), so a default /backtest then fetches nothing', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    await signalWatch.run(deps, clock.now());
    expect((await stored('BTC/USDT', '5m')).timeMs.length).toBe(500);
    const requests = exchange.count('/api/v3/klines');
    expect(await run()).toBe('1 watched pairs; stored BTC/USDT 5m +500');
    expect(exchange.count('/api/v3/klines')).toBe(requests + 1);
    const btc = await stored('BTC/USDT', '5m');
    expect([btc.timeMs.length, btc.timeMs[0], btc.timeMs.at(-1)]).toEqual([1000, T0 - 1000 * 5 * MINUTE, T0 - 5 * MINUTE]);

    const backtest = await runner.run('/backtest BTC/USDT 5m sma_cross', alice);
    expect(backtest.outcome, backtest.lines.join('\n')).toBe('ok');
    expect(backtest.lines[0]).toMatch(/^Data: binance BTC\/USDT 5m, 1000 bars /);
    expect(exchange.count('/api/v3/klines')).toBe(requests + 1);
  });

  it('fills a hole inside the window that topping up from the last stored bar left behind', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    await run();
    // Three days on, a top-up of 500 bars (as signal-watch does) leaves the bars between uncovered.
    at(T0 + 3 * 86_400_000);
    expect(await topUpCandles(deps, { symbol: 'BTC/USDT', timeframe: '5m' }, clock.now(), 500)).toBe(500);
    const window = (await stored('BTC/USDT', '5m')).timeMs.filter((t) => t >= clock.now() - 1000 * 5 * MINUTE);
    expect(window.length).toBe(1000 - 364);
    expect(await run()).toBe('1 watched pairs; stored BTC/USDT 5m +364');
    const btc = await stored('BTC/USDT', '5m');
    expect(btc.timeMs.length).toBe(1000 + 864);
    expect(btc.timeMs.every((t, i) => i === 0 || t - btc.timeMs[i - 1]! === 5 * MINUTE)).toBe(true);
    const requests = exchange.count('/api/v3/klines');
    expect(await run()).toBe('1 watched pairs; stored BTC/USDT 5m +0');
    expect(exchange.count('/api/v3/klines')).toBe(requests);
  });

  it('an exchange outage skips the pair with the reason, without failing the run; the next run catches up', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    await run();
    exchange.setOutage(true);
    at(T0 + 10 * MINUTE);
    expect(await run()).toMatch(/^1 watched pairs; skipped BTC\/USDT 5m \(.*binance.*\)$/);
    exchange.setOutage(false);
    at(T0 + 20 * MINUTE);
    // The market-data breaker's wait (30 s on the bot's clock) is over: the pair catches up.
    expect(await run()).toBe('1 watched pairs; stored BTC/USDT 5m +4');
    expect((await stored('BTC/USDT', '5m')).timeMs.at(-1)).toBe(T0 + 15 * MINUTE);
  });
});
