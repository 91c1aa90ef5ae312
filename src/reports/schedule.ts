import { formatDuration } from '../chat/format.js';
import type { Reply } from '../chat/reply.js';
import { instantOf, localTimeOf } from '../ops/local-time.js';
import type { Subscription } from '../ops/subscriptions.js';

/** A report is labelled late when it is recorded this long after its scheduled time (the job runs every minute). */
const LATE_AFTER_MS = 15 * 60_000;

/** One subscriber's report that is due now: for its local date, at its scheduled instant. */
export interface DueReport {
  readonly subscription: Subscription;
  /** The subscriber's local date (`YYYY-MM-DD`): the delivery's period. */
  readonly date: string;
  readonly timeOfDay: string;
  readonly timeZone: string;
  readonly scheduledMs: number;
}

/**
 * The report subscriptions due at `nowMs`: today's report (in the subscriber's zone) once its local time has come,
 * unless the subscription was made after it. Only today's: days missed while the bot was down are not sent late.
 */
export function dueReports(subs: readonly Subscription[], defaults: { timeOfDay: string; timeZone: string }, nowMs: number): DueReport[] {
  return subs.flatMap((subscription) => {
    if (subscription.kind !== 'report') return [];
    const timeOfDay = subscription.timeOfDay ?? defaults.timeOfDay;
    const timeZone = subscription.timeZone ?? defaults.timeZone;
    const { date } = localTimeOf(nowMs, timeZone);
    const scheduledMs = instantOf(date, timeOfDay, timeZone);
    if (nowMs < scheduledMs || scheduledMs < subscription.atMs) return [];
    return [{ subscription, date, timeOfDay, timeZone, scheduledMs }];
  });
}

/** The report as one subscriber gets it: titled with its local date, saying when it was scheduled and whether it is late. */
export function scheduledReply(report: Reply, due: DueReport, nowMs: number): Reply {
  const lateMs = nowMs - due.scheduledMs;
  const when = `Daily report for ${due.date}, scheduled ${due.timeOfDay} ${due.timeZone}`;
  const note = lateMs >= LATE_AFTER_MS
    ? `${when}, sent late (${formatDuration(lateMs)} after).`
    : `${when}.`;
  return { ...report, title: `Daily report ${due.date}`, lines: [note, ...report.lines] };
}
