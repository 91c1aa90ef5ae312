import { formatDuration, formatUtc } from '../chat/format.js';
import type { Deps } from '../deps.js';
import { SCHEDULER_LEASE } from './coordinator.js';
import { jobRecordsIn } from './job-records.js';
import type { JobStatus } from './job.js';

const shorten = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** One job as a /status line: last run (outcome, age, what it did) and next run. */
function jobLine(job: Pick<JobStatus, 'name' | 'lastRun' | 'nextRunAtMs'>, nowMs: number): string {
  const last = job.lastRun;
  const lastText = last
    ? `${last.outcome === 'ok' ? 'ok' : 'FAILED'} ${formatDuration(nowMs - last.atMs)} ago (${shorten(last.detail)})`
    : 'not run yet';
  const nextText = job.nextRunAtMs === undefined ? '' : `, next in ${formatDuration(Math.max(0, job.nextRunAtMs - nowMs))}`;
  return `Job ${job.name}: ${lastText}${nextText}`;
}

/** Who runs the jobs: this replica, another one (until its lease expires), or nobody right now. */
async function leaderLine(deps: Deps, nowMs: number): Promise<string> {
  const self = deps.config.ops.instanceId;
  const scheduler = deps.runtime.scheduler;
  const here = scheduler ? '' : deps.config.ops.jobs ? ' (the scheduler does not run in this process)' : ' (JOBS=off here)';
  const stored = scheduler ? undefined : await deps.store.leases.get(SCHEDULER_LEASE);
  const view = scheduler ? scheduler.leader() : { self: stored?.holder === self, holder: stored?.holder, expiresAtMs: stored?.expiresAtMs };
  if (!view.holder || (view.expiresAtMs ?? 0) <= nowMs) return `Scheduler: no leader right now${here}`;
  const until = `lease until ${formatUtc(view.expiresAtMs!)}`;
  return view.self && scheduler ? `Scheduler: this replica (${self}) leads and runs the jobs, ${until}` : `Scheduler: led by ${view.holder}, ${until}; this replica (${self}) stands by${here}`;
}

/**
 * The jobs and deliveries part of /status: leader, each job's last run (any replica's, as stored) and next run (from
 * this replica's scheduler, when it runs one), the delivery log's counts; `failed` when a job's last run failed.
 */
export async function jobStatusLines(deps: Deps, nowMs: number): Promise<{ lines: string[]; failed: boolean }> {
  const scheduled = deps.runtime.scheduler?.jobs();
  const [runs, counts, leader] = await Promise.all([
    jobRecordsIn(deps.store.settings).runs(), deps.store.deliveries.counts(), leaderLine(deps, nowMs),
  ]);
  const jobs: Array<Pick<JobStatus, 'name' | 'lastRun' | 'nextRunAtMs'>> = scheduled
    ? scheduled.map(({ name, nextRunAtMs }) => ({ name, lastRun: runs.get(name), nextRunAtMs }))
    : [...runs].map(([name, lastRun]) => ({ name, lastRun, nextRunAtMs: undefined }));
  return {
    lines: [
      leader,
      ...jobs.map((job) => jobLine(job, nowMs)),
      `Deliveries: ${counts.pending} pending, ${counts.expired} given up, ${counts.delivered} delivered`,
    ],
    failed: jobs.some((job) => job.lastRun?.outcome === 'failed'),
  };
}

/** The trading breaker of the configured mode, from its stored events (the same on every replica), and whether it is tripped. */
export async function tradingBreakerLine(deps: Deps): Promise<{ line: string; tripped: boolean }> {
  const mode = deps.config.trading.mode;
  const [last] = await deps.store.trading.listBreakerEvents(mode, 1);
  if (last?.kind !== 'tripped') return { line: `Trading breaker (${mode}): closed${last ? ` since ${formatUtc(last.atMs)}` : ''}`, tripped: false };
  return { line: `Trading breaker (${mode}): TRIPPED by ${last.trigger ?? 'a limit'} at ${formatUtc(last.atMs)}: ${last.detail}; new entries are refused`, tripped: true };
}
