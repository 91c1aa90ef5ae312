import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger.js';
import { Leadership, slotGate, type SlotGate } from './coordinator.js';
import { jobRecordsIn } from './job-records.js';
import { JobRunner, type JobHooks, type RunOutcome } from './job-runner.js';
import type { Job, JobDeps, SchedulerStatus } from './job.js';

export type { RunOutcome } from './job-runner.js';

/** Options of startScheduler. */
export interface SchedulerOptions extends JobHooks {
  /** Real timers: node-cron tasks and lease renewal (default). Tests pass false and drive `tick` and `runJob`. */
  readonly timers?: boolean;
  /** How long `stop` waits for running jobs before giving the lease up anyway. Default 10 s. */
  readonly stopTimeoutMs?: number;
}

/** The running scheduler of this replica. */
export interface Scheduler {
  /** What /status shows from this replica: jobs with their next run, and who leads. */
  status(): SchedulerStatus;
  /** Runs a job soon (coalesced with a pending or running one); only on the leader. */
  wake(name: string): void;
  /** Renews or takes the leadership at `nowMs`; a replica that just became leader runs every job once (catch-up). */
  tick(nowMs: number): Promise<void>;
  /** Runs a scheduled slot of a job as node-cron would (leader and slot checks), at `nowMs`; for fixed-clock tests. */
  runJob(name: string, nowMs: number, slotMs?: number): Promise<RunOutcome>;
  /** Resolves when no job is running. */
  idle(): Promise<void>;
  /** Stops the tasks, waits (bounded) for running jobs, and gives the lease up. */
  stop(): Promise<void>;
}

/** Starts one scheduler over the jobs: every replica runs one, the holder of the `scheduler` lease runs the jobs. */
export function startScheduler(jobs: readonly Job[], deps: JobDeps, options: SchedulerOptions = {}): Scheduler {
  const { config, clock, logger } = deps;
  const log = logger.child({ component: 'scheduler', instance: config.ops.instanceId });
  const byName = new Map(jobs.map((job) => [job.name, job]));
  if (byName.size !== jobs.length) throw new Error('two jobs have the same name');
  const records = jobRecordsIn(deps.store.settings);
  const leadership = new Leadership(deps.store.leases, config.ops.instanceId, config.ops.schedulerLeaseMs, log);
  const gate = slotGate(leadership, records);
  const runs = new JobRunner(deps, records, log, options);
  const timers = options.timers ?? true;
  const tasks = new Map(jobs.map((job) => [job.name, createTask(job, runs, gate, () => clock.now(), log)]));
  const wakes = new Set<string>();
  let stopped = false;
  let claiming: Promise<void> | undefined;

  const tick = async (nowMs: number) => {
    const elected = await leadership.claim(nowMs);
    if (elected) for (const job of jobs) void runs.run(job, nowMs);
  };
  const renew = () => {
    if (stopped || claiming) return;
    claiming = tick(clock.now())
      .catch((error: unknown) => log.error({ err: error }, 'scheduler lease renewal failed; retrying'))
      .finally(() => (claiming = undefined));
  };
  const renewTimer = timers ? setInterval(renew, Math.max(250, Math.floor(config.ops.schedulerLeaseMs / 3))) : undefined;
  renewTimer?.unref();
  if (timers) {
    renew();
    for (const task of tasks.values()) void task.start();
  }

  return {
    status: () => ({
      jobs: () => jobs.map((job) => runs.status(job, tasks.get(job.name))),
      leader: () => leadership.view(clock.now()),
    }),
    wake(name) {
      const job = byName.get(name);
      if (!job) return void log.warn({ job: name }, 'wake: no such job');
      if (stopped || wakes.has(name)) return;
      wakes.add(name);
      setImmediate(() => {
        wakes.delete(name);
        if (!stopped && leadership.holds(clock.now())) void runs.run(job, clock.now());
      });
    },
    tick,
    async runJob(name, nowMs, slotMs = nowMs) {
      const job = byName.get(name);
      if (!job) throw new Error(`no job named ${name}`);
      return runs.slot(job, gate, slotMs, nowMs);
    },
    idle: () => runs.idle(),
    async stop() {
      stopped = true;
      runs.closed = true;
      clearInterval(renewTimer);
      for (const task of tasks.values()) await task.destroy();
      await claiming;
      const finished = await Promise.race([
        runs.idle().then(() => true),
        new Promise<boolean>((r) => setTimeout(r, options.stopTimeoutMs ?? 10_000, false).unref()),
      ]);
      if (!finished) log.error({ running: runs.running() }, 'scheduler stop: jobs still running were abandoned');
      await leadership.release().catch((error: unknown) => log.warn({ err: error }, 'releasing the scheduler lease failed'));
    },
  };
}

/** A node-cron task for the job: UTC, no overlap, coordinated through the store so one replica runs each slot. */
function createTask(job: Job, runs: JobRunner, gate: SlotGate, nowMs: () => number, log: Logger): ScheduledTask {
  const task = cron.createTask(job.schedule, () => runs.run(job, nowMs()), {
    name: job.name,
    timezone: 'UTC',
    noOverlap: true,
    distributed: true,
    runCoordinator: {
      shouldRun: (key) => runs.allowSlot(job, key, gate, nowMs()),
      onComplete: (key) => runs.completeSlot(job, key, gate, nowMs()),
    },
    unref: true,
    suppressMissedWarning: true,
    logger: {
      info: (m) => log.info(m),
      warn: (m) => log.warn(m),
      error: (m, err) => log.error({ err: err ?? m }, typeof m === 'string' ? m : 'node-cron error'),
      debug: (m) => log.debug(typeof m === 'string' ? m : { err: m }, 'node-cron'),
    },
  });
  task.on('execution:missed', (ctx) => log.debug({ job: job.name, slot: ctx.date.toISOString() }, 'scheduled slot missed (event loop busy)'));
  return task;
}
