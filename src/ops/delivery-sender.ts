import { NotifyError, type Notifier } from '../chat/notifier.js';
import type { Deps } from '../deps.js';
import type { Delivery } from '../store/types.js';
import { holdsLeadership } from './coordinator.js';
import { decodeReply } from './outbox.js';

/** What one round of sending did. */
export interface SendRound {
  readonly delivered: number;
  /** Failed and scheduled again. */
  readonly retrying: number;
  readonly expired: number;
  /** Left for a later round: their chat has an older message waiting, or was rate-limited this round. */
  readonly deferred: number;
  /** True when the round stopped because this replica no longer holds the scheduler lease. */
  readonly lostLeadership: boolean;
}

/** Options of sendDueDeliveries. */
export interface SendOptions {
  /** How many due deliveries one round takes. Default 100. */
  readonly limit?: number;
  /** Checked before every send; default: this replica holds the scheduler lease in the store. */
  readonly stillLeader?: () => Promise<boolean>;
}

const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 10 * 60_000;

/** A number in [0, 1) from a string, so retries spread out the same way on every replica and in tests. */
function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/** The wait before try `attempt + 1`: 5 s doubling up to 10 min, plus up to 20% jitter, never less than the platform asked. */
export function retryDelayMs(key: string, attempt: number, retryAfterMs: number | undefined): number {
  const baseMs = Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1), MAX_RETRY_MS);
  const backoffMs = Math.min(Math.round(baseMs * (1 + 0.2 * unitHash(`${key}#${attempt}`))), MAX_RETRY_MS);
  return Math.max(retryAfterMs ?? 0, backoffMs);
}

const chatOf = (d: Delivery) => `${d.target.platform}:${d.target.chatId}`;
const label = (d: Delivery) => d.source.split(':')[0] ?? d.source;

/** Chats whose oldest pending delivery is not in this batch (it waits for its retry): their newer ones wait too. */
async function chatsWaiting(deps: Pick<Deps, 'store'>, due: readonly Delivery[]): Promise<Set<string>> {
  const inBatch = new Set(due.map((d) => d.key));
  const targets = new Map(due.map((d) => [chatOf(d), d.target]));
  const waiting = new Set<string>();
  for (const [chat, target] of targets) {
    const oldestKey = await deps.store.deliveries.oldestPending(target);
    if (oldestKey !== undefined && !inBatch.has(oldestKey)) waiting.add(chat);
  }
  return waiting;
}

/**
 * Sends the deliveries that are due, oldest first, each at most once per round: marks it delivered, or schedules a
 * retry (backoff, or the platform's retry_after when longer), or gives up when the platform refuses for good or the
 * delivery expired. A chat that failed is left alone for the rest of the round so its messages keep their order.
 */
export async function sendDueDeliveries(
  deps: Pick<Deps, 'store' | 'config' | 'logger' | 'metrics' | 'clock'>,
  notifier: Notifier,
  nowMs: number,
  options: SendOptions = {},
): Promise<SendRound> {
  const { store, logger, metrics, clock } = deps;
  const stillLeader = options.stillLeader ?? (() => holdsLeadership(store, deps.config.ops.instanceId, clock.now()));
  const due = await store.deliveries.due(nowMs, options.limit ?? 100);
  const blocked = due.length > 0 ? await chatsWaiting(deps, due) : new Set<string>();
  const round = { delivered: 0, retrying: 0, expired: 0, deferred: 0, lostLeadership: false };
  for (const d of due) {
    const log = logger.child({ delivery: d.key, attempts: d.attempts });
    // Expiry comes first: giving up sends nothing, so it cannot break the chat's order, and it must not wait behind a retry.
    if (nowMs >= d.expiresAtMs) {
      const reason = `not delivered before it expired${d.lastError ? `; last error: ${d.lastError}` : ''}`;
      await store.deliveries.markExpired(d.key, nowMs, reason);
      metrics.delivery(label(d), 'expired');
      log.error({ reason }, 'delivery given up');
      round.expired++;
      continue;
    }
    if (blocked.has(chatOf(d))) {
      round.deferred++;
      continue;
    }
    if (!(await stillLeader())) {
      log.warn('this replica no longer leads the scheduler: leaving the deliveries to the leader');
      round.lostLeadership = true;
      break;
    }
    try {
      const { messageRef } = await notifier.send(d.target, decodeReply(d.payload));
      await store.deliveries.markDelivered(d.key, clock.now(), messageRef);
      metrics.delivery(label(d), 'delivered');
      log.info({ messageRef }, 'delivered');
      round.delivered++;
    } catch (error) {
      const failure = error instanceof NotifyError ? error : new NotifyError(error instanceof Error ? error.message : String(error), false);
      const atMs = clock.now();
      if (failure.permanent) {
        await store.deliveries.markExpired(d.key, atMs, failure.message);
        metrics.delivery(label(d), 'expired');
        log.error({ reason: failure.message }, 'delivery refused for good; given up');
        round.expired++;
        continue;
      }
      const nextAttemptAtMs = atMs + retryDelayMs(d.key, d.attempts + 1, failure.retryAfterMs);
      await store.deliveries.markFailed(d.key, { error: failure.message, nextAttemptAtMs });
      metrics.delivery(label(d), 'retry');
      log.warn({ reason: failure.message, nextAttemptAt: new Date(nextAttemptAtMs).toISOString() }, 'delivery failed; will retry');
      blocked.add(chatOf(d));
      round.retrying++;
    }
  }
  return round;
}
