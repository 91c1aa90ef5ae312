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

/** Where a notification goes: one chat or channel on one platform. */
export interface DeliveryTarget {
  readonly platform: 'telegram' | 'discord' | 'console';
  readonly chatId: string;
}

/** A delivery's state: waiting to be sent (or retried), sent, or given up after its expiry. */
export type DeliveryState = 'pending' | 'delivered' | 'expired';

/** A notification to send, recorded before it is sent. */
export interface NewDelivery {
  /** Unique per (source, target, period), e.g. `daily-report|telegram:-100123|2026-11-21`: a second record is refused. */
  readonly key: string;
  /** What produced it: `daily-report`, `alert:A17`, `watch`, … */
  readonly source: string;
  /** Which run of the source it belongs to: a local date, an alert's repeat number, a bar time. */
  readonly period: string;
  readonly target: DeliveryTarget;
  /** The message: a Reply as JSON (see ops/outbox.ts for the encoding, images as base64). */
  readonly payload: JsonValue;
  readonly createdAtMs: number;
  /** Given up (state expired) when still not sent at this time. */
  readonly expiresAtMs: number;
}

/** A recorded delivery and how sending it went. */
export interface Delivery extends NewDelivery {
  readonly state: DeliveryState;
  readonly attempts: number;
  /** When the next try is due (pending only). */
  readonly nextAttemptAtMs: number;
  readonly lastError: string | undefined;
  readonly deliveredAtMs: number | undefined;
  /** The platform's id of the sent message, when it gave one. */
  readonly messageRef: string | undefined;
}

/** Filter for listing deliveries; newest first. */
export interface DeliveryQuery {
  readonly limit: number;
  readonly source?: string;
  readonly state?: DeliveryState;
  readonly target?: DeliveryTarget;
}

/**
 * The delivery log behind exactly-once notifications: a delivery is recorded under its unique key before it is sent
 * and marked after. Only the scheduler leader sends, so updates have a single writer (safe on FerretDB too).
 */
export interface DeliveryRepository {
  /** Records a new pending delivery (due at once) unless its key exists; true when recorded. Atomic across replicas. */
  record(delivery: NewDelivery): Promise<boolean>;
  get(key: string): Promise<Delivery | undefined>;
  /** Pending deliveries whose next try is due at `nowMs`, oldest first. */
  due(nowMs: number, limit: number): Promise<Delivery[]>;
  markDelivered(key: string, atMs: number, messageRef: string | undefined): Promise<void>;
  /** Counts one failed try and schedules the next. */
  markFailed(key: string, failure: { readonly error: string; readonly nextAttemptAtMs: number }): Promise<void>;
  /** Gives up on a pending delivery. */
  markExpired(key: string, atMs: number, error: string): Promise<void>;
  list(query: DeliveryQuery): Promise<Delivery[]>;
  /** The key of the chat's oldest pending delivery (due or waiting for its retry), read without its payload. */
  oldestPending(target: DeliveryTarget): Promise<string | undefined>;
  /** How many deliveries are in each state. */
  counts(): Promise<Record<DeliveryState, number>>;
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
  /** Every report, alert and watch notification, recorded before it is sent. */
  readonly deliveries: DeliveryRepository;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
