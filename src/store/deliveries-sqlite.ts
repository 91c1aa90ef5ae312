import type Database from 'better-sqlite3';
import type { Delivery, DeliveryRepository, DeliveryState, JsonValue } from './types.js';

/** The delivery log's table; created with the rest of the schema. */
export const DELIVERIES_SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  key TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  period TEXT NOT NULL,
  platform TEXT NOT NULL,
  chat_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT,
  delivered_at_ms INTEGER,
  message_ref TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at_ms);
CREATE INDEX IF NOT EXISTS deliveries_created ON deliveries (created_at_ms DESC);
CREATE INDEX IF NOT EXISTS deliveries_chat ON deliveries (platform, chat_id, state, created_at_ms, key);
`;

interface DeliveryRow {
  key: string;
  source: string;
  period: string;
  platform: Delivery['target']['platform'];
  chat_id: string;
  payload: string;
  created_at_ms: number;
  expires_at_ms: number;
  state: DeliveryState;
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
  delivered_at_ms: number | null;
  message_ref: string | null;
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    key: row.key,
    source: row.source,
    period: row.period,
    target: { platform: row.platform, chatId: row.chat_id },
    payload: JSON.parse(row.payload) as JsonValue,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAtMs: row.next_attempt_at_ms,
    lastError: row.last_error ?? undefined,
    deliveredAtMs: row.delivered_at_ms ?? undefined,
    messageRef: row.message_ref ?? undefined,
  };
}

/** The delivery log in SQLite: the primary key on `key` makes a second record of the same delivery a no-op. */
export function sqliteDeliveries(db: Database.Database): DeliveryRepository {
  const insert = db.prepare(`INSERT OR IGNORE INTO deliveries
    (key, source, period, platform, chat_id, payload, created_at_ms, expires_at_ms, state, attempts, next_attempt_at_ms)
    VALUES (@key, @source, @period, @platform, @chatId, @payload, @createdAtMs, @expiresAtMs, 'pending', 0, @createdAtMs)`);
  const byKey = db.prepare('SELECT * FROM deliveries WHERE key = ?');
  const due = db.prepare(`SELECT * FROM deliveries WHERE state = 'pending' AND next_attempt_at_ms <= ?
    ORDER BY created_at_ms, key LIMIT ?`);
  const delivered = db.prepare(`UPDATE deliveries SET state = 'delivered', delivered_at_ms = ?, message_ref = ?, attempts = attempts + 1
    WHERE key = ? AND state = 'pending'`);
  const failed = db.prepare(`UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ?
    WHERE key = ? AND state = 'pending'`);
  const expired = db.prepare(`UPDATE deliveries SET state = 'expired', last_error = ?, next_attempt_at_ms = ?
    WHERE key = ? AND state = 'pending'`);
  const oldestPending = db.prepare(`SELECT key FROM deliveries WHERE platform = ? AND chat_id = ? AND state = 'pending'
    ORDER BY created_at_ms, key LIMIT 1`);
  const counts = db.prepare('SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state');
  return {
    async record(d) {
      const payload = JSON.stringify(d.payload);
      const row = { ...d, platform: d.target.platform, chatId: d.target.chatId, payload };
      return insert.run(row).changes === 1;
    },
    async get(key) {
      const row = byKey.get(key) as DeliveryRow | undefined;
      return row && toDelivery(row);
    },
    async due(nowMs, limit) {
      return (due.all(nowMs, limit) as DeliveryRow[]).map(toDelivery);
    },
    async markDelivered(key, atMs, messageRef) {
      delivered.run(atMs, messageRef ?? null, key);
    },
    async markFailed(key, failure) {
      failed.run(failure.error, failure.nextAttemptAtMs, key);
    },
    async markExpired(key, atMs, error) {
      expired.run(error, atMs, key);
    },
    async list(query) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (query.source !== undefined) where.push('source = ?') && params.push(query.source);
      if (query.state !== undefined) where.push('state = ?') && params.push(query.state);
      if (query.target !== undefined) where.push('platform = ? AND chat_id = ?') && params.push(query.target.platform, query.target.chatId);
      const sql = `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at_ms DESC, key DESC LIMIT ?`;
      return (db.prepare(sql).all(...params, query.limit) as DeliveryRow[]).map(toDelivery);
    },
    async oldestPending(target) {
      const row = oldestPending.get(target.platform, target.chatId) as { key: string } | undefined;
      return row?.key;
    },
    async counts() {
      const out: Record<DeliveryState, number> = { pending: 0, delivered: 0, expired: 0 };
      for (const row of counts.all() as Array<{ state: DeliveryState; n: number }>) out[row.state] = row.n;
      return out;
    },
  };
}
