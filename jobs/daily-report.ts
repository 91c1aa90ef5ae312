import type { Reply } from '../src/chat/reply.js';
import { tradingOf } from '../src/deps.js';
import { defineJob, type JobDeps } from '../src/ops/job.js';
import { deliveryKey, enqueue } from '../src/ops/outbox.js';
import { subscriptionsIn } from '../src/ops/subscriptions.js';
import { recordDailyClose } from '../src/reports/daily-close.js';
import { buildPortfolioReport } from '../src/reports/portfolio.js';
import { dueReports, scheduledReply, type DueReport } from '../src/reports/schedule.js';

const SOURCE = 'daily-report';

/** Today's due reports not recorded yet (so the report is not rebuilt every minute after it was recorded). */
async function unrecorded(deps: JobDeps, due: readonly DueReport[]): Promise<DueReport[]> {
  const recorded = await Promise.all(due.map((d) => deps.store.deliveries.get(deliveryKey(SOURCE, d.subscription.target, d.date))));
  return due.filter((_, i) => recorded[i] === undefined);
}

/** Records today's due reports, building each form (with chart, text only) at most once; a summary of what it did. */
async function recordReports(deps: JobDeps, nowMs: number): Promise<string> {
  const subs = await subscriptionsIn(deps.store.settings).list('report');
  const defaults = { timeOfDay: deps.config.ops.reportTime, timeZone: deps.config.ops.reportTimeZone };
  const due = await unrecorded(deps, dueReports(subs, defaults, nowMs));
  if (due.length === 0) return `no report due (${subs.length} subscribed)`;
  const trading = await tradingOf(deps);
  const built = new Map<boolean, Promise<Reply>>();
  const reportFor = (image: boolean) => {
    if (!built.has(image)) built.set(image, buildPortfolioReport(deps, trading, nowMs, { image }));
    return built.get(image)!;
  };
  let recorded = 0;
  for (const d of due) {
    const reply = scheduledReply(await reportFor(!d.subscription.text), d, nowMs);
    const outgoing = { source: SOURCE, period: d.date, target: d.subscription.target, reply, expiresInMs: deps.config.ops.deliveryExpiryMs };
    if (await enqueue(deps.store, outgoing, nowMs)) recorded++;
  }
  if (recorded > 0) deps.wake('deliveries');
  return `recorded ${recorded} report(s) of ${due.length} due`;
}

/**
 * Records each report subscriber's daily portfolio report once its local time has come (at most one per local date,
 * by the delivery log's unique key), then wakes the deliveries job. A bot that was down over the scheduled time
 * sends today's report late, saying so; earlier days are not sent. Just after midnight UTC it also stores the
 * day's closing snapshot the reports measure their day/week/month changes and draw their equity chart from.
 */
export const dailyReport = defineJob({
  name: 'daily-report',
  summary: 'Records the daily portfolio report for each subscribed chat at its local time (today only, labelled late after an outage), and the daily close.',
  schedule: '0 * * * * *',
  async run(deps, nowMs) {
    const close = await recordDailyClose(deps.store, () => tradingOf(deps), nowMs).catch((error: unknown) => `no close recorded: ${(error as Error).message}`);
    const summary = await recordReports(deps, nowMs);
    return { summary: close ? `${summary}; ${close}` : summary };
  },
});
