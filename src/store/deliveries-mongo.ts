import type { Collection, Db, Filter } from 'mongodb';
import { isDuplicateKeyError } from './mongo.js';
import type { Delivery, DeliveryRepository, DeliveryState, JsonValue } from './types.js';

/** A delivery as stored: `_id` is the delivery key, so a second record of the same delivery is refused by the server. */
interface DeliveryDoc {
  _id: string;
  source: string;
  period: string;
  platform: Delivery['target']['platform'];
  chatId: string;
  payload: JsonValue;
  createdAtMs: number;
  expiresAtMs: number;
  state: DeliveryState;
  attempts: number;
  nextAttemptAtMs: number;
  lastError: string | null;
  deliveredAtMs: number | null;
  messageRef: string | null;
}

function toDelivery(doc: DeliveryDoc): Delivery {
  return {
    key: doc._id,
    source: doc.source,
    period: doc.period,
    target: { platform: doc.platform, chatId: doc.chatId },
    payload: doc.payload,
    createdAtMs: doc.createdAtMs,
    expiresAtMs: doc.expiresAtMs,
    state: doc.state,
    attempts: doc.attempts,
    nextAttemptAtMs: doc.nextAttemptAtMs,
    lastError: doc.lastError ?? undefined,
    deliveredAtMs: doc.deliveredAtMs ?? undefined,
    messageRef: doc.messageRef ?? undefined,
  };
}

/** Opens the delivery log in MongoDB and creates its indexes. */
export async function openMongoDeliveries(db: Db): Promise<DeliveryRepository> {
  const col: Collection<DeliveryDoc> = db.collection<DeliveryDoc>('deliveries');
  await col.createIndex({ state: 1, nextAttemptAtMs: 1 });
  await col.createIndex({ createdAtMs: -1 });
  await col.createIndex({ platform: 1, chatId: 1, state: 1, createdAtMs: 1, _id: 1 });
  // Updates touch only pending deliveries and come from the scheduler leader alone (see DeliveryRepository).
  const pending = (key: string): Filter<DeliveryDoc> => ({ _id: key, state: 'pending' });
  return {
    async record(d) {
      try {
        await col.insertOne({
          _id: d.key, source: d.source, period: d.period, platform: d.target.platform, chatId: d.target.chatId,
          payload: d.payload, createdAtMs: d.createdAtMs, expiresAtMs: d.expiresAtMs, state: 'pending', attempts: 0,
          nextAttemptAtMs: d.createdAtMs, lastError: null, deliveredAtMs: null, messageRef: null,
        });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    },
    async get(key) {
      const doc = await col.findOne({ _id: key });
      return doc ? toDelivery(doc) : undefined;
    },
    async due(nowMs, limit) {
      const docs = await col.find({ state: 'pending', nextAttemptAtMs: { $lte: nowMs } }).sort({ createdAtMs: 1, _id: 1 }).limit(limit).toArray();
      return docs.map(toDelivery);
    },
    async markDelivered(key, atMs, messageRef) {
      await col.updateOne(pending(key), { $set: { state: 'delivered', deliveredAtMs: atMs, messageRef: messageRef ?? null }, $inc: { attempts: 1 } });
    },
    async markFailed(key, failure) {
      await col.updateOne(pending(key), { $set: { lastError: failure.error, nextAttemptAtMs: failure.nextAttemptAtMs }, $inc: { attempts: 1 } });
    },
    async markExpired(key, atMs, error) {
      await col.updateOne(pending(key), { $set: { state: 'expired', lastError: error, nextAttemptAtMs: atMs } });
    },
    async list(query) {
      const filter: Filter<DeliveryDoc> = {
        ...(query.source === undefined ? {} : { source: query.source }),
        ...(query.state === undefined ? {} : { state: query.state }),
        ...(query.target === undefined ? {} : { platform: query.target.platform, chatId: query.target.chatId }),
      };
      const docs = await col.find(filter).sort({ createdAtMs: -1, _id: -1 }).limit(query.limit).toArray();
      return docs.map(toDelivery);
    },
    async oldestPending(target) {
      const filter: Filter<DeliveryDoc> = { platform: target.platform, chatId: target.chatId, state: 'pending' };
      const doc = await col.findOne(filter, { sort: { createdAtMs: 1, _id: 1 }, projection: { _id: 1 } });
      return doc?._id;
    },
    async counts() {
      // One count per state: FerretDB v1's $group is limited, a filtered count is not.
      const [pendingN, deliveredN, expiredN] = await Promise.all(
        (['pending', 'delivered', 'expired'] as const).map((state) => col.countDocuments({ state })),
      );
      return { pending: pendingN!, delivered: deliveredN!, expired: expiredN! };
    },
  };
}
