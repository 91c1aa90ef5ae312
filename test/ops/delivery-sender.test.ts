import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Telegram } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionButtons } from '../../src/chat/confirm.js';
import type { Notifier } from '../../src/chat/notifier.js';
import type { Reply } from '../../src/chat/reply.js';
import { telegramNotifier } from '../../src/chat/telegram-notifier.js';
import { loadConfig } from '../../src/config.js';
import { assembleDeps, type Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { SCHEDULER_LEASE } from '../../src/ops/coordinator.js';
import { retryDelayMs, sendDueDeliveries } from '../../src/ops/delivery-sender.js';
import { deliveryKey, enqueue } from '../../src/ops/outbox.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { DeliveryTarget } from '../../src/store/types.js';
import { FakeTelegramServer } from '../fakes/telegram-server.js';
import { fixedClock, memoryLog } from '../support/test-deps.js';

const T0 = Date.UTC(2026, 10, 21, 8, 0, 0);
const DAY_MS = 24 * 3_600_000;
const chat = (id: number): DeliveryTarget => ({ platform: 'telegram', chatId: String(id) });
const report = (title: string): Reply => ({ level: 'info', title, lines: ['Equity 10,000.00 USDT', 'No open positions.'], badges: ['PAPER'] });

describe('sending recorded deliveries through the real telegraf client to a local Telegram server', () => {
  let telegram: FakeTelegramServer;
  let dbPath: string;
  let clock: ReturnType<typeof fixedClock>;
  let deps: Deps;
  let notifier: Notifier;
  let log: string[];

  /** A bot process on the SQLite file: a fresh one stands for a restart. */
  function openBot(): Deps {
    const config = loadConfig({ DATABASE_URL: `sqlite:${dbPath}`, INSTANCE_ID: 'bot-1' });
    const sink = memoryLog();
    log = sink.lines;
    return assembleDeps(config, createLogger({ level: 'debug', pretty: false, destination: sink.stream }), clock, createSqliteStore(dbPath));
  }

  /** One round of the deliveries job at `nowMs`, as the leader (the scheduler renews the lease in between). */
  async function round(nowMs: number) {
    clock.set(nowMs);
    await deps.store.leases.acquire(SCHEDULER_LEASE, 'bot-1', 30_000, nowMs);
    return sendDueDeliveries(deps, notifier, nowMs);
  }
  const sends = () => telegram.calls.filter((c) => c.method === 'sendMessage').length;
  const record = (target: DeliveryTarget, period: string, atMs = T0, expiresInMs = DAY_MS) =>
    enqueue(deps.store, { source: 'daily-report', period, target, reply: report(`Daily report ${period}`), expiresInMs }, atMs);

  beforeEach(async () => {
    telegram = await FakeTelegramServer.start();
    dbPath = join(mkdtempSync(join(tmpdir(), 'tradeops-deliveries-')), 'bot.db');
    clock = fixedClock(T0);
    deps = openBot();
    notifier = telegramNotifier(new Telegram(telegram.token, { apiRoot: telegram.apiRoot }), { buttons: new ActionButtons() });
  });
  afterEach(async () => {
    await deps.store.close();
    await telegram.close();
  });

  it('after three 500s the report arrives exactly once; each retry waits longer, and nothing is sent before it is due', async () => {
    await record(chat(42), '2026-11-21');
    telegram.fail('sendMessage', 3, { status: 500 });
    const key = deliveryKey('daily-report', chat(42), '2026-11-21');
    let nowMs = T0;
    const waits: number[] = [];
    for (let failure = 1; failure <= 3; failure++) {
      expect(await round(nowMs)).toMatchObject({ delivered: 0, retrying: 1 });
      const d = (await deps.store.deliveries.get(key))!;
      expect(d).toMatchObject({ state: 'pending', attempts: failure, lastError: expect.stringContaining('Telegram answered 500') });
      waits.push(d.nextAttemptAtMs - nowMs);
      const before = sends();
      await round(d.nextAttemptAtMs - 1);
      expect(sends()).toBe(before);
      nowMs = d.nextAttemptAtMs;
    }
    expect(waits[0]).toBeGreaterThanOrEqual(5_000);
    expect(waits[1]).toBeGreaterThanOrEqual(10_000);
    expect(waits[2]).toBeGreaterThanOrEqual(20_000);
    expect(await round(nowMs)).toMatchObject({ delivered: 1, retrying: 0 });
    for (const later of [nowMs + 5_000, nowMs + 60_000, nowMs + DAY_MS]) await round(later);
    const got = telegram.messagesIn(42);
    expect(got).toHaveLength(1);
    expect(got[0]!.text).toContain('Daily report 2026-11-21');
    expect(await deps.store.deliveries.get(key)).toMatchObject({ state: 'delivered', attempts: 4, messageRef: String(got[0]!.messageId) });
    const metrics = await deps.metrics.registry.getSingleMetricAsString('tradeops_deliveries_total');
    expect(metrics).toMatch(/source="daily-report",outcome="retry"[^\n]* 3/);
    expect(metrics).toMatch(/source="daily-report",outcome="delivered"[^\n]* 1/);
  });

  it("a 429 waits Telegram's retry_after, and the chat's later message waits behind it, so both arrive once, in order", async () => {
    await record(chat(42), 'first');
    await record(chat(42), 'second');
    await record(chat(7), 'other chat');
    telegram.fail('sendMessage', 1, { status: 429, retryAfterS: 30 });
    expect(await round(T0)).toMatchObject({ delivered: 1, retrying: 1, deferred: 1 });
    expect(telegram.messagesIn(7)).toHaveLength(1);
    const first = (await deps.store.deliveries.get(deliveryKey('daily-report', chat(42), 'first')))!;
    expect(first.nextAttemptAtMs).toBe(T0 + 30_000);
    expect(await round(T0 + 10_000)).toMatchObject({ delivered: 0, deferred: 1 });
    expect(await round(T0 + 29_999)).toMatchObject({ delivered: 0, deferred: 1 });
    expect(telegram.messagesIn(42)).toHaveLength(0);
    expect(await round(T0 + 30_000)).toMatchObject({ delivered: 2 });
    await round(T0 + 60_000);
    expect(telegram.messagesIn(42).map((m) => /Daily report (\w+)/.exec(m.text)?.[1])).toEqual(['first', 'second']);
    expect(telegram.messagesIn(7)).toHaveLength(1);
  });

  it('a restart between attempts loses nothing and sends nothing twice', async () => {
    await record(chat(42), '2026-11-21');
    telegram.fail('sendMessage', 2, { status: 503 });
    const key = deliveryKey('daily-report', chat(42), '2026-11-21');
    await round(T0);
    for (let restart = 0; restart < 2; restart++) {
      await deps.store.close();
      deps = openBot();
      const pending = (await deps.store.deliveries.get(key))!;
      expect(pending.state).toBe('pending');
      await round(pending.nextAttemptAtMs);
    }
    expect(telegram.messagesIn(42)).toHaveLength(1);
    expect(await deps.store.deliveries.get(key)).toMatchObject({ state: 'delivered', attempts: 3 });
    expect(await round(T0 + DAY_MS - 1)).toMatchObject({ delivered: 0, retrying: 0 });
    expect(telegram.messagesIn(42)).toHaveLength(1);
  });

  it('a chat that blocked the bot is given up at once with the reason; other chats still get theirs', async () => {
    await record(chat(13), 'blocked');
    await record(chat(42), 'fine');
    telegram.fail('sendMessage', 1, { status: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(await round(T0)).toMatchObject({ delivered: 1, expired: 1, retrying: 0 });
    expect(await deps.store.deliveries.get(deliveryKey('daily-report', chat(13), 'blocked'))).toMatchObject({
      state: 'expired', lastError: expect.stringContaining('bot was blocked by the user'),
    });
    expect(telegram.messagesIn(42)).toHaveLength(1);
    expect(await deps.store.deliveries.counts()).toEqual({ pending: 0, delivered: 1, expired: 1 });
    expect(log.some((l) => l.includes('delivery refused for good'))).toBe(true);
  });

  it('a delivery still failing when it expires is given up, saying why, never dropped silently', async () => {
    await record(chat(42), 'short-lived', T0, 60_000);
    telegram.fail('sendMessage', 100, { status: 502 });
    const key = deliveryKey('daily-report', chat(42), 'short-lived');
    let d = (await deps.store.deliveries.get(key))!;
    while (d.state === 'pending') {
      await round(Math.max(d.nextAttemptAtMs, clock.now()));
      d = (await deps.store.deliveries.get(key))!;
    }
    expect(d).toMatchObject({ state: 'expired', lastError: expect.stringMatching(/not delivered before it expired; last error: Telegram answered 502/) });
    expect(telegram.messagesIn(42)).toHaveLength(0);
    expect(log.some((l) => l.includes('delivery given up'))).toBe(true);
  });

  it("a message that expires while it waits behind the chat's retry is given up on time, not deferred", async () => {
    await record(chat(42), 'first');
    await record(chat(42), 'short-lived', T0, 10_000);
    telegram.fail('sendMessage', 1, { status: 429, retryAfterS: 30 });
    expect(await round(T0)).toMatchObject({ retrying: 1, deferred: 1 });
    expect(await round(T0 + 10_000)).toMatchObject({ expired: 1, deferred: 0 });
    expect(await deps.store.deliveries.get(deliveryKey('daily-report', chat(42), 'short-lived'))).toMatchObject({ state: 'expired' });
    expect(await round(T0 + 30_000)).toMatchObject({ delivered: 1 });
    expect(telegram.messagesIn(42)).toHaveLength(1);
  });

  it('a chat with more than a thousand pending messages still sends its oldest ones', async () => {
    for (let i = 0; i < 1_010; i++) await record(chat(42), `p${String(i).padStart(4, '0')}`, T0 + i);
    clock.set(T0 + 2_000);
    await deps.store.leases.acquire(SCHEDULER_LEASE, 'bot-1', 30_000, T0 + 2_000);
    expect(await sendDueDeliveries(deps, notifier, T0 + 2_000, { limit: 3 })).toMatchObject({ delivered: 3, deferred: 0 });
    expect(telegram.messagesIn(42).map((m) => /Daily report (\w+)/.exec(m.text)?.[1])).toEqual(['p0000', 'p0001', 'p0002']);
  });

  it('a replica that no longer holds the scheduler lease sends nothing', async () => {
    await record(chat(42), '2026-11-21');
    await deps.store.leases.acquire(SCHEDULER_LEASE, 'bot-2', 30_000, T0);
    expect(await sendDueDeliveries(deps, notifier, T0)).toMatchObject({ delivered: 0, lostLeadership: true });
    expect(sends()).toBe(0);
  });
});

describe('retry delays', () => {
  it('double from 5 s up to 10 min, spread by up to 20%, and never undercut what the platform asked', () => {
    const delays = Array.from({ length: 12 }, (_, i) => retryDelayMs('k', i + 1, undefined));
    delays.forEach((ms, i) => {
      const base = Math.min(5_000 * 2 ** i, 600_000);
      expect(ms).toBeGreaterThanOrEqual(base);
      expect(ms).toBeLessThanOrEqual(Math.min(base * 1.2, 600_000));
    });
    expect(delays.at(-1)).toBe(600_000);
    expect(retryDelayMs('k', 1, 45_000)).toBe(45_000);
    expect(retryDelayMs('k', 1, undefined)).toBe(retryDelayMs('k', 1, undefined));
  });
});
