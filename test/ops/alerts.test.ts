import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { alertSnoozes, parseDurationMs } from '../../src/ops/alert-snooze.js';
import { alertBook, newAlertId, raiseJobFailure, resolveJobFailure, type NewAlert } from '../../src/ops/alerts.js';
import { createMongoStore } from '../../src/store/mongo.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';

const T0 = Date.UTC(2026, 0, 5, 12);
const DAY_MS = 86_400_000;
const uri = process.env.MONGODB_URI;
const mongoPrefix = `h_alerts_${process.pid}_${Date.now().toString(36)}`;
let n = 0;

/** Two "replicas": two stores over one database (a SQLite file, or a MongoDB database when MONGODB_URI is set). */
const BACKENDS: ReadonlyArray<{ name: string; skip: boolean; open(): Promise<[Store, Store]> }> = [
  {
    name: 'SQLite', skip: false,
    async open() {
      const file = join(mkdtempSync(join(tmpdir(), 'tradeops-alerts-')), 'db.sqlite');
      return [createSqliteStore(file), createSqliteStore(file)];
    },
  },
  {
    name: 'MongoDB', skip: !uri,
    async open() {
      const url = new URL(uri!);
      url.pathname = `/${mongoPrefix}_${n++}`;
      const open = () => createMongoStore({ url: url.toString(), location: url.toString(), serverSelectionTimeoutMs: 5_000 });
      return [await open(), await open()];
    },
  },
];

afterAll(async () => {
  if (!uri) return;
  const client = await new MongoClient(uri).connect();
  const { databases } = await client.db().admin().listDatabases();
  for (const db of databases) if (db.name.startsWith(mongoPrefix)) await client.db(db.name).dropDatabase();
  await client.close();
});

const trip: NewAlert = { dedupKey: 'trading-breaker:paper', severity: 'critical', title: 'Paper trading breaker tripped', lines: ['daily loss 3 ≥ limit 2'], badges: ['PAPER'] };

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip)(`the alert book on ${backend.name}`, () => {
    const withStores = async (test: (a: Store, b: Store) => Promise<void>) => {
      const [a, b] = await backend.open();
      try {
        await test(a, b);
      } finally {
        await a.close();
        await b.close();
      }
    };

    it('dedups by key: raising an open alert again, even on two replicas at once, keeps one alert', () => withStores(async (a, b) => {
      const first = await alertBook(a.settings).raise(trip, T0);
      expect(first).toMatchObject({ created: true, alert: { dedupKey: 'trading-breaker:paper', raisedAtMs: T0, ack: undefined, resolved: undefined } });
      expect((await alertBook(b.settings).raise(trip, T0 + 1)).id).toBe(first.id);
      await alertBook(a.settings).resolve(trip.dedupKey, 'reset', T0 + 2);

      const raced = await Promise.all(Array.from({ length: 8 }, (_, i) => alertBook((i % 2 ? a : b).settings).raise(trip, T0 + 3)));
      expect(new Set(raced.map((r) => r.id)).size).toBe(1);
      expect(raced.filter((r) => r.created)).toHaveLength(1);
      expect(raced[0]!.id).not.toBe(first.id);
      const all = await alertBook(a.settings).all();
      // The losers' records were removed: the first alert (resolved) and the winner only.
      expect(all.map((x) => x.id)).toEqual([first.id, raced[0]!.id]);
      expect((await alertBook(b.settings).open()).map((x) => x.id)).toEqual([raced[0]!.id]);
    }));

    it('the first acknowledger wins and is shown to the later ones; unknown and resolved alerts say so', () => withStores(async (a, b) => {
      const { id } = await alertBook(a.settings).raise(trip, T0);
      const [x, y] = await Promise.all([alertBook(a.settings).acknowledge(id, 'alice', T0 + 10), alertBook(b.settings).acknowledge(id.toLowerCase(), 'bob', T0 + 10)]);
      expect([x.kind, y.kind].sort()).toEqual(['already', 'ok']);
      const winner = x.kind === 'ok' ? 'alice' : 'bob';
      for (const r of [x, y]) expect(r).toMatchObject({ alert: { id, ack: { by: winner, atMs: T0 + 10 } } });
      expect(await alertBook(b.settings).acknowledge('A000000', 'carol', T0)).toEqual({ kind: 'unknown', id: 'A000000' });

      const other = await alertBook(a.settings).raise({ ...trip, dedupKey: 'market-data:binance', severity: 'warning' }, T0);
      await alertBook(b.settings).resolve('market-data:binance', 'closed', T0 + 5);
      expect(await alertBook(a.settings).acknowledge(other.id, 'carol', T0 + 6)).toMatchObject({ kind: 'resolved', alert: { resolved: { atMs: T0 + 5, detail: 'closed' } } });
    }));

    it('resolving closes the alert (nothing to resolve is a no-op); a new raise of the key is a new alert', () => withStores(async (a) => {
      const book = alertBook(a.settings);
      expect(await book.resolve(trip.dedupKey, 'nothing open', T0)).toBeUndefined();
      const first = await book.raise(trip, T0);
      expect(await book.resolve(trip.dedupKey, 'reset by telegram:3', T0 + 60_000)).toMatchObject({ id: first.id, resolved: { atMs: T0 + 60_000, detail: 'reset by telegram:3' } });
      expect(await book.open()).toEqual([]);
      const second = await book.raise(trip, T0 + 120_000);
      expect(second.created).toBe(true);
      expect(second.id).not.toBe(first.id);
    }));

    it('a resolve interrupted before removing the open marker is finished by the next reader', () => withStores(async (a) => {
      const book = alertBook(a.settings);
      const { id } = await book.raise(trip, T0);
      await a.settings.setIfAbsent(`alert-resolved:${id}`, { atMs: T0 + 1, detail: 'reset' }, T0 + 1); // crashed here
      expect(await book.open()).toEqual([]);
      expect(await a.settings.get('alert-open:trading-breaker:paper')).toBeUndefined();
      expect((await book.raise(trip, T0 + 2)).created).toBe(true);
    }));

    it('reads the book at once: every alert with its acknowledgement and resolution, and the open ones', () => withStores(async (a) => {
      const book = alertBook(a.settings);
      const done = await book.raise(trip, T0);
      await book.acknowledge(done.id, 'alice', T0 + 1);
      await book.resolve(trip.dedupKey, 'reset', T0 + 2);
      const open = await book.raise({ ...trip, dedupKey: 'job:daily-report', severity: 'warning' }, T0 + 3);
      const view = await book.view();
      expect(view.all.map((x) => [x.id, x.ack?.by, x.resolved?.detail])).toEqual([[done.id, 'alice', 'reset'], [open.id, undefined, undefined]]);
      expect(view.open.map((x) => x.id)).toEqual([open.id]);
      expect(await book.open()).toEqual(view.open);
      expect(await book.prune(T0 + 31 * DAY_MS, 30 * DAY_MS, view)).toBe(1);
      expect((await book.all()).map((x) => x.id)).toEqual([open.id]);
    }));

    it('prunes alerts resolved more than 30 days ago, with their acknowledgement; open and recent ones stay', () => withStores(async (a) => {
      const book = alertBook(a.settings);
      const old = await book.raise(trip, T0);
      await book.acknowledge(old.id, 'alice', T0 + 1);
      await book.resolve(trip.dedupKey, 'reset', T0 + 2);
      const recent = await book.raise(trip, T0 + 10 * DAY_MS);
      await book.resolve(trip.dedupKey, 'reset', T0 + 10 * DAY_MS);
      const open = await book.raise({ ...trip, dedupKey: 'job:daily-report' }, T0);
      expect(await book.prune(T0 + 31 * DAY_MS, 30 * DAY_MS)).toBe(1);
      expect((await book.all()).map((x) => x.id).sort()).toEqual([recent.id, open.id].sort());
      expect(await a.settings.list(`alert-ack:${old.id}`)).toEqual([]);
      expect(await a.settings.list(`alert-resolved:${old.id}`)).toEqual([]);
    }));

    it('a failing job raises one warning however often it fails; its next success resolves it', () => withStores(async (a) => {
      const first = await raiseJobFailure(a, 'daily-report', new Error('store timeout'), T0);
      expect(first.alert).toMatchObject({ dedupKey: 'job:daily-report', severity: 'warning', title: 'Job daily-report failed', lines: ['The daily-report job failed: store timeout', expect.any(String)] });
      expect((await raiseJobFailure(a, 'daily-report', new Error('again'), T0 + 60_000)).id).toBe(first.id);
      expect(await resolveJobFailure(a, 'daily-report', T0 + 120_000)).toMatchObject({ id: first.id, resolved: { detail: 'the daily-report job ran successfully' } });
      expect(await alertBook(a.settings).open()).toEqual([]);
    }));

    it('snoozes by key prefix until a time; unsnooze ends one or all; expired ones are pruned', () => withStores(async (a) => {
      const snoozes = alertSnoozes(a.settings);
      await snoozes.snooze('market-data', T0 + 3_600_000, 'telegram:3', T0);
      await snoozes.snooze('all', T0 + 60_000, 'telegram:3', T0);
      expect((await snoozes.active(T0 + 120_000)).map((s) => s.pattern)).toEqual(['market-data']);
      await snoozes.prune(T0 + 120_000);
      expect((await snoozes.list()).map((s) => s.pattern)).toEqual(['market-data']);
      expect((await snoozes.unsnooze(undefined, T0 + 120_000)).map((s) => s.pattern)).toEqual(['market-data']);
      expect(await snoozes.list()).toEqual([]);
    }));
  });
}

describe('alert ids and snooze durations', () => {
  it('ids are short and typable: A and three hex digits, longer after repeated collisions', () => {
    for (let i = 0; i < 50; i++) expect(newAlertId()).toMatch(/^A[0-9A-F]{3}$/);
    expect(newAlertId(8)).toMatch(/^A[0-9A-F]{5}$/);
  });

  it.each([['30m', 1_800_000], ['2h', 7_200_000], ['1d', DAY_MS], ['1h30m', 5_400_000], ['90S', 90_000]])('%s is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each([
    ['2x', '"2x" is not a duration: use a number and a unit (s, m, h, d), e.g. 30m, 2h, 1d or 1h30m.'],
    ['0m', '"0m" is not a duration: use a number and a unit (s, m, h, d), e.g. 30m, 2h, 1d or 1h30m.'],
    ['h', '"h" is not a duration: use a number and a unit (s, m, h, d), e.g. 30m, 2h, 1d or 1h30m.'],
    ['31d', '"31d" is longer than the longest snooze, 30d.'],
  ])('%s is refused clearly', (text, message) => {
    expect(() => parseDurationMs(text)).toThrow(message);
  });
});
