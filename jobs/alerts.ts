import { formatUtc } from '../src/chat/format.js';
import { tradingOf } from '../src/deps.js';
import { applyMarketData, applyRisk, applyTradingBreaker } from '../src/ops/alert-conditions.js';
import { postHeartbeat, type HeartbeatFacts } from '../src/ops/alert-heartbeat.js';
import { postAlerts } from '../src/ops/alert-posts.js';
import { alertSnoozes, inForce } from '../src/ops/alert-snooze.js';
import { alertBook, jobFailureKey, type Alert, type AlertBook, type AlertView } from '../src/ops/alerts.js';
import { defineJob, type JobDeps } from '../src/ops/job.js';
import { jobRecordsIn } from '../src/ops/job-records.js';
import { subscriptionsIn } from '../src/ops/subscriptions.js';
import type { BreakerEvent } from '../src/trading/types.js';

/** Resolved alerts are kept this long (for /alerts and the delivery log's context), then pruned. */
const KEEP_MS = 30 * 86_400_000;

/** Risk near its limits, from the order service's own risk snapshot; a reason instead when trading cannot be assessed. */
async function checkRisk(deps: JobDeps, book: AlertBook, nowMs: number): Promise<string | undefined> {
  try {
    const trading = await tradingOf(deps);
    // assess also re-checks the trading breaker, so a limit crossed without any order trips it here.
    const { snapshot } = await trading.service.assess(nowMs);
    await applyRisk(book, snapshot, deps.config.trading.limits, deps.config.trading.quoteAsset, nowMs);
    return undefined;
  } catch (error) {
    deps.logger.warn({ err: error }, 'alerts: risk check skipped');
    return `risk limits (${(error as Error).message})`;
  }
}

/** Resolves the failure alert of every job whose last recorded run, after the alert was raised, succeeded; returns the view after. */
async function resolveRecoveredJobs(deps: JobDeps, book: AlertBook, view: AlertView, nowMs: number): Promise<AlertView> {
  const runs = await jobRecordsIn(deps.store.settings).runs();
  const jobOf = new Map([...runs.keys()].map((name) => [jobFailureKey(name), name]));
  const resolved = new Map<string, Alert>();
  for (const alert of view.open) {
    const name = jobOf.get(alert.dedupKey);
    const last = name === undefined ? undefined : runs.get(name);
    if (name !== undefined && last?.outcome === 'ok' && last.atMs > alert.raisedAtMs) {
      const done = await book.resolve(alert.dedupKey, `the ${name} job ran successfully at ${formatUtc(last.atMs)}`, nowMs);
      if (done) resolved.set(done.id, done);
    }
  }
  if (resolved.size === 0) return view;
  return { all: view.all.map((a) => resolved.get(a.id) ?? a), open: view.open.filter((a) => !resolved.has(a.id)) };
}

/** What the heartbeat shows, read now. */
async function heartbeatFacts(deps: JobDeps, breakerEvent: BreakerEvent | undefined, openAlerts: number, riskProblem: string | undefined): Promise<HeartbeatFacts> {
  const md = deps.market.exchange.breaker;
  return {
    startedAtMs: deps.runtime.startedAtMs, instanceId: deps.config.ops.instanceId, mode: deps.config.trading.mode, tradingBreaker: breakerEvent,
    marketData: { source: md.source, breaker: md.snapshot() }, pendingDeliveries: (await deps.store.deliveries.counts()).pending,
    openAlerts, problems: riskProblem ? [riskProblem] : [],
  };
}

/**
 * Evaluates the alert conditions (trading breaker, market-data breaker, risk near its limits, failed jobs), then
 * records the posts due in the delivery log: raised, repeats of unacknowledged critical/warning alerts, the
 * acknowledgement, the resolution, and the heartbeat. Idempotent: a re-run at the same time records nothing new.
 */
export const alerts = defineJob({
  name: 'alerts',
  summary: 'Raises and resolves alerts (breakers, risk near limits, failed jobs) and posts them to on-call chats until acknowledged; heartbeat.',
  schedule: '*/15 * * * * *',
  async run(deps, nowMs) {
    const { config, store } = deps;
    const book = alertBook(store.settings);
    const snoozes = alertSnoozes(store.settings);
    const mode = config.trading.mode;
    const riskProblem = await checkRisk(deps, book, nowMs);
    const [latestEvent] = await store.trading.listBreakerEvents(mode, 1);
    await applyTradingBreaker(book, mode, latestEvent, nowMs);
    const md = deps.market.exchange.breaker;
    await applyMarketData(book, md.source, md.snapshot(), nowMs);

    // The book, the snoozes and the subscribers are read once; the steps below reuse what was read.
    const [read, subscribers, stored] = await Promise.all([book.view(), subscriptionsIn(store.settings).list('alerts'), snoozes.list()]);
    const { all, open } = await resolveRecoveredJobs(deps, book, read, nowMs);
    const active = inForce(stored, nowMs);
    // Open means its open marker points at it: a record another replica is still raising (or lost) is not posted.
    const openIds = new Set(open.map((a) => a.id));
    const posting = all.filter((a) => a.resolved || openIds.has(a.id));
    const options = { repeatMs: config.ops.alertRepeatMs, expiryMs: config.ops.deliveryExpiryMs };
    let recorded = await postAlerts(store, posting, subscribers, active, nowMs, options);
    if (config.ops.heartbeatMs !== undefined) {
      const facts = await heartbeatFacts(deps, latestEvent, open.length, riskProblem);
      recorded += await postHeartbeat(store, facts, subscribers, active, nowMs, config.ops.heartbeatMs, config.ops.deliveryExpiryMs);
    }
    if (recorded > 0) deps.wake('deliveries');
    const pruned = await book.prune(nowMs, KEEP_MS, { all, open });
    await snoozes.prune(nowMs, stored);
    return {
      summary: `${open.length} open alert(s), ${recorded} post(s) recorded for ${subscribers.length} subscriber(s)` +
        `${active.length ? `, ${active.length} snooze(s)` : ''}${pruned ? `, ${pruned} pruned` : ''}${riskProblem ? `; not checked: ${riskProblem}` : ''}`,
    };
  },
});
