import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoCandleRepository } from '../../src/store/candles-mongo.js';
import { describeCandleRepositoryContract, realBtc } from './candle-repository-contract.js';

const uri = process.env.MONGODB_URI;
const prefix = `candles_test_${process.pid}_${Date.now().toString(36)}`;
let n = 0;

describe.skipIf(!uri)('MongoDB candle storage (MONGODB_URI)', () => {
  let client: MongoClient;
  let db: Db;
  beforeAll(async () => {
    client = await new MongoClient(uri!, { serverSelectionTimeoutMS: 5_000 }).connect();
    db = client.db();
  });
  afterAll(async () => {
    for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (c.name.startsWith(prefix)) await db.dropCollection(c.name);
    }
    await client.close();
  });

  describeCandleRepositoryContract('MongoDB', async () => {
    const repo = new MongoCandleRepository(db, { collection: `${prefix}_${n++}` });
    await repo.init();
    return { repo, close: async () => {} };
  });

  it('stores one bucket document per UTC day of 1m bars under a unique index', async () => {
    const name = `${prefix}_${n++}`;
    const repo = new MongoCandleRepository(db, { collection: name });
    await repo.init();
    await repo.upsert('binance', 'BTC/USDT', '1m', realBtc());
    const docs = await db.collection(name).find({}, { projection: { startMs: 1, n: 1 } }).sort({ startMs: 1 }).toArray();
    // 2021-04-02 … 2021-05-14: 43 days, each a whole day except the outage days and the last.
    expect(docs.length).toBe(43);
    expect(docs.every((d) => (d.startMs as number) % 86_400_000 === 0)).toBe(true);
    expect(docs.reduce((sum, d) => sum + (d.n as number), 0)).toBe(61_272);
    const indexes = await db.collection(name).indexes();
    expect(indexes.find((i) => i.name === 'series_bucket')).toMatchObject({ unique: true, key: { source: 1, symbol: 1, timeframe: 1, startMs: 1 } });
  });
});
