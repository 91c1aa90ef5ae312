import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createMongoStore } from '../../src/store/mongo.js';
import { openStore, StoreUnavailableError } from '../../src/store/open-store.js';
import { describeStoreContract } from './store-contract.js';

const uri = process.env.MONGODB_URI;
const prefix = `tradeops_test_${process.pid}_${Date.now().toString(36)}`;
let n = 0;

/** A URL for a fresh database on the server MONGODB_URI names. */
function freshDatabaseUrl(): string {
  const url = new URL(uri!);
  url.pathname = `/${prefix}_${n++}`;
  return url.toString();
}

describe.skipIf(!uri)('MongoDB store (MONGODB_URI)', () => {
  afterAll(async () => {
    const client = await new MongoClient(uri!).connect();
    const { databases } = await client.db().admin().listDatabases();
    for (const db of databases) if (db.name.startsWith(prefix)) await client.db(db.name).dropDatabase();
    await client.close();
  });

  describeStoreContract('MongoDB', async () => {
    const url = freshDatabaseUrl();
    return createMongoStore({ url, location: url, serverSelectionTimeoutMs: 5_000 });
  });

  it('opens through DATABASE_URL and creates the audit indexes', async () => {
    const url = freshDatabaseUrl();
    const store = await openStore({ databaseUrl: url, mongoServerSelectionTimeoutMs: 5_000 });
    expect(store.backend).toBe('mongodb');
    const { db } = store as unknown as { db: import('mongodb').Db };
    const names = (await db.collection('audit_log').indexes()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['atMs_-1', 'userId_1_atMs_-1']));
    await store.close();
  });
});

describe('MongoDB store when the server is unreachable', () => {
  it('fails fast with a message naming DATABASE_URL, with the password hidden', async () => {
    const failure = openStore({
      databaseUrl: 'mongodb://bob:hunter2@127.0.0.1:1/tradeops',
      mongoServerSelectionTimeoutMs: 300,
    });
    await expect(failure).rejects.toThrow(StoreUnavailableError);
    await expect(failure).rejects.toThrow(/DATABASE_URL=mongodb:\/\/bob:\*\*\*@127\.0\.0\.1:1\/tradeops/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });
});
