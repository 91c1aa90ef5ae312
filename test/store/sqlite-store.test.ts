import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { openStore, StoreUnavailableError } from '../../src/store/open-store.js';
import { describeStoreContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'tradeops-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeStoreContract('SQLite', async () => createSqliteStore(join(dir, `store-${n++}.db`)));

describe('SQLite store', () => {
  it('creates the database file and its folder on first start, in WAL mode', async () => {
    const store = await openStore({ databaseUrl: `sqlite:${join(dir, 'new', 'sub', 'x.db')}`, mongoServerSelectionTimeoutMs: 1000 });
    expect(store.backend).toBe('sqlite');
    const { db } = store as unknown as { db: { pragma(s: string, o: object): unknown } };
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    await store.close();
  });

  it('keeps data across reopen', async () => {
    const path = join(dir, 'persist.db');
    const a = createSqliteStore(path);
    await a.settings.set('k', 'v', 1);
    await a.close();
    const b = createSqliteStore(path);
    expect(await b.settings.get('k')).toBe('v');
    await b.close();
  });

  it('explains, naming DATABASE_URL, when the file cannot be opened', async () => {
    const blocker = join(dir, 'persist.db'); // a file, so it cannot be a folder
    await expect(
      openStore({ databaseUrl: `sqlite:${join(blocker, 'x.db')}`, mongoServerSelectionTimeoutMs: 1000 }),
    ).rejects.toThrow(StoreUnavailableError);
    await expect(
      openStore({ databaseUrl: `sqlite:${join(blocker, 'x.db')}`, mongoServerSelectionTimeoutMs: 1000 }),
    ).rejects.toThrow(/DATABASE_URL=sqlite:/);
  });
});
