import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import type { AuditEntry, Store } from '../../src/store/types.js';

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  atMs: 1_700_000_000_000,
  requestId: 'r1',
  platform: 'telegram',
  userId: '42',
  userName: 'alice',
  chatId: 'c1',
  command: 'buy',
  input: '/buy BTC/USDT 0.1',
  outcome: 'ok',
  detail: undefined,
  ...over,
});

/** The behaviour every Store implementation must have; run against SQLite and MongoDB. */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('reports itself healthy', async () => {
      const health = await store.health();
      expect(health.ok).toBe(true);
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    });

    describe('audit log', () => {
      it('returns appended entries newest first, with every field', async () => {
        await store.audit.append(entry({ atMs: 1, requestId: 'a' }));
        await store.audit.append(entry({ atMs: 3, requestId: 'c', outcome: 'denied', detail: 'needs trader' }));
        await store.audit.append(entry({ atMs: 2, requestId: 'b', userName: undefined }));
        const all = await store.audit.list({ limit: 10 });
        expect(all.map((e) => e.requestId)).toEqual(['c', 'b', 'a']);
        expect(all[0]).toMatchObject({ outcome: 'denied', detail: 'needs trader', input: '/buy BTC/USDT 0.1' });
        expect(all[1]!.userName).toBeUndefined();
        expect(new Set(all.map((e) => e.id)).size).toBe(3);
      });

      it('filters by user, command and time, and honours the limit', async () => {
        await store.audit.append(entry({ atMs: 10, userId: 'u1', command: 'buy' }));
        await store.audit.append(entry({ atMs: 20, userId: 'u2', command: 'sell' }));
        await store.audit.append(entry({ atMs: 30, userId: 'u1', command: 'sell' }));
        expect((await store.audit.list({ limit: 10, userId: 'u1' })).map((e) => e.atMs)).toEqual([30, 10]);
        expect((await store.audit.list({ limit: 10, command: 'sell' })).map((e) => e.atMs)).toEqual([30, 20]);
        expect((await store.audit.list({ limit: 10, sinceMs: 20 })).map((e) => e.atMs)).toEqual([30, 20]);
        expect(await store.audit.list({ limit: 1 })).toHaveLength(1);
      });
    });

    describe('settings', () => {
      it('stores, overwrites, lists by prefix and deletes JSON values', async () => {
        expect(await store.settings.get('a.x')).toBeUndefined();
        await store.settings.set('a.x', { n: 1, list: [1, 'two', null] }, 1);
        await store.settings.set('a.y', 'text', 1);
        await store.settings.set('b.z', 3.5, 1);
        await store.settings.set('a.x', { n: 2 }, 2);
        expect(await store.settings.get('a.x')).toEqual({ n: 2 });
        expect(await store.settings.list('a.')).toEqual([
          { key: 'a.x', value: { n: 2 } },
          { key: 'a.y', value: 'text' },
        ]);
        expect(await store.settings.delete('a.y')).toBe(true);
        expect(await store.settings.delete('a.y')).toBe(false);
        expect(await store.settings.list('a.')).toHaveLength(1);
      });

      it('treats regex characters in a prefix literally', async () => {
        await store.settings.set('p.*x', 1, 1);
        await store.settings.set('pax', 2, 1);
        expect(await store.settings.list('p.*')).toEqual([{ key: 'p.*x', value: 1 }]);
      });

      it('setIfAbsent stores once and never overwrites', async () => {
        expect(await store.settings.setIfAbsent('once', 1, 1)).toBe(true);
        expect(await store.settings.setIfAbsent('once', 2, 2)).toBe(false);
        expect(await store.settings.get('once')).toBe(1);
      });

      it('setIfAbsent lets exactly one of many concurrent writers win', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.settings.setIfAbsent('race', i, 1)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('leases', () => {
      it('gives a free lease, refuses it to others until it expires, then hands it over', async () => {
        const first = await store.leases.acquire('job', 'A', 1_000, 10_000);
        expect(first).toEqual({ name: 'job', holder: 'A', expiresAtMs: 11_000, fencingToken: 1 });
        expect(await store.leases.acquire('job', 'B', 1_000, 10_500)).toBeUndefined();
        expect(await store.leases.acquire('job', 'B', 1_000, 10_999)).toBeUndefined();
        const second = await store.leases.acquire('job', 'B', 1_000, 11_000);
        expect(second).toEqual({ name: 'job', holder: 'B', expiresAtMs: 12_000, fencingToken: 2 });
        expect(await store.leases.get('job')).toEqual(second);
      });

      it('extends a lease for its holder without changing the fencing token', async () => {
        await store.leases.acquire('job', 'A', 1_000, 0);
        expect(await store.leases.acquire('job', 'A', 1_000, 500)).toMatchObject({ expiresAtMs: 1_500, fencingToken: 1 });
        expect(await store.leases.renew('job', 'A', 1_000, 1_000)).toMatchObject({ expiresAtMs: 2_000, fencingToken: 1 });
      });

      it('refuses to renew a lease that expired or that another holds', async () => {
        await store.leases.acquire('job', 'A', 1_000, 0);
        expect(await store.leases.renew('job', 'B', 1_000, 500)).toBeUndefined();
        expect(await store.leases.renew('job', 'A', 1_000, 1_000)).toBeUndefined();
        expect(await store.leases.renew('other', 'A', 1_000, 0)).toBeUndefined();
      });

      it('releases only for the holder', async () => {
        await store.leases.acquire('job', 'A', 1_000, 0);
        expect(await store.leases.release('job', 'B')).toBe(false);
        expect(await store.leases.release('job', 'A')).toBe(true);
        expect(await store.leases.get('job')).toBeUndefined();
        expect(await store.leases.release('job', 'A')).toBe(false);
        expect(await store.leases.acquire('job', 'B', 1_000, 1)).toMatchObject({ holder: 'B', fencingToken: 2 });
      });

      it('lets exactly one of many concurrent contenders take a free lease', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.leases.acquire('race', `holder-${i}`, 60_000, 1_000)),
        );
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(await store.leases.get('race')).toEqual(winners[0]);
      });

      it('lets exactly one of many concurrent contenders take an expired lease', async () => {
        await store.leases.acquire('race', 'old', 1_000, 0);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.leases.acquire('race', `holder-${i}`, 60_000, 5_000)),
        );
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect(winners[0]!.fencingToken).toBe(2);
      });
    });

    describe('deliveries', () => {
      const target = { platform: 'telegram', chatId: '-100123' } as const;
      const delivery = (key: string, createdAtMs = 1_000) => ({
        key, source: 'daily-report', period: key, target, payload: { level: 'info', lines: ['Equity 10,000.00 USDT'] },
        createdAtMs, expiresAtMs: createdAtMs + 60_000,
      });

      it('records a delivery once: a second record of the same key is refused, even when concurrent', async () => {
        const results = await Promise.all(Array.from({ length: 8 }, () => store.deliveries.record(delivery('2026-11-21'))));
        expect(results.filter(Boolean)).toHaveLength(1);
        const stored = await store.deliveries.get('2026-11-21');
        expect(stored).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAtMs: 1_000, target, source: 'daily-report' });
        expect(stored!.payload).toEqual({ level: 'info', lines: ['Equity 10,000.00 USDT'] });
        expect(await store.deliveries.list({ limit: 10 })).toHaveLength(1);
      });

      it('lists due deliveries oldest first, retries on schedule, and never returns delivered or expired ones', async () => {
        await store.deliveries.record(delivery('b', 2_000));
        await store.deliveries.record(delivery('a', 1_000));
        await store.deliveries.record(delivery('c', 3_000));
        expect((await store.deliveries.due(2_500, 10)).map((d) => d.key)).toEqual(['a', 'b']);
        await store.deliveries.markFailed('a', { error: '429 retry after 30 s', nextAttemptAtMs: 32_000 });
        expect((await store.deliveries.due(5_000, 10)).map((d) => d.key)).toEqual(['b', 'c']);
        expect(await store.deliveries.get('a')).toMatchObject({ attempts: 1, lastError: '429 retry after 30 s', state: 'pending' });
        await store.deliveries.markDelivered('b', 5_001, 'msg-7');
        await store.deliveries.markExpired('c', 5_002, 'chat not found');
        expect((await store.deliveries.due(40_000, 10)).map((d) => d.key)).toEqual(['a']);
        expect(await store.deliveries.get('b')).toMatchObject({ state: 'delivered', deliveredAtMs: 5_001, messageRef: 'msg-7', attempts: 1 });
        expect(await store.deliveries.get('c')).toMatchObject({ state: 'expired', lastError: 'chat not found' });
        expect(await store.deliveries.counts()).toEqual({ pending: 1, delivered: 1, expired: 1 });
        // A late mark on a finished delivery changes nothing.
        await store.deliveries.markFailed('b', { error: 'late', nextAttemptAtMs: 0 });
        expect(await store.deliveries.get('b')).toMatchObject({ state: 'delivered', attempts: 1 });
        expect((await store.deliveries.due(40_000, 1)).map((d) => d.key)).toEqual(['a']);
      });

      it('filters the list by source, state and chat, newest first', async () => {
        await store.deliveries.record(delivery('r1', 1));
        await store.deliveries.record({ ...delivery('a1', 2), source: 'alert' });
        await store.deliveries.record({ ...delivery('r2', 3), target: { platform: 'discord', chatId: '42' } });
        expect((await store.deliveries.list({ limit: 10 })).map((d) => d.key)).toEqual(['r2', 'a1', 'r1']);
        expect((await store.deliveries.list({ limit: 10, source: 'daily-report' })).map((d) => d.key)).toEqual(['r2', 'r1']);
        expect((await store.deliveries.list({ limit: 10, target })).map((d) => d.key)).toEqual(['a1', 'r1']);
        expect(await store.deliveries.list({ limit: 10, state: 'delivered' })).toEqual([]);
        expect(await store.deliveries.get('missing')).toBeUndefined();
      });

      it("finds a chat's oldest pending delivery, due or waiting for its retry, past any list limit", async () => {
        expect(await store.deliveries.oldestPending(target)).toBeUndefined();
        await store.deliveries.record(delivery('b', 2_000));
        await store.deliveries.record(delivery('a2', 1_000));
        await store.deliveries.record(delivery('a1', 1_000));
        await store.deliveries.record({ ...delivery('other', 500), target: { platform: 'discord', chatId: '-100123' } });
        await store.deliveries.markFailed('a1', { error: '429', nextAttemptAtMs: 90_000 });
        expect(await store.deliveries.oldestPending(target)).toBe('a1');
        await store.deliveries.markDelivered('a1', 3_000, undefined);
        await store.deliveries.markExpired('a2', 3_000, 'chat not found');
        expect(await store.deliveries.oldestPending(target)).toBe('b');
        expect(await store.deliveries.oldestPending({ platform: 'discord', chatId: '-100123' })).toBe('other');
        expect(await store.deliveries.oldestPending({ platform: 'telegram', chatId: '42' })).toBeUndefined();
      });
    });
  });
}
