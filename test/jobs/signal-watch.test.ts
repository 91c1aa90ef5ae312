import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import { signalWatch } from '../../jobs/signal-watch.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { closeDeps } from '../../src/deps.js';
import type { JobDeps } from '../../src/ops/job.js';
import { decodeReply } from '../../src/ops/outbox.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, readBars, SELSKAS_DIR, utc } from '../market/shared-data.js';
import { fixedClock, recordingJobDeps, testDeps } from '../support/test-deps.js';

const alice: Caller = { platform: 'telegram', userId: '1', userName: 'alice', chatId: '100' };
const bob: Caller = { platform: 'discord', userId: '2', userName: 'bob', chatId: '200' };
const T0 = utc('2021-04-10T12:00');
const FLIP_BAR = utc('2021-04-10T14:15');
const MINUTE = 60_000;
const KEY = 'watch:telegram:100:BTC/USDT|5m|sma_cross';

/** SMA(10) − SMA(30) of the real 5m closes on the bar that opened at `openMs`, by plain arithmetic. */
function smaSpread(openMs: number): number {
  const bars = readBars(join(SELSKAS_DIR, 'BTC_USDT-5m.json'));
  const i = bars.findIndex((r) => r[0] === openMs);
  const mean = (n: number) => bars.slice(i - n + 1, i + 1).reduce((s, r) => s + r[4]!, 0) / n;
  return mean(10) - mean(30);
}

describe('signal-watch job (real ccxt against the local exchange, real BTC/USDT 5m candles)', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: JobDeps;
  let runner: CommandRunner;
  let woken: string[];

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0 });
    clock = fixedClock(T0);
    woken = [];
    const base = testDeps({ EXCHANGE_API_URL: exchange.url, VIEWER_USERS: 'telegram:1,discord:2', RATE_LIMIT_PER_MINUTE: '1000' }, clock);
    deps = recordingJobDeps(base, woken);
    runner = createCommandRunner(allCommands, deps);
  });
  afterEach(async () => {
    await closeDeps(deps);
    await exchange.close();
  });

  const watch = async (line: string, caller: Caller) => expect((await runner.run(line, caller)).outcome).toBe('ok');
  const at = (ms: number) => {
    clock.set(ms);
    exchange.setCurrentTime(ms);
  };
  const run = async () => (await signalWatch.run(deps, clock.now()))!.summary;
  const deliveries = () => deps.store.deliveries.list({ limit: 50, source: 'watch' });

  it('the real data flips SHORT → LONG on the 14:15 bar (checked by hand, not by the strategy code)', () => {
    expect(smaSpread(FLIP_BAR - 5 * MINUTE)).toBeLessThan(0);
    expect(smaSpread(FLIP_BAR)).toBeGreaterThan(0);
    for (let t = T0 - 5 * MINUTE; t < FLIP_BAR; t += 5 * MINUTE) expect(smaSpread(t), new Date(t).toISOString()).toBeLessThan(0);
  });

  it('records a silent baseline, posts the flip once when its bar closes, and a re-run posts nothing', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    expect(await run()).toBe('1 watches: 1 baseline');
    expect(await deliveries()).toEqual([]);
    expect(await deps.store.settings.get(`watch-state:${KEY}`)).toMatchObject({ stance: -1, barTimeMs: T0 - 5 * MINUTE });

    // Every minute up to the bar's close: nothing to say, and no candles asked for while no new bar has closed.
    const klines = exchange.count('/api/v3/klines');
    at(T0 + 4 * MINUTE);
    expect(await run()).toBe('1 watches: 1 unchanged');
    expect(exchange.count('/api/v3/klines')).toBe(klines);
    for (let t = T0 + MINUTE; t < FLIP_BAR + 5 * MINUTE; t += MINUTE) {
      at(t);
      await run();
    }
    expect(exchange.count('/api/v3/klines')).toBe(klines + (FLIP_BAR - T0) / (5 * MINUTE));
    expect(await deliveries()).toEqual([]);
    expect(woken).toEqual([]);

    at(FLIP_BAR + 5 * MINUTE);
    expect(await run()).toBe('1 watches: 1 posted');
    const [posted, ...more] = await deliveries();
    expect(more).toEqual([]);
    expect(posted).toMatchObject({ source: 'watch', target: { platform: 'telegram', chatId: '100' }, period: `${KEY}@${FLIP_BAR + 5 * MINUTE}`, state: 'pending' });
    expect(woken).toEqual(['deliveries']);
    const reply = decodeReply(posted!.payload);
    expect(reply.title).toBe('BTC/USDT 5m sma_cross: SHORT → LONG');
    expect(reply.lines).toEqual([
      'The sma_cross stance on BTC/USDT 5m is LONG on the bar 2021-04-10 14:15:00 UTC – 2021-04-10 14:20:00 UTC; it was SHORT on the bar opened 2021-04-10 14:10:00 UTC.',
      'Close 60,430.81; fast 60,349.5, slow 60,332.9 (default parameters).',
      'Candles: binance, 500 closed 5m bars, the last opened 2021-04-10 14:15:00 UTC.',
      'A strategy\'s rule, not advice. Stop these with /watch BTC/USDT 5m sma_cross off=1',
    ]);
    expect(reply.actions).toEqual([{ label: 'Stop watching', line: '/watch BTC/USDT 5m sma_cross off=1' }]);

    expect(await run()).toBe('1 watches: 1 unchanged');
    at(FLIP_BAR + 5 * MINUTE + 30_000);
    await run();
    expect(await deliveries()).toHaveLength(1);
    expect(woken).toEqual(['deliveries']);
  });

  it('a crash after recording the post but before saving the state does not post twice', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    at(FLIP_BAR);
    await run();
    at(FLIP_BAR + 5 * MINUTE);
    await run();
    // As if the run died before the state moved on: the same bar is evaluated again.
    await deps.store.settings.set(`watch-state:${KEY}`, { stance: -1, barTimeMs: FLIP_BAR - 5 * MINUTE, watchAtMs: T0 }, clock.now());
    expect(await run()).toBe('1 watches: 1 unchanged');
    expect(await deliveries()).toHaveLength(1);
  });

  it('two chats watching the same pair each get one post', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    await watch('/watch BTC/USDT 5m sma_cross', bob);
    at(FLIP_BAR);
    expect(await run()).toBe('2 watches: 2 baseline');
    at(FLIP_BAR + 5 * MINUTE);
    expect(await run()).toBe('2 watches: 2 posted');
    at(FLIP_BAR + 6 * MINUTE);
    await run();
    const posted = await deliveries();
    expect(posted.map((d) => `${d.target.platform}:${d.target.chatId}`).sort()).toEqual(['discord:200', 'telegram:100']);
    expect(posted.map((d) => decodeReply(d.payload).title)).toEqual(['BTC/USDT 5m sma_cross: SHORT → LONG', 'BTC/USDT 5m sma_cross: SHORT → LONG']);
  });

  it('stale or unavailable candles: no post, and the summary says why', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    await run();
    // The exchange is down when the flip's bar closes.
    exchange.setOutage(true);
    at(FLIP_BAR + 5 * MINUTE);
    expect(await run()).toMatch(/^1 watches: none evaluated; no post for BTC\/USDT 5m \(1 watches\): candles unavailable: .*binance/);
    // The exchange answers again but its data stops an hour back.
    exchange.setOutage(false);
    clock.set(FLIP_BAR + 65 * MINUTE);
    exchange.setCurrentTime(FLIP_BAR + 5 * MINUTE);
    expect(await run()).toMatch(/no post for BTC\/USDT 5m \(1 watches\): stale: the newest 5m candle of BTC\/USDT from binance opened 2021-04-10T14:15:00.000Z, 12 bars behind$/);
    expect(await deliveries()).toEqual([]);
  });

  it('a watch removed and added again starts with a new silent baseline; states of removed watches are dropped', async () => {
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    await run();
    await watch('/watch BTC/USDT 5m sma_cross off=1', alice);
    at(FLIP_BAR + 5 * MINUTE);
    await watch('/watch BTC/USDT 5m sma_cross', alice);
    expect(await run()).toBe('1 watches: 1 baseline');
    expect(await deliveries()).toEqual([]);

    await watch('/watch BTC/USDT 5m sma_cross off=1', alice);
    expect(await run()).toBe('no watches');
    expect(await deps.store.settings.get(`watch-state:${KEY}`)).toBeUndefined();
  });
});
