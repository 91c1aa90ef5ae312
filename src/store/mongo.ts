import { MongoClient, MongoServerError, ObjectId, type Collection, type Db } from 'mongodb';
import { MongoCandleRepository } from './candles-mongo.js';
import { openMongoTradingRepository } from './trading-mongo.js';
import { openMongoDeliveries } from './deliveries-mongo.js';
import type {
  AuditRepository,
  JsonValue,
  Lease,
  LeaseRepository,
  SettingsRepository,
  Store,
  StoredAuditEntry,
  AuditEntry,
} from './types.js';

interface AuditDoc extends AuditEntry {
  _id: ObjectId;
}
interface SettingDoc {
  _id: string;
  value: JsonValue;
  updatedAtMs: number;
}
/** One generation of a lease: `_id` is `name#generation`, so only one contender can create a generation. */
interface LeaseDoc {
  _id: string;
  name: string;
  generation: number;
  holder: string;
  expiresAtMs: number;
  released: boolean;
}

/** True for MongoDB's duplicate-key error (E11000), the signal that a unique index refused a second writer. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/** The database named in a MongoDB URL's path, or `tradeops`. */
export function databaseNameFromUrl(url: string): string {
  return /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(url)?.[1] ?? 'tradeops';
}

function mongoAudit(col: Collection<AuditDoc>): AuditRepository {
  return {
    async append(entry) {
      const _id = new ObjectId();
      await col.insertOne({ _id, ...entry, userName: entry.userName, detail: entry.detail });
      return _id.toHexString();
    },
    async list(query) {
      const filter: Record<string, unknown> = {};
      if (query.userId !== undefined) filter.userId = query.userId;
      if (query.command !== undefined) filter.command = query.command;
      if (query.sinceMs !== undefined) filter.atMs = { $gte: query.sinceMs };
      const docs = await col.find(filter).sort({ atMs: -1, _id: -1 }).limit(query.limit).toArray();
      return docs.map(
        ({ _id, userName, detail, ...rest }): StoredAuditEntry => ({
          ...rest,
          id: _id.toHexString(),
          userName: userName ?? undefined,
          detail: detail ?? undefined,
        }),
      );
    },
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mongoSettings(col: Collection<SettingDoc>): SettingsRepository {
  return {
    async get(key) {
      const doc = await col.findOne({ _id: key });
      return doc === null ? undefined : doc.value;
    },
    async set(key, value, nowMs) {
      await col.updateOne({ _id: key }, { $set: { value, updatedAtMs: nowMs } }, { upsert: true });
    },
    async setIfAbsent(key, value, nowMs) {
      try {
        await col.insertOne({ _id: key, value, updatedAtMs: nowMs });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },
    async delete(key) {
      return (await col.deleteOne({ _id: key })).deletedCount === 1;
    },
    async list(prefix) {
      const docs = await col
        .find({ _id: { $regex: `^${escapeRegex(prefix)}` } })
        .sort({ _id: 1 })
        .toArray();
      return docs.map((d) => ({ key: d._id, value: d.value }));
    },
  };
}

function toLease(doc: LeaseDoc): Lease {
  return { name: doc.name, holder: doc.holder, expiresAtMs: doc.expiresAtMs, fencingToken: doc.generation };
}

function generationId(name: string, generation: number): string {
  return `${name}#${String(generation).padStart(12, '0')}`;
}

/**
 * Leases as insert-only generations. A conditional update is not atomic on every MongoDB-compatible server
 * (FerretDB v1 lets several concurrent findOneAndUpdate calls match the same expired lease), but a unique `_id`
 * is: taking a lease means inserting generation N+1, which exactly one contender can do. Only the holder ever
 * updates its own generation (renew, release), so those updates never race with another writer.
 */
function mongoLeases(col: Collection<LeaseDoc>): LeaseRepository {
  const current = (name: string) => col.findOne({ name }, { sort: { generation: -1 } });
  const insertGeneration = async (name: string, generation: number, holder: string, expiresAtMs: number) => {
    const doc: LeaseDoc = { _id: generationId(name, generation), name, generation, holder, expiresAtMs, released: false };
    try {
      await col.insertOne(doc);
    } catch (error) {
      if (isDuplicateKeyError(error)) return undefined;
      throw error;
    }
    await col.deleteMany({ name, generation: { $lt: generation } });
    return toLease(doc);
  };
  const renew = async (name: string, holder: string, ttlMs: number, nowMs: number) => {
    const doc = await current(name);
    if (!doc || doc.released || doc.holder !== holder || doc.expiresAtMs <= nowMs) return undefined;
    const expiresAtMs = nowMs + ttlMs;
    await col.updateOne({ _id: doc._id, holder }, { $set: { expiresAtMs } });
    const after = await current(name);
    return after?._id === doc._id ? toLease({ ...doc, expiresAtMs }) : undefined;
  };
  return {
    renew,
    async acquire(name, holder, ttlMs, nowMs) {
      const doc = await current(name);
      if (!doc) return insertGeneration(name, 1, holder, nowMs + ttlMs);
      if (!doc.released && doc.expiresAtMs > nowMs) {
        return doc.holder === holder ? renew(name, holder, ttlMs, nowMs) : undefined;
      }
      return insertGeneration(name, doc.generation + 1, holder, nowMs + ttlMs);
    },
    async release(name, holder) {
      const doc = await current(name);
      if (!doc || doc.released || doc.holder !== holder) return false;
      await col.updateOne({ _id: doc._id, holder }, { $set: { released: true, expiresAtMs: 0 } });
      return true;
    },
    async get(name) {
      const doc = await current(name);
      return doc && !doc.released ? toLease(doc) : undefined;
    },
  };
}

/** Options for connecting to MongoDB. */
export interface MongoStoreOptions {
  readonly url: string;
  /** Shown in /status and logs instead of the URL (which may hold a password). */
  readonly location: string;
  readonly serverSelectionTimeoutMs: number;
}

/** Creates the indexes the repositories rely on; safe to run at every start. */
async function ensureIndexes(db: Db): Promise<void> {
  await db.collection('audit_log').createIndex({ atMs: -1 });
  await db.collection('audit_log').createIndex({ userId: 1, atMs: -1 });
  await db.collection('leases').createIndex({ name: 1, generation: -1 });
}

/** Connects to MongoDB, checks it answers, creates indexes, and returns the store. Throws when unreachable. */
export async function createMongoStore(options: MongoStoreOptions): Promise<Store & { readonly db: Db }> {
  const client = new MongoClient(options.url, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs,
    appName: 'tradeops',
  });
  try {
    await client.connect();
    const db = client.db(databaseNameFromUrl(options.url));
    await db.command({ ping: 1 });
    await ensureIndexes(db);
    const candles = new MongoCandleRepository(db);
    await candles.init();
    const trading = await openMongoTradingRepository(db);
    const deliveries = await openMongoDeliveries(db);
    return {
      backend: 'mongodb',
      location: options.location,
      db,
      audit: mongoAudit(db.collection<AuditDoc>('audit_log')),
      settings: mongoSettings(db.collection<SettingDoc>('settings')),
      leases: mongoLeases(db.collection<LeaseDoc>('leases')),
      candles,
      trading,
      deliveries,
      async health() {
        const started = performance.now();
        try {
          await db.command({ ping: 1 });
          return { ok: true, latencyMs: performance.now() - started, detail: 'ok' };
        } catch (error) {
          return { ok: false, latencyMs: performance.now() - started, detail: (error as Error).message };
        }
      },
      async close() {
        await client.close();
      },
    };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}
