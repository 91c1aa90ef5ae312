import { afterEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import { localCaller } from '../../src/chat/console.js';
import { NotifyError, type Notifier } from '../../src/chat/notifier.js';
import { createCommandRunner } from '../../src/chat/run-command.js';
import { loadConfig } from '../../src/config.js';
import { assembleDeps, systemClock, type Clock, type Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { alertBook } from '../../src/ops/alerts.js';
import { defineJob, type Job, type JobDeps } from '../../src/ops/job.js';
import { jobStatusLines } from '../../src/ops/ops-status.js';
import { startScheduler, type Scheduler } from '../../src/ops/scheduler.js';
import { startJobs } from '../../src/ops/start-jobs.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { fixedClock, memoryLog, testDeps } from '../support/test-deps.js';

const LEASE_MS = 120_000;
const T0 = Date.UTC(2026, 10, 21, 8, 0, 0);
const noNotifier: Notifier = {
  platforms: [],
  send: async () => {
    throw new NotifyError('no transport in this test', false);
  },
};

/** Replicas of one bot: each its own Deps and instance id, all on the same SQLite file. */
function replicas(names: readonly string[], clock: Clock): Array<Deps & { logLines: string[] }> {
  const first = testDeps({ INSTANCE_ID: names[0]!, SCHEDULER_LEASE_MS: String(LEASE_MS) }, clock);
  const path = first.store.location.replace(/^sqlite:/, '');
  return [
    first,
    ...names.slice(1).map((name) => {
      const config = loadConfig({ DATABASE_URL: first.store.location, INSTANCE_ID: name, SCHEDULER_LEASE_MS: String(LEASE_MS) });
      const log = memoryLog();
      const deps = assembleDeps(config, createLogger({ level: 'debug', pretty: false, destination: log.stream }), clock, createSqliteStore(path));
      return { ...deps, logLines: log.lines };
    }),
  ];
}

const jobDeps = (deps: Deps): JobDeps => ({ ...deps, notifier: noNotifier, wake: () => undefined });

describe('the scheduler on several replicas sharing one store', () => {
  const open: Array<{ scheduler: Scheduler; deps: Deps }> = [];
  const clock = fixedClock(T0);
  afterEach(async () => {
    for (const { scheduler, deps } of open.splice(0)) {
      await scheduler.stop();
      await deps.store.close();
    }
    clock.set(T0);
  });

  /** Two replicas running the same jobs, with the runs each replica made. */
  function twoReplicas(jobs: (ran: string[]) => Job[], options: Parameters<typeof startScheduler>[2] = {}) {
    const ran: string[] = [];
    const [a, b] = replicas(['replica-a', 'replica-b'], clock).map((deps) => {
      const scheduler = startScheduler(jobs(ran), jobDeps(deps), { timers: false, ...options });
      deps.runtime.scheduler = scheduler.status();
      open.push({ scheduler, deps });
      return { scheduler, deps };
    });
    return { a: a!, b: b!, ran };
  }
  /** Moves the shared clock and lets the replicas renew or claim the lease, as their timers do every lease/3. */
  async function at(nowMs: number, ...who: Array<{ scheduler: Scheduler }>) {
    clock.set(nowMs);
    for (const { scheduler } of who) await scheduler.tick(nowMs);
  }
  const counting = (ran: string[]) => [
    defineJob({ name: 'count', summary: 'counts', schedule: '0 * * * * *', run: async (deps, nowMs) => void ran.push(`${deps.config.ops.instanceId}@${nowMs - T0}`) }),
  ];

  it('exactly one replica runs each scheduled slot; the other skips it', async () => {
    const { a, b, ran } = twoReplicas(counting);
    await a.scheduler.tick(T0);
    await b.scheduler.tick(T0);
    await a.scheduler.idle();
    expect(ran).toEqual(['replica-a@0']); // the catch-up run of the replica that became leader
    for (const slot of [60_000, 120_000, 180_000]) {
      await at(T0 + slot, a, b);
      const outcomes = await Promise.all([a.scheduler.runJob('count', T0 + slot), b.scheduler.runJob('count', T0 + slot)]);
      expect(outcomes).toEqual(['ok', 'skipped']);
    }
    expect(ran).toEqual(['replica-a@0', 'replica-a@60000', 'replica-a@120000', 'replica-a@180000']);
    expect(a.scheduler.status().leader()).toMatchObject({ self: true, holder: 'replica-a' });
    expect(b.scheduler.status().leader()).toMatchObject({ self: false, holder: 'replica-a' });
    // /status on the standby replica names the leader and shows the leader's last run.
    await b.scheduler.tick(T0 + 180_000);
    const { lines } = await jobStatusLines(b.deps, T0 + 180_000);
    expect(lines[0]).toMatch(/^Scheduler: led by replica-a, lease until .*; this replica \(replica-b\) stands by$/);
    expect(lines[1]).toMatch(/^Job count: ok 0 ms ago \(done\), next in /);
  });

  it('when the leader dies, the other replica takes over once the lease expires, and catches up at once', async () => {
    const { a, b, ran } = twoReplicas(counting);
    await a.scheduler.tick(T0);
    await a.scheduler.idle();
    // replica-a stops renewing (killed): before the lease runs out replica-b waits, after it replica-b leads.
    await b.scheduler.tick(T0 + LEASE_MS - 1);
    expect(b.scheduler.status().leader().self).toBe(false);
    await b.scheduler.tick(T0 + LEASE_MS + 1);
    await b.scheduler.idle();
    expect(b.scheduler.status().leader()).toMatchObject({ self: true, holder: 'replica-b' });
    expect(ran).toEqual(['replica-a@0', `replica-b@${LEASE_MS + 1}`]);
    // The old leader, should it wake up, finds its lease gone and runs nothing.
    await at(T0 + 60_000, b);
    expect(await a.scheduler.runJob('count', T0 + 60_000)).toBe('skipped');
    expect(await b.scheduler.runJob('count', T0 + 60_000)).toBe('ok');
    expect(ran).toHaveLength(3);
  });

  it('a replica stopped gracefully gives the lease up, so the other leads at once', async () => {
    const { a, b } = twoReplicas(counting);
    await a.scheduler.tick(T0);
    await a.scheduler.stop();
    await b.scheduler.tick(T0 + 1);
    expect(b.scheduler.status().leader().self).toBe(true);
  });

  it('a slot another replica already ran is not run again by a replica that becomes leader right after', async () => {
    const { a, b, ran } = twoReplicas(counting);
    await a.scheduler.tick(T0);
    const slot = T0 + 60_000;
    await at(slot, a, b);
    expect(await a.scheduler.runJob('count', slot)).toBe('ok');
    await a.scheduler.stop();
    await at(slot + 500, b);
    await b.scheduler.idle();
    expect(await b.scheduler.runJob('count', slot + 500, slot)).toBe('skipped');
    await at(slot + 60_000, b);
    expect(await b.scheduler.runJob('count', slot + 60_000)).toBe('ok');
    expect(ran.filter((r) => r.startsWith('replica-a'))).toEqual(['replica-a@0', 'replica-a@60000']);
  });

  it('a failing job is logged, recorded for every replica, reported through onJobFailed, and the next job still runs', async () => {
    const failures: Array<{ name: string; message: string; nowMs: number }> = [];
    const { a, b, ran } = twoReplicas(
      (runs) => [
        defineJob({ name: 'boom', summary: 'fails', schedule: '0 * * * * *', run: async () => { throw new Error('the exchange is down'); } }),
        ...counting(runs),
      ],
      { onJobFailed: (name, error, nowMs) => void failures.push({ name, message: (error as Error).message, nowMs }) },
    );
    await a.scheduler.tick(T0);
    await a.scheduler.idle();
    expect(failures).toEqual([{ name: 'boom', message: 'the exchange is down', nowMs: T0 }]);
    expect(ran).toEqual(['replica-a@0']);
    await b.scheduler.tick(T0 + 1_000);
    const status = await jobStatusLines(b.deps, T0 + 1_000);
    expect(status.lines).toContainEqual(expect.stringMatching(/^Job boom: FAILED 1s ago \(the exchange is down\), next in /));
    expect(status.failed).toBe(true);
    expect((a.deps as Deps & { logLines: string[] }).logLines.some((l) => l.includes('"job":"boom"') && l.includes('job failed'))).toBe(true);
    const metrics = await a.deps.metrics.registry.getSingleMetricAsString('tradeops_job_runs_total');
    expect(metrics).toMatch(/job="boom",outcome="failed"[^\n]* 1/);
  });

  it('never runs two copies of a job at once: a slot due while the last run is still going runs once after it', async () => {
    let running = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const slow = (ran: string[]) => [
      defineJob({
        name: 'slow', summary: 'slow', schedule: '0 * * * * *',
        run: async (_deps, nowMs) => {
          most = Math.max(most, ++running);
          await new Promise<void>((r) => (release = r));
          running--;
          ran.push(String(nowMs - T0));
        },
      }),
    ];
    const { a, ran } = twoReplicas(slow);
    await a.scheduler.tick(T0);
    await at(T0 + 60_000, a);
    const second = a.scheduler.runJob('slow', T0 + 60_000);
    for (let i = 0; i < 3 && ran.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      release();
    }
    await second;
    await a.scheduler.idle();
    expect(most).toBe(1);
    expect(ran).toEqual(['0', '60000']);
  });

  it('wake runs a job soon, coalesced, and only on the leader', async () => {
    const { a, b, ran } = twoReplicas(counting);
    await a.scheduler.tick(T0);
    await b.scheduler.tick(T0);
    await a.scheduler.idle();
    await at(T0 + 1_000, a, b);
    for (let i = 0; i < 3; i++) a.scheduler.wake('count');
    b.scheduler.wake('count');
    await new Promise((r) => setImmediate(r));
    await Promise.all([a.scheduler.idle(), b.scheduler.idle()]);
    expect(ran).toEqual(['replica-a@0', 'replica-a@1000']);
  });
});

describe('the scheduler wired for tradeops start', () => {
  it('a failing job raises one warning alert, and its next success resolves it; /status shows the jobs and deliveries', async () => {
    const clock = fixedClock(T0);
    const deps = testDeps({ INSTANCE_ID: 'solo' }, clock);
    let fail = true;
    const flaky = defineJob({
      name: 'flaky', summary: 'fails at first', schedule: '0 0 * * * *',
      run: async () => {
        if (fail) throw new Error('no quotes yet');
        return { summary: 'all good' };
      },
    });
    const scheduler = startJobs([flaky], deps, noNotifier, { timers: false });
    try {
      await scheduler.tick(T0);
      await scheduler.idle();
      expect((await alertBook(deps.store.settings).open()).map((x) => x.title)).toEqual(['Job flaky failed']);
      const runner = createCommandRunner(allCommands, deps);
      clock.set(T0 + 20_000);
      const reply = await runner.run('/status', localCaller('cli'));
      expect(reply.level).toBe('warning');
      expect(reply.lines).toEqual(expect.arrayContaining([
        expect.stringMatching(/^Scheduler: this replica \(solo\) leads and runs the jobs, lease until /),
        expect.stringMatching(/^Job flaky: FAILED 20s ago \(no quotes yet\), next in /),
        'Deliveries: 0 pending, 0 given up, 0 delivered',
        'Trading breaker (paper): closed',
      ]));
      fail = false;
      expect(await scheduler.runJob('flaky', T0 + 20_000, T0 + 3_600_000)).toBe('ok');
      expect(await alertBook(deps.store.settings).open()).toEqual([]);
      expect((await alertBook(deps.store.settings).all()).map((x) => x.resolved?.detail)).toEqual(['the flaky job ran successfully']);
    } finally {
      await scheduler.stop();
      await deps.store.close();
    }
  });

  it('with real node-cron timers, two replicas run an every-second job once per second between them', async () => {
    const ran: Array<{ by: string; atMs: number }> = [];
    const every = defineJob({ name: 'tick', summary: 'every second', schedule: '* * * * * *', run: async (deps, nowMs) => void ran.push({ by: deps.config.ops.instanceId, atMs: nowMs }) });
    const deps = replicas(['cron-a', 'cron-b'], systemClock);
    const schedulers = deps.map((d) => startScheduler([every], jobDeps(d)));
    const startedMs = Date.now();
    while (ran.length < 4 && Date.now() - startedMs < 10_000) await new Promise((r) => setTimeout(r, 100));
    for (const s of schedulers) await s.stop();
    const lastSlot = await deps[0]!.store.settings.get('job-slot:tick');
    for (const d of deps) await d.store.close();
    // The catch-up run at election, then one run per second, all on the replica that took the lease.
    expect(ran.length).toBeGreaterThanOrEqual(4);
    expect(new Set(ran.map((r) => r.by)).size).toBe(1);
    expect(ran.length).toBeLessThanOrEqual(Math.ceil((Date.now() - startedMs) / 1000) + 2);
    expect(lastSlot).toMatchObject({ slotMs: expect.any(Number) });
  }, 15_000);
});
