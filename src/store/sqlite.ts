import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteCandleRepository } from './candles-sqlite.js';
import { createSqliteTradingRepository } from './trading-sqlite.js';
import { DELIVERIES_SCHEMA, sqliteDeliveries } from './deliveries-sqlite.js';
import type {
  AuditEntry,
  AuditQuery,
  AuditRepository,
  JsonValue,
  Lease,
  LeaseRepository,
  SettingsRepository,
  Store,
  StoredAuditEntry,
} from './types.js';

type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  platform TEXT NOT NULL,
  user_id TEXT NOT NULL,
  user_name TEXT,
  chat_id TEXT NOT NULL,
  command TEXT NOT NULL,
  input TEXT NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at_ms DESC);
CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (user_id, at_ms DESC);
CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  fencing_token INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface AuditRow {
  id: number;
  at_ms: number;
  request_id: string;
  platform: string;
  user_id: string;
  user_name: string | null;
  chat_id: string;
  command: string;
  input: string;
  outcome: AuditEntry['outcome'];
  detail: string | null;
}

interface LeaseRow {
  name: string;
  holder: string;
  expires_at_ms: number;
  fencing_token: number;
}

/** Opens (creating when needed) the SQLite database at `path` in WAL mode. */
export function openSqliteDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  db.exec(DELIVERIES_SCHEMA);
  return db;
}

function sqliteAudit(db: Db): AuditRepository {
  const insert = db.prepare(`INSERT INTO audit_log
    (at_ms, request_id, platform, user_id, user_name, chat_id, command, input, outcome, detail)
    VALUES (@atMs, @requestId, @platform, @userId, @userName, @chatId, @command, @input, @outcome, @detail)`);
  return {
    async append(entry) {
      const result = insert.run({ ...entry, userName: entry.userName ?? null, detail: entry.detail ?? null });
      return String(result.lastInsertRowid);
    },
    async list(query: AuditQuery) {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: query.limit };
      if (query.userId !== undefined) (where.push('user_id = @userId'), (params.userId = query.userId));
      if (query.command !== undefined) (where.push('command = @command'), (params.command = query.command));
      if (query.sinceMs !== undefined) (where.push('at_ms >= @sinceMs'), (params.sinceMs = query.sinceMs));
      const rows = db
        .prepare(
          `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY at_ms DESC, id DESC LIMIT @limit`,
        )
        .all(params) as AuditRow[];
      return rows.map(
        (r): StoredAuditEntry => ({
          id: String(r.id),
          atMs: r.at_ms,
          requestId: r.request_id,
          platform: r.platform,
          userId: r.user_id,
          userName: r.user_name ?? undefined,
          chatId: r.chat_id,
          command: r.command,
          input: r.input,
          outcome: r.outcome,
          detail: r.detail ?? undefined,
        }),
      );
    },
  };
}

function sqliteSettings(db: Db): SettingsRepository {
  const get = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
  const upsert = db.prepare(`INSERT INTO settings (key, value, updated_at_ms) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms`);
  const insertIfAbsent = db.prepare('INSERT OR IGNORE INTO settings (key, value, updated_at_ms) VALUES (?, ?, ?)');
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');
  const byPrefix = db.prepare("SELECT key, value FROM settings WHERE substr(key, 1, length(?)) = ? ORDER BY key");
  return {
    async get(key) {
      const text = get.get(key) as string | undefined;
      return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
    },
    async set(key, value, nowMs) {
      upsert.run(key, JSON.stringify(value), nowMs);
    },
    async setIfAbsent(key, value, nowMs) {
      return insertIfAbsent.run(key, JSON.stringify(value), nowMs).changes === 1;
    },
    async delete(key) {
      return remove.run(key).changes === 1;
    },
    async list(prefix) {
      const rows = byPrefix.all(prefix, prefix) as Array<{ key: string; value: string }>;
      return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as JsonValue }));
    },
  };
}

function toLease(row: LeaseRow | undefined): Lease | undefined {
  return row && { name: row.name, holder: row.holder, expiresAtMs: row.expires_at_ms, fencingToken: row.fencing_token };
}

function sqliteLeases(db: Db): LeaseRepository {
  const select = db.prepare('SELECT * FROM leases WHERE name = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO leases (name, holder, expires_at_ms, fencing_token) VALUES (?, ?, ?, 1)');
  const take = db.prepare(`UPDATE leases SET holder = @holder, expires_at_ms = @expiresAtMs,
      fencing_token = fencing_token + (CASE WHEN holder = @holder AND expires_at_ms > @nowMs THEN 0 ELSE 1 END)
    WHERE name = @name AND (holder = @holder OR expires_at_ms <= @nowMs)`);
  const extend = db.prepare(`UPDATE leases SET expires_at_ms = @expiresAtMs
    WHERE name = @name AND holder = @holder AND expires_at_ms > @nowMs`);
  // A released lease keeps its row (expired, holder '') so the next holder's fencing token still grows.
  const remove = db.prepare(
    "UPDATE leases SET holder = '', expires_at_ms = 0 WHERE name = ? AND holder = ? AND holder != ''",
  );
  // IMMEDIATE takes the write lock first, so two processes sharing the file cannot both take a free lease.
  const acquire = db.transaction((name: string, holder: string, ttlMs: number, nowMs: number) => {
    const expiresAtMs = nowMs + ttlMs;
    if (insert.run(name, holder, expiresAtMs).changes === 0) {
      if (take.run({ name, holder, expiresAtMs, nowMs }).changes === 0) return undefined;
    }
    return toLease(select.get(name) as LeaseRow);
  });
  return {
    async acquire(name, holder, ttlMs, nowMs) {
      return acquire.immediate(name, holder, ttlMs, nowMs);
    },
    async renew(name, holder, ttlMs, nowMs) {
      if (extend.run({ name, holder, expiresAtMs: nowMs + ttlMs, nowMs }).changes === 0) return undefined;
      return toLease(select.get(name) as LeaseRow);
    },
    async release(name, holder) {
      return remove.run(name, holder).changes === 1;
    },
    async get(name) {
      const row = select.get(name) as LeaseRow | undefined;
      return row?.holder === '' ? undefined : toLease(row);
    },
  };
}

/** The embedded store: one SQLite file (WAL mode), created on first start. */
export function createSqliteStore(path: string, location = `sqlite:${path}`): Store & { readonly db: Db } {
  const db = openSqliteDatabase(path);
  return {
    backend: 'sqlite',
    location,
    db,
    audit: sqliteAudit(db),
    settings: sqliteSettings(db),
    leases: sqliteLeases(db),
    candles: new SqliteCandleRepository(db),
    trading: createSqliteTradingRepository(db),
    deliveries: sqliteDeliveries(db),
    async health() {
      const started = performance.now();
      try {
        db.prepare('SELECT 1').get();
        return { ok: true, latencyMs: performance.now() - started, detail: 'ok' };
      } catch (error) {
        return { ok: false, latencyMs: performance.now() - started, detail: (error as Error).message };
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
