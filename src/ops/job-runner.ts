import type { ScheduledTask } from 'node-cron';
import type { Logger } from '../logger.js';
import { parseSlotKey, type SlotGate } from './coordinator.js';
import type { JobRecords, JobRun } from './job-records.js';
import type { Job, JobDeps, ScheduledJob } from './job.js';

/** How a run ended; `skipped` when this replica is not the leader or the slot was already run. */
export type RunOutcome = 'ok' | 'failed' | 'skipped';

/** What the scheduler tells about runs. */
export interface JobHooks {
  /** Told about every failed run (after it is logged and recorded), e.g. to raise an alert. */
  readonly onJobFailed?: (jobName: string, error: unknown, nowMs: number) => void | Promise<void>;
  /** Told about every successful run, e.g. to resolve that failure alert. */
  readonly onJobSucceeded?: (jobName: string, nowMs: number) => void | Promise<void>;
}

/** Runs jobs one at a time per job and records each run in the store, where /status reads it on every replica. */
export class JobRunner {
  private readonly active = new Map<string, Promise<RunOutcome>>();
  private readonly again = new Set<string>();
  /** Set by stop: no new runs start. */
  closed = false;

  constructor(
    private readonly deps: JobDeps,
    private readonly records: JobRecords,
    private readonly log: Logger,
    private readonly hooks: JobHooks,
  ) {}

  /** Runs the job now, or once more after the running one when it is running. */
  run(job: Job, nowMs: number): Promise<RunOutcome> {
    if (this.closed) return Promise.resolve('skipped');
    const running = this.active.get(job.name);
    if (running) {
      this.again.add(job.name);
      return running;
    }
    const done = this.runOnce(job, nowMs).finally(() => {
      this.active.delete(job.name);
      if (this.again.delete(job.name)) void this.run(job, this.deps.clock.now());
    });
    this.active.set(job.name, done);
    return done;
  }

  /** node-cron's shouldRun for a slot of the job; a refused slot counts as skipped. */
  async allowSlot(job: Job, key: string, gate: SlotGate, nowMs: number): Promise<boolean> {
    const allowed = await gate.allow(job.name, parseSlotKey(key).slotMs, nowMs);
    if (!allowed) this.deps.metrics.jobFinished(job.name, 'skipped', 0);
    return allowed;
  }

  /** node-cron's onComplete for a slot of the job. */
  completeSlot(job: Job, key: string, gate: SlotGate, nowMs: number): Promise<void> {
    return gate.complete(job.name, parseSlotKey(key).slotMs, nowMs);
  }

  /** One scheduled slot, the way node-cron runs it: gate, run, complete. */
  async slot(job: Job, gate: SlotGate, slotMs: number, nowMs: number): Promise<RunOutcome> {
    const key = `${job.name}:${new Date(slotMs).toISOString()}`;
    if (!(await this.allowSlot(job, key, gate, nowMs))) return 'skipped';
    try {
      return await this.run(job, nowMs);
    } finally {
      await this.completeSlot(job, key, gate, nowMs);
    }
  }

  private async runOnce(job: Job, nowMs: number): Promise<RunOutcome> {
    const startedMs = performance.now();
    let run: JobRun;
    try {
      const result = await job.run(this.deps, nowMs);
      run = { atMs: nowMs, outcome: 'ok', durationMs: performance.now() - startedMs, detail: result?.summary ?? 'done', by: this.deps.config.ops.instanceId };
      this.log.debug({ job: job.name, durationMs: run.durationMs, detail: run.detail }, 'job finished');
      await this.tell(job, () => this.hooks.onJobSucceeded?.(job.name, nowMs));
    } catch (error) {
      run = { atMs: nowMs, outcome: 'failed', durationMs: performance.now() - startedMs, detail: (error as Error)?.message ?? String(error), by: this.deps.config.ops.instanceId };
      this.log.error({ err: error, job: job.name }, 'job failed');
      await this.tell(job, () => this.hooks.onJobFailed?.(job.name, error, nowMs));
    }
    this.deps.metrics.jobFinished(job.name, run.outcome, run.durationMs);
    await this.records.putRun(job.name, run).catch((error: unknown) => this.log.warn({ err: error, job: job.name }, 'recording a job run failed'));
    return run.outcome;
  }

  /** Calls a hook; its failure is logged, never the job's. */
  private async tell(job: Job, hook: () => void | Promise<void>): Promise<void> {
    try {
      await hook();
    } catch (error) {
      this.log.error({ err: error, job: job.name }, 'a scheduler hook failed');
    }
  }

  /** The job and its next run. */
  status(job: Job, task: ScheduledTask | undefined): ScheduledJob {
    const next = task?.getNextRuns(1)[0];
    return { name: job.name, summary: job.summary, schedule: job.schedule, nextRunAtMs: next?.getTime() };
  }

  /** The names of the jobs running now. */
  running(): string[] {
    return [...this.active.keys()];
  }

  /** Resolves when no job is running (runs queued behind running ones included). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()]);
  }
}
