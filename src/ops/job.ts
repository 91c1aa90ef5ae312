import type { Deps } from '../deps.js';
import type { Notifier } from '../chat/notifier.js';

/** What a job may use: the bot's deps, plus a way to send and to wake other jobs. */
export interface JobDeps extends Deps {
  /** Reaches the chat platforms running in this process; used only by the deliveries job. */
  readonly notifier: Notifier;
  /** Asks the scheduler to run a job now (e.g. deliveries after a report was recorded); a no-op when not leader. */
  readonly wake: (jobName: string) => void;
}

/** What a job run did, one line for logs and /status. */
export interface JobResult {
  readonly summary: string;
}

/** A scheduled job: one file in `jobs/`. */
export interface Job {
  /** kebab-case, unique; also the metrics label. */
  readonly name: string;
  /** One line for README and /status. */
  readonly summary: string;
  /** node-cron expression (6 fields = with seconds), evaluated in UTC. */
  readonly schedule: string;
  /**
   * Does the work due at `nowMs`. Must be idempotent: after a crash or a leader change the same period may be run
   * again, and must not produce a second delivery.
   */
  run(deps: JobDeps, nowMs: number): Promise<JobResult | void>;
}

/** Defines a job (a typed identity, for symmetry with defineCommand). */
export function defineJob(job: Job): Job {
  return job;
}

/** How one job last ran (any replica's run, as stored) and when it runs next, for /status. */
export interface JobStatus {
  readonly name: string;
  readonly summary: string;
  readonly schedule: string;
  readonly lastRun: { readonly atMs: number; readonly outcome: 'ok' | 'failed'; readonly durationMs: number; readonly detail: string } | undefined;
  readonly nextRunAtMs: number | undefined;
}

/** A job as the running scheduler knows it: its next run here; the last run is read from the store. */
export type ScheduledJob = Omit<JobStatus, 'lastRun'>;

/** What the running scheduler tells /status: its jobs and their next runs, and whether this replica is the leader that runs them. */
export interface SchedulerStatus {
  readonly jobs: () => readonly ScheduledJob[];
  readonly leader: () => { readonly self: boolean; readonly holder: string | undefined; readonly expiresAtMs: number | undefined };
}
