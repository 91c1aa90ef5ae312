import { formatDuration, formatUtc } from '../chat/format.js';
import type { Reply, ReplyLevel } from '../chat/reply.js';
import type { Store } from '../store/types.js';
import type { Alert, AlertSeverity } from './alerts.js';
import { snoozeCovers, type Snooze } from './alert-snooze.js';
import { deliveryKey, enqueue } from './outbox.js';
import type { Subscription } from './subscriptions.js';

/** The delivery log's source of every alert post (a metrics label: no ids in it). */
export const ALERT_SOURCE = 'alert';

/** Which post of an alert: the first, the n-th repeat, the acknowledgement, the resolution. */
export type AlertPost = { readonly kind: 'raised' } | { readonly kind: 'repeat'; readonly n: number } | { readonly kind: 'ack' } | { readonly kind: 'resolved' };

/** How alerts are posted: the repeat interval and how long a post may wait to be sent. */
export interface AlertPostOptions {
  readonly repeatMs: number;
  readonly expiryMs: number;
}

const LEVEL: Readonly<Record<AlertSeverity, ReplyLevel>> = { critical: 'error', warning: 'warning', info: 'info' };
const needsAck = (a: Alert) => a.severity !== 'info';

/**
 * The delivery period of a post: `<id>@<raisedAtMs>:<post>`. The raise time keeps it unique even when a short id
 * is used again after its old alert was pruned.
 */
function alertPeriod(alert: Alert, post: AlertPost): string {
  return `${alert.id}@${alert.raisedAtMs}:${post.kind === 'repeat' ? `repeat-${post.n}` : post.kind}`;
}

/** A repeat interval for people: `15 min`, `2 h`, else the general form. */
const every = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : formatDuration(ms));
const footer = (a: Alert) => `Alert ${a.id} (${a.dedupKey}), raised ${formatUtc(a.raisedAtMs)}.`;

/** The message of one post of an alert. */
function alertReply(alert: Alert, post: AlertPost, nowMs: number, repeatMs: number): Reply {
  const badges = alert.badges ?? [];
  const ackButton = needsAck(alert) && !alert.ack ? { actions: [{ label: 'Acknowledge', line: `/ack ${alert.id}` }] } : {};
  const tag = alert.severity.toUpperCase();
  switch (post.kind) {
    case 'raised':
      return {
        level: LEVEL[alert.severity], title: `${tag}: ${alert.title}`, badges, ...ackButton,
        lines: [...alert.lines, `${footer(alert)}${needsAck(alert) ? ` Repeated every ${every(repeatMs)} until acknowledged: press Acknowledge or send /ack ${alert.id}.` : ''}`],
      };
    case 'repeat':
      return {
        level: LEVEL[alert.severity], title: `${tag} (still open, repeat ${post.n}): ${alert.title}`, badges, ...ackButton,
        lines: [...alert.lines, `${footer(alert)} Not acknowledged after ${formatDuration(nowMs - alert.raisedAtMs)}: press Acknowledge or send /ack ${alert.id}.`],
      };
    case 'ack':
      return {
        level: 'info', title: `Acknowledged: ${alert.title}`, badges,
        lines: [`Alert ${alert.id} was acknowledged by ${alert.ack?.by ?? 'unknown'} at ${formatUtc(alert.ack?.atMs ?? 0)}; no more repeats.`, footer(alert)],
      };
    case 'resolved':
      return {
        level: 'success', title: `Resolved: ${alert.title}`, badges,
        lines: [
          `Alert ${alert.id} resolved at ${formatUtc(alert.resolved?.atMs ?? 0)}: ${alert.resolved?.detail ?? ''}.`,
          alert.ack ? `Acknowledged by ${alert.ack.by} at ${formatUtc(alert.ack.atMs)}.` : needsAck(alert) ? 'It was never acknowledged.' : '',
          `Was: ${alert.lines[0] ?? alert.title}`, footer(alert),
        ].filter(Boolean),
      };
  }
}

/**
 * The posts of an alert due at `nowMs` for one chat: the first post while it is open (not while snoozed), then a
 * repeat every `repeatMs` after that first post until acknowledged (critical and warning only, not while snoozed),
 * the acknowledgement and the resolution (also while snoozed, for a chat subscribed by then).
 */
function duePosts(alert: Alert, nowMs: number, chat: { subscribedAtMs: number; firstPostAtMs: number | undefined }, snoozes: readonly Snooze[], o: AlertPostOptions): AlertPost[] {
  const snoozed = snoozes.some((s) => s.untilMs > nowMs && snoozeCovers(s.pattern, alert.dedupKey));
  // Acks and resolutions are news for a while (the delivery expiry), and only to chats that had subscribed by then.
  const recent = (atMs: number | undefined) => atMs !== undefined && atMs > nowMs - o.expiryMs && atMs >= chat.subscribedAtMs;
  const posts: AlertPost[] = [];
  if (!alert.resolved && !snoozed) {
    if (chat.firstPostAtMs === undefined) {
      posts.push({ kind: 'raised' });
    } else {
      const n = Math.floor((nowMs - chat.firstPostAtMs) / o.repeatMs);
      if (needsAck(alert) && !alert.ack && n >= 1) posts.push({ kind: 'repeat', n });
    }
  }
  if (alert.ack && recent(alert.ack.atMs)) posts.push({ kind: 'ack' });
  if (alert.resolved && recent(alert.resolved.atMs)) posts.push({ kind: 'resolved' });
  return posts;
}

/**
 * Records every post due at `nowMs` in the delivery log, for each alerts subscriber; the deliveries job sends them.
 * Idempotent: a post already recorded is not recorded again. Returns how many were recorded now.
 */
export async function postAlerts(
  store: Pick<Store, 'deliveries'>, alerts: readonly Alert[], subscribers: readonly Subscription[], snoozes: readonly Snooze[],
  nowMs: number, o: AlertPostOptions,
): Promise<number> {
  let recorded = 0;
  for (const alert of alerts) {
    for (const sub of subscribers) {
      const first = alert.resolved ? undefined : await store.deliveries.get(deliveryKey(ALERT_SOURCE, sub.target, alertPeriod(alert, { kind: 'raised' })));
      const chat = { subscribedAtMs: sub.atMs, firstPostAtMs: first?.createdAtMs };
      for (const post of duePosts(alert, nowMs, chat, snoozes, o)) {
        const reply = alertReply(alert, post, nowMs, o.repeatMs);
        const expiresInMs = post.kind === 'repeat' ? Math.min(o.repeatMs, o.expiryMs) : o.expiryMs;
        if (await enqueue(store, { source: ALERT_SOURCE, period: alertPeriod(alert, post), target: sub.target, reply, expiresInMs }, nowMs)) recorded++;
      }
    }
  }
  return recorded;
}
