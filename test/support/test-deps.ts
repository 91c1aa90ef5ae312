import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { assembleDeps, type Clock, type Deps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import type { JobDeps } from '../../src/ops/job.js';
import { createSqliteStore } from '../../src/store/sqlite.js';

/** A log sink that keeps every line, for assertions about what was logged. */
export function memoryLog(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

/** A settable clock for tests. */
export function fixedClock(startMs = Date.UTC(2026, 0, 5, 12)): Clock & { set(ms: number): void; advance(ms: number): void } {
  let now = startMs;
  return { now: () => now, set: (ms) => (now = ms), advance: (ms) => (now += ms) };
}

/** Real Deps on a fresh SQLite file, with the given environment (set EXCHANGE_API_URL to a local exchange server). */
export function testDeps(env: Record<string, string> = {}, clock: Clock = fixedClock()): Deps & { logLines: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tradeops-test-'));
  const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'test.db')}`, ...env });
  const log = memoryLog();
  const logger = createLogger({ level: 'debug', pretty: false, destination: log.stream });
  const deps = assembleDeps(config, logger, clock, createSqliteStore(join(dir, 'test.db')), {
    // Short exchange timeouts, and retries that back off on the test's clock instead of the wall clock.
    market: { exchange: { rateLimitMs: 1, timeoutMs: 2_000 }, guard: { sleep: async () => undefined } },
    optimizerWorkers: 2,
  });
  deps.runtime.adapters.push('test');
  return { ...deps, logLines: log.lines };
}

/**
 * The deps the scheduler gives a job: a copy of `deps` (as start-jobs makes; the copy shares the store, so
 * `tradingOf` gives it the commands' trading stack), whose notifier refuses (jobs record, the deliveries job sends)
 * and whose wake notes each job name in `wakes`.
 */
export function recordingJobDeps<D extends Deps>(deps: D, wakes: string[] = []): D & JobDeps {
  const notifier = { platforms: [], send: () => Promise.reject(new Error('jobs record deliveries; the deliveries job sends them')) };
  return { ...deps, notifier, wake: (name: string) => void wakes.push(name) };
}

/** Lets queued listener work finish (e.g. the breaker listeners' store writes, which run after the command that tripped it). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}
