import { formatDuration, formatUtc } from '../chat/format.js';
import type { Deps } from '../deps.js';
import { SCHEDULER_LEASE } from './coordinator.js';
import { jobRecordsIn } from './job-records.js';
import type { JobStatus } from './job.js';

const shorten = (text: string, max = 80) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** One job as a /status line: last run (outcome, age, what it did) and next run. */
export function jobLine(job: Pick<JobStatus, 'name' | 'lastRun' | 'nextRunAtMs'>, nowMs: number): string {
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

/** The jobs and deliveries part of /status: leader, each job's last and next run, the delivery log's counts. */
export async function jobStatusLines(deps: Deps, nowMs: number): Promise<string[]> {
  const scheduler = deps.runtime.scheduler;
  const jobs: Array<Pick<JobStatus, 'name' | 'lastRun' | 'nextRunAtMs'>> = scheduler
    ? [...scheduler.jobs()]
    : [...(await jobRecordsIn(deps.store.settings).runs())].map(([name, lastRun]) => ({ name, lastRun, nextRunAtMs: undefined }));
  const counts = await deps.store.deliveries.counts();
  return [
    await leaderLine(deps, nowMs),
    ...jobs.map((job) => jobLine(job, nowMs)),
    `Deliveries: ${counts.pending} pending, ${counts.expired} given up, ${counts.delivered} delivered`,
  ];
}

/** The trading breaker of the configured mode, from its stored events (the same on every replica). */
export async function tradingBreakerLine(deps: Deps): Promise<string> {
  const mode = deps.config.trading.mode;
  const [last] = await deps.store.trading.listBreakerEvents(mode, 1);
  if (last?.kind !== 'tripped') return `Trading breaker (${mode}): closed${last ? ` since ${formatUtc(last.atMs)}` : ''}`;
  return `Trading breaker (${mode}): TRIPPED by ${last.trigger ?? 'a limit'} at ${formatUtc(last.atMs)}: ${last.detail}; new entries are refused`;
}
