import { formatDuration, formatUtc } from '../chat/format.js';
import type { Reply } from '../chat/reply.js';
import type { BreakerSnapshot } from '../market/circuit-breaker.js';
import type { Store } from '../store/types.js';
import type { BreakerEvent, TradingMode } from '../trading/types.js';
import { modeBadge } from '../trading/order-service.js';
import { ALERT_SOURCE } from './alert-posts.js';
import { snoozeCovers, type Snooze } from './alert-snooze.js';
import { enqueue } from './outbox.js';
import type { Subscription } from './subscriptions.js';

/** The snooze key of the heartbeat (`/alerts snooze 1d heartbeat`). */
const HEARTBEAT_KEY = 'heartbeat';

/** What the heartbeat tells on-call: the bot is alive, and the state of its breakers and delivery log. */
export interface HeartbeatFacts {
  readonly startedAtMs: number;
  readonly instanceId: string;
  readonly mode: TradingMode;
  /** The trading breaker's latest stored event (undefined: it never changed). */
  readonly tradingBreaker: BreakerEvent | undefined;
  readonly marketData: { readonly source: string; readonly breaker: BreakerSnapshot };
  readonly pendingDeliveries: number;
  readonly openAlerts: number;
  /** Why a figure could not be read, e.g. the risk check failing during an outage. */
  readonly problems: readonly string[];
}

/** The heartbeat message. */
function heartbeatReply(f: HeartbeatFacts, nowMs: number): Reply {
  const tripped = f.tradingBreaker?.kind === 'tripped';
  return {
    level: 'info', title: 'Heartbeat: tradeops is running', badges: [modeBadge(f.mode)],
    lines: [
      `Up ${formatDuration(nowMs - f.startedAtMs)} (since ${formatUtc(f.startedAtMs)}) on ${f.instanceId}.`,
      `Trading breaker (${f.mode}): ${tripped ? `TRIPPED since ${formatUtc(f.tradingBreaker!.atMs)} (${f.tradingBreaker!.detail})` : 'closed'}.`,
      `Market-data breaker (${f.marketData.source}): ${f.marketData.breaker.state}${f.marketData.breaker.lastFailure && f.marketData.breaker.state !== 'closed' ? ` (${f.marketData.breaker.lastFailure})` : ''}.`,
      `Deliveries pending: ${f.pendingDeliveries}. Open alerts: ${f.openAlerts}${f.openAlerts ? ' (/alerts)' : ''}.`,
      ...f.problems.map((p) => `Not checked: ${p}`),
    ],
  };
}

/**
 * Records the heartbeat of the current time bucket (`heartbeat@<bucket start ms>`) for each alerts subscriber,
 * unless snoozed. Once per bucket: re-runs record nothing. Returns how many were recorded.
 */
export async function postHeartbeat(
  store: Pick<Store, 'deliveries'>, facts: HeartbeatFacts, subscribers: readonly Subscription[], snoozes: readonly Snooze[],
  nowMs: number, heartbeatMs: number, expiryMs: number,
): Promise<number> {
  if (snoozes.some((s) => s.untilMs > nowMs && snoozeCovers(s.pattern, HEARTBEAT_KEY))) return 0;
  const bucketMs = Math.floor(nowMs / heartbeatMs) * heartbeatMs;
  const reply = heartbeatReply(facts, nowMs);
  let recorded = 0;
  for (const sub of subscribers) {
    const outgoing = { source: ALERT_SOURCE, period: `${HEARTBEAT_KEY}@${bucketMs}`, target: sub.target, reply, expiresInMs: Math.min(heartbeatMs, expiryMs) };
    if (await enqueue(store, outgoing, nowMs)) recorded++;
  }
  return recorded;
}
