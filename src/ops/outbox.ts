import type { Reply } from '../chat/reply.js';
import type { DeliveryTarget, JsonValue, Store } from '../store/types.js';

/** A notification to record for sending: what, to whom, and for which run of its source. */
export interface Outgoing {
  /** `daily-report`, `alert:A17`, `watch`: also the metrics label (keep the cardinality low: no ids in it). */
  readonly source: string;
  /** Which run of the source: a local date, an alert repeat, a bar time. Part of the unique key. */
  readonly period: string;
  readonly target: DeliveryTarget;
  readonly reply: Reply;
  /** Given up when still not sent this long after it was recorded. */
  readonly expiresInMs: number;
}

/** The unique key of a delivery: one per (source, target, period). */
export function deliveryKey(source: string, target: DeliveryTarget, period: string): string {
  return `${source}|${target.platform}:${target.chatId}|${period}`;
}

/** A Reply as JSON for the delivery log: the image as base64, runner-only fields dropped. */
function encodeReply(reply: Reply): JsonValue {
  const { image, outcome: _outcome, requestId: _requestId, ...rest } = reply;
  const json = JSON.parse(JSON.stringify(rest)) as { [key: string]: JsonValue };
  if (image) json.image = { png: Buffer.from(image.png).toString('base64'), filename: image.filename, alt: image.alt };
  return json;
}

/** The Reply a delivery's payload holds. */
export function decodeReply(payload: JsonValue): Reply {
  const json = payload as unknown as Reply & { image?: { png: string; filename: string; alt: string } };
  const { image, ...rest } = json;
  return image ? { ...rest, image: { png: new Uint8Array(Buffer.from(image.png, 'base64')), filename: image.filename, alt: image.alt } } : rest;
}

/**
 * Records a notification in the delivery log; the deliveries job sends it. False when the same (source, target,
 * period) was recorded before: that is how a re-run, a catch-up or a second replica never sends twice.
 */
export function enqueue(store: Pick<Store, 'deliveries'>, outgoing: Outgoing, nowMs: number): Promise<boolean> {
  return store.deliveries.record({
    key: deliveryKey(outgoing.source, outgoing.target, outgoing.period),
    source: outgoing.source,
    period: outgoing.period,
    target: outgoing.target,
    payload: encodeReply(outgoing.reply),
    createdAtMs: nowMs,
    expiresAtMs: nowMs + outgoing.expiresInMs,
  });
}
