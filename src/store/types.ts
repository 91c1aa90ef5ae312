import type { CandleRepository } from '../market/candle-repository.js';
import type { TradingRepository } from '../trading/repository.js';

/** How a command or job ended, as written to the audit log. */
export type AuditOutcome = 'ok' | 'user_error' | 'denied' | 'temporary_error' | 'internal_error';

/** One audited action: who did what, where, and how it ended. */
export interface AuditEntry {
  readonly atMs: number;
  readonly requestId: string;
  readonly platform: string;
  readonly userId: string;
  readonly userName: string | undefined;
  readonly chatId: string;
  readonly command: string;
  /** The command line as typed. */
  readonly input: string;
  readonly outcome: AuditOutcome;
  /** A short explanation: the error message, the refusal reason, or the result summary. */
  readonly detail: string | undefined;
}

/** A stored audit entry with its id. */
export interface StoredAuditEntry extends AuditEntry {
  readonly id: string;
}

/** Filter for reading the audit log; newest entries first. */
export interface AuditQuery {
  readonly limit: number;
  readonly userId?: string;
  readonly command?: string;
  readonly sinceMs?: number;
}

/** Append-only audit log. */
export interface AuditRepository {
  append(entry: AuditEntry): Promise<string>;
  list(query: AuditQuery): Promise<StoredAuditEntry[]>;
}

/** A JSON value as stored in settings. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Key-value settings; values are JSON. */
export interface SettingsRepository {
  get(key: string): Promise<JsonValue | undefined>;
  set(key: string, value: JsonValue, nowMs: number): Promise<void>;
  /** Stores the value only when the key is absent; true when it was stored. */
  setIfAbsent(key: string, value: JsonValue, nowMs: number): Promise<boolean>;
  delete(key: string): Promise<boolean>;
  list(prefix: string): Promise<Array<{ key: string; value: JsonValue }>>;
}

/** A held lease: the holder may act on `name` until `expiresAtMs`. */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  readonly expiresAtMs: number;
  /** Grows by one every time the lease changes hands; lets a resource reject a stale holder. */
  readonly fencingToken: number;
}

/**
 * Named leases with expiry, the base of exactly-once jobs across replicas.
 * Expiry is a field compared with the caller's `nowMs` (no TTL index), so it works on FerretDB and in tests.
 */
export interface LeaseRepository {
  /** Takes the lease when it is free or expired, or extends it when `holder` already holds it; undefined when another holds it. */
  acquire(name: string, holder: string, ttlMs: number, nowMs: number): Promise<Lease | undefined>;
  /** Extends a lease still held by `holder`; undefined when it was lost. */
  renew(name: string, holder: string, ttlMs: number, nowMs: number): Promise<Lease | undefined>;
  /** Gives the lease up; true when `holder` held it. */
  release(name: string, holder: string): Promise<boolean>;
  /** The current lease on `name`, expired or not; undefined when there never was one. */
  get(name: string): Promise<Lease | undefined>;
}

/** Store health as shown by /status. */
export interface StoreHealth {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly detail: string;
}

/** All persistent state, behind one interface with a SQLite and a MongoDB implementation. */
export interface Store {
  readonly backend: 'sqlite' | 'mongodb';
  /** Where the data lives, safe to show (passwords redacted). */
  readonly location: string;
  readonly audit: AuditRepository;
  readonly settings: SettingsRepository;
  readonly leases: LeaseRepository;
  /** Candle series per data source, kept apart by source. */
  readonly candles: CandleRepository;
  /** The trading ledger: orders and their transitions, fills, balances, positions, breaker events, snapshots. */
  readonly trading: TradingRepository;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
