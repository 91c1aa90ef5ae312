import type { Notifier } from '../chat/notifier.js';
import type { Deps } from '../deps.js';
import { raiseJobFailure, resolveJobFailure } from './alerts.js';
import type { Job, JobDeps } from './job.js';
import { startScheduler, type Scheduler, type SchedulerOptions } from './scheduler.js';

/**
 * Starts the scheduler of `tradeops start` over the jobs, sending through the running transports; a failing job
 * raises a warning alert that its next success resolves. /status reads the scheduler from `deps.runtime`.
 */
export function startJobs(jobs: readonly Job[], deps: Deps, notifier: Notifier, options: SchedulerOptions = {}): Scheduler {
  let scheduler: Scheduler | undefined;
  // tradingOf keys its stack on the store, so the jobs share the commands' trading stack through this copy.
  const jobDeps: JobDeps = { ...deps, notifier, wake: (name: string) => scheduler?.wake(name) };
  scheduler = startScheduler(jobs, jobDeps, {
    onJobFailed: async (name, error, nowMs) => void (await raiseJobFailure(deps.store, name, error, nowMs)),
    onJobSucceeded: async (name, nowMs) => void (await resolveJobFailure(deps.store, name, nowMs)),
    stopTimeoutMs: deps.config.shutdownTimeoutMs,
    ...options,
  });
  deps.runtime.scheduler = scheduler.status();
  return scheduler;
}
