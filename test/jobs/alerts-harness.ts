import { allCommands } from '../../commands/index.js';
import { alerts as alertsJob } from '../../jobs/alerts.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { closeDeps, tradingOf } from '../../src/deps.js';
import { watchForAlerts } from '../../src/ops/alert-watch.js';
import type { JobDeps } from '../../src/ops/job.js';
import { subscriptionsIn } from '../../src/ops/subscriptions.js';
import type { Delivery, DeliveryTarget } from '../../src/store/types.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, recordingJobDeps, testDeps } from '../support/test-deps.js';

/** When the alerts tests start: the exchange serves the real candles of that moment. */
export const T0 = utc('2021-04-10T12:00');
/** How often the scheduler runs the alerts job. */
export const STEP_MS = 15_000;
export const MIN = 60_000;
export const trader: Caller = { platform: 'telegram', userId: '2', userName: 'tina', chatId: '2' };
export const admin: Caller = { platform: 'telegram', userId: '3', userName: 'ada', chatId: '3' };

/** A bot with real deps on SQLite and a local exchange, on a fixed clock, with chats subscribed to alerts. */
export interface AlertsHarness {
  readonly exchange: ExchangeServer;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly deps: ReturnType<typeof testDeps>;
  /** What the scheduler gives the alerts job: a copy of `deps`, as start-jobs makes. */
  readonly jobDeps: JobDeps;
  readonly runner: CommandRunner;
  /** The job names the jobs and listeners asked to wake, in order. */
  readonly wakes: string[];
  /** Starts the breaker listeners that raise and resolve alerts at once (stopped by `close`). */
  watch(): Promise<void>;
  /** Moves the bot's clock and the exchange on together, running the alerts job every 15 s as the scheduler would. */
  runJobUntil(untilMs: number): Promise<void>;
  /** The alert posts recorded for a chat, oldest first. */
  posts(target: DeliveryTarget): Promise<Delivery[]>;
  close(): Promise<void>;
}

/** Starts a harness with the trader (telegram:2) and the admin (telegram:3); `env` adds to or overrides the defaults. */
export async function startAlertsHarness(env: Record<string, string>, subscribers: readonly DeliveryTarget[]): Promise<AlertsHarness> {
  const exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5 });
  const clock = fixedClock(T0);
  const deps = testDeps({
    EXCHANGE_API_URL: exchange.url, TRADER_USERS: 'telegram:2', ADMIN_USERS: 'telegram:3', RATE_LIMIT_PER_MINUTE: '1000',
    HEARTBEAT_HOURS: 'off', ...env,
  }, clock);
  const wakes: string[] = [];
  const jobDeps = recordingJobDeps(deps, wakes);
  const runner = createCommandRunner(allCommands, deps);
  for (const target of subscribers) await subscriptionsIn(deps.store.settings).put({ kind: 'alerts', target, by: 'telegram:3', atMs: T0 }, T0);
  let stopWatching: (() => void) | undefined;
  return {
    exchange, clock, deps, jobDeps, runner, wakes,
    async watch() {
      stopWatching = watchForAlerts(deps, await tradingOf(deps), jobDeps.wake);
    },
    async runJobUntil(untilMs) {
      while (clock.now() + STEP_MS <= untilMs) {
        clock.advance(STEP_MS);
        exchange.setCurrentTime(exchange.currentTimeMs() + STEP_MS);
        await alertsJob.run(jobDeps, clock.now());
      }
    },
    async posts(target) {
      const posts = await deps.store.deliveries.list({ limit: 1_000, source: 'alert', target });
      return posts.sort((a, b) => a.createdAtMs - b.createdAtMs || a.key.localeCompare(b.key));
    },
    async close() {
      stopWatching?.();
      await closeDeps(deps);
      await exchange.close();
    },
  };
}
