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
  });
}
