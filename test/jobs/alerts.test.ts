import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import { alerts as alertsJob } from '../../jobs/alerts.js';
import type { Caller } from '../../src/chat/roles.js';
import { formatUtc } from '../../src/chat/format.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { closeDeps, tradingOf } from '../../src/deps.js';
import { watchForAlerts } from '../../src/ops/alert-watch.js';
import { alertBook } from '../../src/ops/alerts.js';
import type { JobDeps } from '../../src/ops/job.js';
import { decodeReply } from '../../src/ops/outbox.js';
import { subscriptionsIn } from '../../src/ops/subscriptions.js';
import type { Delivery, DeliveryTarget } from '../../src/store/types.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';

const trader: Caller = { platform: 'telegram', userId: '2', userName: 'tina', chatId: '2' };
const admin: Caller = { platform: 'telegram', userId: '3', userName: 'ada', chatId: '3' };
const onCall: readonly DeliveryTarget[] = [{ platform: 'telegram', chatId: '-100500' }, { platform: 'discord', chatId: '7001' }];
const T0 = utc('2021-04-10T12:00');
const STEP_MS = 15_000;
const MIN = 60_000;

/** Lets the breaker listeners' queued store writes finish (they run after the command that tripped the breaker). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('alert lifecycle: trip → posted once → repeated until acknowledged → acknowledgement shown → reset posted', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let jobDeps: JobDeps;
  let runner: CommandRunner;
  let wakes: string[];
  let stopWatching: () => void;

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5 });
    clock = fixedClock(T0);
    deps = testDeps({
      EXCHANGE_API_URL: exchange.url, TRADER_USERS: 'telegram:2', ADMIN_USERS: 'telegram:3', RATE_LIMIT_PER_MINUTE: '1000',
      PAPER_SLIPPAGE_BPS: '10', DAILY_LOSS_LIMIT: '0.5', ALERT_REPEAT_MINUTES: '15', HEARTBEAT_HOURS: 'off',
    }, clock);
    wakes = [];
    // The job's deps share the commands' trading stack: tradingOf keeps one per store.
    jobDeps = Object.assign(deps, { notifier: { platforms: [], send: () => Promise.reject(new Error('the alerts job only records')) }, wake: (name: string) => void wakes.push(name) });
    runner = createCommandRunner(allCommands, deps);
    for (const target of onCall) await subscriptionsIn(deps.store.settings).put({ kind: 'alerts', target, by: 'telegram:3', atMs: T0 }, T0);
    stopWatching = watchForAlerts(deps, await tradingOf(deps), jobDeps.wake);
  });
  afterEach(async () => {
    stopWatching();
    await closeDeps(deps);
    await exchange.close();
  });

  /** Moves the bot's clock and the exchange on together, running the alerts job every 15 s as the scheduler would. */
  const runJobUntil = async (untilMs: number) => {
    while (clock.now() + STEP_MS <= untilMs) {
      clock.advance(STEP_MS);
      exchange.setCurrentTime(exchange.currentTimeMs() + STEP_MS);
      await alertsJob.run(jobDeps, clock.now());
    }
  };
  let id = '';
  /** The posts of the breaker's alert (`id`) to a chat, oldest first. */
  const posts = async (target: DeliveryTarget, alertId = id): Promise<Delivery[]> =>
    (await deps.store.deliveries.list({ limit: 1_000, source: 'alert', target }))
      .filter((d) => d.period.startsWith(`${alertId}@`))
      .sort((a, b) => a.createdAtMs - b.createdAtMs);
  const kinds = async (target: DeliveryTarget, alertId = id) => (await posts(target, alertId)).map((d) => d.period.replace(/^A[0-9A-F]+@\d+:/, ''));

  it('posts the trip once per on-call chat, repeats it every 15 min until /ack, shows who acknowledged, then posts the reset', async () => {
    await runner.run('/buy BTC/USDT 0.01', trader);
    const sold = await runner.run('/sell BTC/USDT 0.01', trader); // spread, slippage and fees: a loss above 0.5 trips the breaker
    expect(sold.title).toBe('Sold 0.01 BTC');
    await settle();
    const [trip] = await deps.store.trading.listBreakerEvents('paper', 1);
    expect(trip).toMatchObject({ kind: 'tripped', trigger: 'daily_loss' });
    // The breaker listener raised the alert at once and woke the alerts job.
    expect(wakes).toContain('alerts');
    const book = alertBook(deps.store.settings);
    const breakerAlert = (await book.openOf('trading-breaker:paper'))!;
    id = breakerAlert.id;
    expect(id).toMatch(/^A[0-9A-F]{3}$/);

    await runJobUntil(T0 + STEP_MS);
    for (const target of onCall) {
      const [raised, ...rest] = await posts(target);
      expect(rest).toEqual([]);
      expect(raised!.period).toBe(`${id}@${breakerAlert.raisedAtMs}:raised`);
      // Within a minute of the trip, recorded for sending.
      expect(raised!.createdAtMs - trip!.atMs).toBeLessThan(MIN);
      const reply = decodeReply(raised!.payload);
      expect(reply).toMatchObject({ level: 'error', title: 'CRITICAL: Paper trading breaker tripped (daily_loss)', badges: ['PAPER'], actions: [{ label: 'Acknowledge', line: `/ack ${id}` }] });
      expect(reply.lines[0]).toMatch(new RegExp(`^The paper trading breaker tripped at ${formatUtc(trip!.atMs)}: daily loss [\\d.]+ ≥ limit 0\\.5\\.$`));
      expect(reply.lines.at(-1)).toContain(`Repeated every 15 min until acknowledged: press Acknowledge or send /ack ${id}.`);
    }
    expect(wakes).toContain('deliveries');
    // The job's own risk check saw the same loss: a warning (PAPER) next to the breaker's critical alert.
    const risk = (await book.openOf('risk:daily-loss:paper'))!;
    const [riskPost] = await posts(onCall[0]!, risk.id);
    expect(decodeReply(riskPost!.payload)).toMatchObject({ level: 'warning', title: "WARNING: Today's realized loss has reached its limit", badges: ['PAPER'] });
    expect(decodeReply(riskPost!.payload).lines[0]).toMatch(/^Today's realized loss \(paper\) is [\d.]+ USDT of the limit 0\.5 USDT \(\d+%\) at .*; warned from 80%\.$/);
    // Re-running the job at the same time records nothing.
    const count = (await deps.store.deliveries.list({ limit: 1_000 })).length;
    expect((await alertsJob.run(jobDeps, clock.now()))?.summary).toBe('2 open alert(s), 0 post(s) recorded for 2 subscriber(s)');
    expect(await deps.store.deliveries.list({ limit: 1_000 })).toHaveLength(count);

    const raisedAt = breakerAlert.raisedAtMs;
    await runJobUntil(raisedAt + 15 * MIN - 1);
    expect(await kinds(onCall[0]!)).toEqual(['raised']);
    await runJobUntil(raisedAt + 31 * MIN);
    expect(await kinds(onCall[0]!)).toEqual(['raised', 'repeat-1', 'repeat-2']);
    const repeat = decodeReply((await posts(onCall[1]!))[2]!.payload);
    expect(repeat.title).toBe('CRITICAL (still open, repeat 2): Paper trading breaker tripped (daily_loss)');
    expect(repeat.lines.at(-1)).toContain('Not acknowledged after 30m 15s'); // repeats run from the first post, 15 s after the trip

    // Acknowledge through the real command runner, as the button does.
    const ackAtMs = clock.now();
    const acked = await runner.run(`/ack ${id.toLowerCase()}`, trader);
    expect(acked).toMatchObject({ outcome: 'ok', level: 'success', title: `Alert ${id} acknowledged`, badges: ['PAPER'] });
    expect(acked.lines[0]).toBe(`Paper trading breaker tripped (daily_loss): acknowledged by tina (telegram:2) at ${formatUtc(ackAtMs)}.`);
    const again = await runner.run(`/ack ${id}`, admin);
    expect(again.lines[0]).toBe(`Paper trading breaker tripped (daily_loss): acknowledged by tina (telegram:2) at ${formatUtc(ackAtMs)}.`);
    expect(again.title).toBe(`Alert ${id} was already acknowledged`);

    await runJobUntil(raisedAt + 95 * MIN);
    expect(await kinds(onCall[0]!)).toEqual(['raised', 'repeat-1', 'repeat-2', 'ack']);
    const ackPost = decodeReply((await posts(onCall[0]!))[3]!.payload);
    expect(ackPost.title).toBe('Acknowledged: Paper trading breaker tripped (daily_loss)');
    expect(ackPost.lines[0]).toBe(`Alert ${id} was acknowledged by tina (telegram:2) at ${formatUtc(ackAtMs)}; no more repeats.`);
    expect(ackPost.actions).toBeUndefined();
    const listed = await runner.run('/alerts', trader);
    // The risk warning was raised by the job's first run, 15 s after the trip.
    expect(listed.table!.rows).toEqual([
      [id, 'critical', '1h 35m', `tina (telegram:2), ${formatUtc(ackAtMs)}`, '[PAPER] Paper trading breaker tripped (daily_loss) (trading-breaker:paper)'],
      [risk.id, 'warning', '1h 34m', 'no', "[PAPER] Today's realized loss has reached its limit (risk:daily-loss:paper)"],
    ]);
    // The unacknowledged warning kept repeating meanwhile.
    expect(await kinds(onCall[0]!, risk.id)).toEqual(['raised', ...Array.from({ length: 6 }, (_, i) => `repeat-${i + 1}`)]);

    // Reset the breaker (admin, confirmed): the listener resolves the alert, the job posts the resolution.
    const ask = await runner.run('/breaker reset', admin);
    const resetAtMs = clock.now();
    expect((await runner.run(ask.confirm!.line, admin)).title).toBe('Breaker reset');
    await settle();
    expect(await book.openOf('trading-breaker:paper')).toBeUndefined();
    await runJobUntil(clock.now() + STEP_MS);
    // Losses count from the reset: the job resolves the daily-loss warning too.
    expect(await book.open()).toEqual([]);
    expect((await kinds(onCall[0]!, risk.id)).at(-1)).toBe('resolved');
    for (const target of onCall) {
      expect(await kinds(target)).toEqual(['raised', 'repeat-1', 'repeat-2', 'ack', 'resolved']);
      const resolved = decodeReply((await posts(target))[4]!.payload);
      expect(resolved).toMatchObject({ level: 'success', title: 'Resolved: Paper trading breaker tripped (daily_loss)', badges: ['PAPER'] });
      expect(resolved.lines.slice(0, 2)).toEqual([
        `Alert ${id} resolved at ${formatUtc(resetAtMs)}: reset by telegram:3 at ${formatUtc(resetAtMs)}; the paper trading breaker is closed.`,
        `Acknowledged by tina (telegram:2) at ${formatUtc(ackAtMs)}.`,
      ]);
    }
    // Nothing more, however long the job keeps running.
    await runJobUntil(clock.now() + 60 * MIN);
    expect(await kinds(onCall[1]!)).toHaveLength(5);
    expect((await runner.run('/alerts', trader)).lines[0]).toBe('No open alerts.');
    expect((await runner.run(`/ack ${id}`, trader)).title).toBe(`Alert ${id} was already acknowledged`);
  }, 60_000);
});
