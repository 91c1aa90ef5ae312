/**
 * Telegram end-to-end throughput: `/price BTC/USDT` updates pushed into the local Bot API server, long-polled by the
 * real telegraf client, run through the command runner (quote cache warm), rendered and sent back to the server.
 * Prints updates per second and p50/p99 latency from update queued to reply received. Never fails.
 *   node --import tsx bench/telegram.ts
 * Bot, local Bot API server and local exchange share this process (and so its event loop): the figures include
 * the server's own work.
 */
import { allCommands } from '../commands/index.js';
import { createCommandRunner } from '../src/chat/run-command.js';
import { startTelegram } from '../src/chat/telegram.js';
import { startExchangeServer } from '../test/fakes/exchange-server.js';
import { FakeTelegramServer } from '../test/fakes/telegram-server.js';
import { binanceMarkets, utc } from '../test/market/shared-data.js';
import { fixedClock, testDeps } from '../test/support/test-deps.js';

const UPDATES = Number(process.env.BENCH_UPDATES ?? 5_000);
const USERS = 50;
const T0 = utc('2021-04-20T01:00');

const exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0 });
const telegram = await FakeTelegramServer.start();
// A clock that does not move keeps the quote cache warm for the whole run: the figure is the bot's own cost.
const deps = testDeps({ EXCHANGE_API_URL: exchange.url, VIEWER_USERS: Array.from({ length: USERS }, (_, i) => `telegram:${1000 + i}`).join(','), RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'warn' }, fixedClock(T0));
const runner = createCommandRunner(allCommands, deps);
const adapter = startTelegram(runner, { token: telegram.token, apiRoot: telegram.apiRoot, allowedChatIds: [], logger: deps.logger.child({ level: 'warn' }) });
await adapter.ready;

// Warm the quote cache once.
await runner.run('/price BTC/USDT', { platform: 'telegram', userId: '1000', userName: 'w', chatId: '1000' });
const exchangeCallsBefore = exchange.count('/api/v3/ticker/24hr');

let nextChat = 1_000_000;
/** Pushes `count` updates, `perTick` every `tickMs` (0: all at once); resolves with per-update latency and the wall time. */
async function drive(count: number, perTick: number, tickMs: number): Promise<{ latencies: number[]; seconds: number }> {
  const sentAt = new Map<number, number>();
  const before = telegram.messages.length;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const chat = nextChat++; // one chat per update: its reply is this update's answer
    sentAt.set(chat, performance.now());
    telegram.sendText({ id: 1000 + (i % USERS) }, { id: chat, type: 'private' }, '/price BTC/USDT');
    if (i % perTick === perTick - 1) await new Promise((r) => setTimeout(r, tickMs));
  }
  await telegram.waitFor(() => telegram.messages.length >= before + count, 600_000);
  const seconds = (performance.now() - started) / 1000;
  const latencies = telegram.messages.slice(before).flatMap((m) => {
    const t0 = sentAt.get(m.chatId);
    return t0 !== undefined && m.atMs !== undefined ? [m.atMs - t0] : [];
  });
  return { latencies: latencies.sort((a, b) => a - b), seconds };
}
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

const burst = await drive(UPDATES, 200, 0);
console.log(`Telegram /price BTC/USDT from ${USERS} users, warm quote cache, bot + local Bot API server in one process`);
console.log(`  burst of ${UPDATES}: ${(UPDATES / burst.seconds).toFixed(0)} updates/s (${burst.seconds.toFixed(2)} s)   target ≥ 500/s`);
const paced = await drive(Math.min(UPDATES, 2_500), 5, 10);
console.log(`  paced at 500/s for ${(Math.min(UPDATES, 2_500) / 500).toFixed(0)} s: latency update→reply p50 ${pct(paced.latencies, 50).toFixed(1)} ms, p99 ${pct(paced.latencies, 99).toFixed(1)} ms   target p99 < 50 ms`);
console.log(`  exchange ticker calls during the runs: ${exchange.count('/api/v3/ticker/24hr') - exchangeCallsBefore}`);
await adapter.stop();
await telegram.close();
await exchange.close();
await deps.market.exchange.close();
await deps.store.close();
