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

const sentAt = new Map<number, number>();
const latencies: number[] = [];
const originalPush = telegram.sendText.bind(telegram);
const started = performance.now();
for (let i = 0; i < UPDATES; i++) {
  const user = 1000 + (i % USERS);
  const chat = 1_000_000 + i; // one chat per update: its first reply is this update's answer
  sentAt.set(chat, performance.now());
  originalPush({ id: user }, { id: chat, type: 'private' }, '/price BTC/USDT');
  if (i % 200 === 199) await new Promise((r) => setImmediate(r));
}
await telegram.waitFor(() => telegram.messages.length >= UPDATES + 1, 600_000);
const elapsedS = (performance.now() - started) / 1000;
for (const m of telegram.messages) {
  const t0 = sentAt.get(m.chatId);
  if (t0 !== undefined && m.atMs !== undefined) latencies.push(m.atMs - t0);
}
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
console.log(`Telegram /price BTC/USDT, ${UPDATES} updates from ${USERS} users, warm quote cache`);
console.log(`  throughput: ${(UPDATES / elapsedS).toFixed(0)} updates/s (${elapsedS.toFixed(2)} s)   target ≥ 500/s`);
console.log(`  latency update→reply: p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms (${latencies.length} samples)   target p99 < 50 ms`);
console.log(`  exchange ticker calls during the run: ${exchange.count('/api/v3/ticker/24hr') - exchangeCallsBefore}`);
await adapter.stop();
await telegram.close();
await exchange.close();
await deps.market.exchange.close();
await deps.store.close();
