import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alerts as alertsJob } from '../../jobs/alerts.js';
import { formatUtc } from '../../src/chat/format.js';
import type { CommandRunner } from '../../src/chat/run-command.js';
import { alertBook, raiseJobFailure } from '../../src/ops/alerts.js';
import type { JobDeps } from '../../src/ops/job.js';
import { decodeReply } from '../../src/ops/outbox.js';
import type { Delivery, DeliveryTarget } from '../../src/store/types.js';
import type { ExchangeServer } from '../fakes/exchange-server.js';
import { settle, type fixedClock, type testDeps } from '../support/test-deps.js';
import { admin, MIN, startAlertsHarness, STEP_MS, T0, trader, type AlertsHarness } from './alerts-harness.js';

const onCall: readonly DeliveryTarget[] = [{ platform: 'telegram', chatId: '-100500' }, { platform: 'discord', chatId: '7001' }];

describe('alert lifecycle: trip → posted once → repeated until acknowledged → acknowledgement shown → reset posted', () => {
  let h: AlertsHarness;
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let jobDeps: JobDeps;
  let runner: CommandRunner;
  let wakes: string[];

  beforeEach(async () => {
    h = await startAlertsHarness({ PAPER_SLIPPAGE_BPS: '10', DAILY_LOSS_LIMIT: '0.5', ALERT_REPEAT_MINUTES: '15' }, onCall);
    ({ exchange, clock, deps, jobDeps, runner, wakes } = h);
    await h.watch();
  });
  afterEach(() => h.close());

  const runJobUntil = (untilMs: number) => h.runJobUntil(untilMs);
  let id = '';
  /** The posts of the breaker's alert (`id`) to a chat, oldest first. */
  const posts = async (target: DeliveryTarget, alertId = id): Promise<Delivery[]> =>
    (await h.posts(target)).filter((d) => d.period.startsWith(`${alertId}@`));
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

  it('after downtime posts only the repeat that is due now, not every repeat missed while the bot was down', async () => {
    const { id: failed } = await raiseJobFailure(deps.store, 'daily-report', new Error('store timeout'), T0);
    await runJobUntil(T0 + STEP_MS);
    for (const target of onCall) expect(await kinds(target, failed)).toEqual(['raised']);

    // The bot was down for an hour (four repeat periods of 15 min): the clock jumps, then the job runs once.
    clock.advance(60 * MIN);
    exchange.setCurrentTime(exchange.currentTimeMs() + 60 * MIN);
    expect((await alertsJob.run(jobDeps, clock.now()))?.summary).toBe('1 open alert(s), 2 post(s) recorded for 2 subscriber(s)');
    for (const target of onCall) {
      expect(await kinds(target, failed)).toEqual(['raised', 'repeat-4']);
      const [, repeat] = await posts(target, failed);
      expect(decodeReply(repeat!.payload).title).toBe('WARNING (still open, repeat 4): Job daily-report failed');
    }
  });
});
