import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEDULER_LEASE } from '../../src/ops/coordinator.js';
import { deliveryKey } from '../../src/ops/outbox.js';
import { subscriptionsIn } from '../../src/ops/subscriptions.js';
import { createMongoStore } from '../../src/store/mongo.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { DeliveryTarget, Store } from '../../src/store/types.js';
import { FakeTelegramServer } from '../fakes/telegram-server.js';

const BIN = fileURLToPath(new URL('../../bin/tradeops.js', import.meta.url));
const uri = process.env.MONGODB_URI;
const chats = [42, 43];
const target = (chatId: number): DeliveryTarget => ({ platform: 'telegram', chatId: String(chatId) });
const today = () => new Date().toISOString().slice(0, 10);

/** A bot process of its own database on the MongoDB server, with a short scheduler lease. */
function startReplica(name: string, databaseUrl: string, telegram: FakeTelegramServer): ChildProcess & { log: () => string } {
  const child = spawn(process.execPath, [BIN, 'start'], {
    cwd: mkdtempSync(join(tmpdir(), `tradeops-${name}-`)),
    env: {
      PATH: process.env.PATH!,
      DATABASE_URL: databaseUrl,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      // The account holds cash only: nothing needs the exchange; a closed port makes any stray call fail fast.
      EXCHANGE_API_URL: 'http://127.0.0.1:9',
      OPS_PORT: 'off',
      INSTANCE_ID: name,
      SCHEDULER_LEASE_MS: '3000',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return Object.assign(child, { log: () => stderr });
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', r)));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one bot process restarted while Telegram refuses its report (SQLite)', () => {
  it('the report recorded before the restart arrives once after it, after the 429s it was told to wait out', async () => {
    const telegram = await FakeTelegramServer.start();
    const dbPath = join(mkdtempSync(join(tmpdir(), 'tradeops-restart-')), 'bot.db');
    const seed = createSqliteStore(dbPath);
    await subscriptionsIn(seed.settings).put(
      { kind: 'report', target: target(42), timeOfDay: '00:00', timeZone: 'UTC', text: true, by: 'telegram:1', atMs: 0 },
      Date.now(),
    );
    await seed.close();
    telegram.fail('sendMessage', 2, { status: 429, retryAfterS: 1 });
    let bot = startReplica('solo', `sqlite:${dbPath}`, telegram);
    try {
      await telegram.waitFor(() => telegram.calls.some((c) => c.method === 'sendMessage'), 90_000);
      bot.kill('SIGTERM');
      expect(await exited(bot)).toBe(0);
      const between = createSqliteStore(dbPath);
      const key = deliveryKey('daily-report', target(42), today());
      expect(await between.deliveries.get(key)).toMatchObject({ state: 'pending', attempts: 1, lastError: expect.stringContaining('429') });
      await between.close();
      bot = startReplica('solo', `sqlite:${dbPath}`, telegram);
      await telegram.waitFor(() => telegram.messagesIn(42).length > 0, 90_000);
      await pause(6_000);
      expect(telegram.messagesIn(42), bot.log()).toHaveLength(1);
      expect(telegram.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(3);
      bot.kill('SIGTERM');
      expect(await exited(bot)).toBe(0);
    } finally {
      bot.kill('SIGKILL');
      await telegram.close();
    }
  }, 150_000);
});

describe.skipIf(!uri)('two real bot processes on one MongoDB (MONGODB_URI)', () => {
  const children: ChildProcess[] = [];
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  });

  /** A fresh database with report subscriptions (text form, due at 00:00 UTC, so due now) for each chat. */
  async function setUp(tag: string): Promise<{ store: Store; databaseUrl: string; telegram: FakeTelegramServer }> {
    const url = new URL(uri!);
    url.pathname = `/h_sched_${tag}_${process.pid}_${Date.now().toString(36)}`;
    const databaseUrl = url.toString();
    const telegram = await FakeTelegramServer.start();
    const store = await createMongoStore({ url: databaseUrl, location: 'test', serverSelectionTimeoutMs: 3_000 });
    cleanup.push(async () => telegram.close());
    cleanup.push(async () => {
      await store.close();
      const client = await new MongoClient(uri!).connect();
      await client.db(url.pathname.slice(1)).dropDatabase();
      await client.close();
    });
    for (const chatId of chats) {
      await subscriptionsIn(store.settings).put(
        { kind: 'report', target: target(chatId), timeOfDay: '00:00', timeZone: 'UTC', text: true, by: 'telegram:1', atMs: 0 },
        Date.now(),
      );
    }
    return { store, databaseUrl, telegram };
  }


  it('every scheduled report is delivered exactly once, whichever replica leads', async () => {
    const { store, databaseUrl, telegram } = await setUp('once');
    const replicas = ['replica-1', 'replica-2'].map((name) => startReplica(name, databaseUrl, telegram));
    children.push(...replicas);
    await telegram.waitFor(() => chats.every((id) => telegram.messagesIn(id).length > 0), 90_000);
    // Several more deliveries rounds (every 5 s) on both replicas: nothing more may arrive.
    await pause(7_000);
    for (const id of chats) {
      const got = telegram.messagesIn(id);
      expect(got, replicas.map((r) => r.log()).join('\n')).toHaveLength(1);
      expect(got[0]!.text).toContain(`Daily report ${today()}`);
      expect(await store.deliveries.get(deliveryKey('daily-report', target(id), today()))).toMatchObject({ state: 'delivered', attempts: 1 });
    }
    const leader = (await store.leases.get(SCHEDULER_LEASE))!.holder;
    expect(['replica-1', 'replica-2']).toContain(leader);
    for (const r of replicas) r.kill('SIGTERM');
    expect(await Promise.all(replicas.map(exited))).toEqual([0, 0]);
  }, 150_000);

  it('when the leader is killed while its delivery is failing, the other replica takes over and delivers it exactly once', async () => {
    const { store, databaseUrl, telegram } = await setUp('kill');
    // Telegram fails the first three sends (the leader's, then the new leader's), then heals.
    telegram.fail('sendMessage', 3, { status: 500 });
    const replicas = new Map(['replica-1', 'replica-2'].map((name) => [name, startReplica(name, databaseUrl, telegram)]));
    children.push(...replicas.values());
    await telegram.waitFor(() => telegram.calls.some((c) => c.method === 'sendMessage'), 90_000);
    const leader = (await store.leases.get(SCHEDULER_LEASE))!.holder;
    const doomed = replicas.get(leader)!;
    doomed.kill('SIGKILL');
    await exited(doomed);
    // Killed before any report got through: the new leader has to deliver them all.
    const atKill = await store.deliveries.counts();
    expect(atKill.delivered).toBe(0);
    expect(atKill.pending).toBeGreaterThan(0);
    const survivor = [...replicas.entries()].find(([name]) => name !== leader)!;
    await telegram.waitFor(() => chats.every((id) => telegram.messagesIn(id).length > 0), 90_000);
    await pause(7_000);
    const log = survivor[1].log();
    for (const id of chats) {
      expect(telegram.messagesIn(id), log).toHaveLength(1);
      expect(await store.deliveries.get(deliveryKey('daily-report', target(id), today()))).toMatchObject({ state: 'delivered' });
    }
    expect((await store.leases.get(SCHEDULER_LEASE))!.holder).toBe(survivor[0]);
    expect(log).toMatch(/scheduler leadership taken/);
    survivor[1].kill('SIGTERM');
    expect(await exited(survivor[1])).toBe(0);
  }, 180_000);
});
