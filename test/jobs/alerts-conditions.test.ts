import { afterEach, describe, expect, it } from 'vitest';
import { alerts as alertsJob } from '../../jobs/alerts.js';
import { formatUtc } from '../../src/chat/format.js';
import type { CommandRunner } from '../../src/chat/run-command.js';
import { alertBook, raiseJobFailure } from '../../src/ops/alerts.js';
import type { JobDeps } from '../../src/ops/job.js';
import { jobRecordsIn } from '../../src/ops/job-records.js';
import { decodeReply } from '../../src/ops/outbox.js';
import type { Delivery, DeliveryTarget } from '../../src/store/types.js';
import type { ExchangeServer } from '../fakes/exchange-server.js';
import { settle, type fixedClock, type testDeps } from '../support/test-deps.js';
import { admin, MIN, startAlertsHarness, STEP_MS, T0, trader, type AlertsHarness } from './alerts-harness.js';

const chat: DeliveryTarget = { platform: 'telegram', chatId: '-100500' };

describe('alerts job: snoozes, failed jobs, heartbeat, market data and risk', () => {
  let h: AlertsHarness;
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let jobDeps: JobDeps;
  let runner: CommandRunner;

  const start = async (env: Record<string, string> = {}) => {
    h = await startAlertsHarness({ ALERT_REPEAT_MINUTES: '10', ...env }, [chat]);
    ({ exchange, clock, deps, jobDeps, runner } = h);
  };
  afterEach(() => h.close());

  const runJobUntil = (untilMs: number) => h.runJobUntil(untilMs);
  const posts = (): Promise<Delivery[]> => h.posts(chat);
  const periods = async () => (await posts()).map((d) => d.period.replace(/@\d+:/, ':'));

  it('a snooze holds back raised and repeat posts until it ends; acknowledgements still go out; only admins snooze', async () => {
    await start();
    expect((await runner.run('/alerts snooze 30m', trader)).lines[0]).toBe('/alerts snooze needs the admin role; you have the trader role.');
    expect((await runner.run('/alerts snooze soon', admin)).lines[0]).toBe('"soon" is not a duration: use a number and a unit (s, m, h, d), e.g. 30m, 2h, 1d or 1h30m.');
    const snoozed = await runner.run('/alerts snooze 45m job', admin);
    expect(snoozed.lines[0]).toBe(`Alerts whose key starts with job snoozed until ${formatUtc(T0 + 45 * MIN)}: no raised or repeat posts until then (acknowledgements and resolutions are still posted).`);
    const { id } = await raiseJobFailure(deps.store, 'daily-report', new Error('store timeout'), T0);
    expect((await runner.run('/alerts', trader)).lines).toEqual(['1 open alert(s). /ack ID acknowledges one.', `Snoozed until ${formatUtc(T0 + 45 * MIN)}: alerts job… (by telegram:3).`]);

    await runJobUntil(T0 + 45 * MIN - STEP_MS);
    expect(await posts()).toEqual([]);
    await runJobUntil(T0 + 45 * MIN);
    // The snooze is over and the alert is still open and unacknowledged: it is posted now; repeats count from here.
    expect(await periods()).toEqual([`${id}:raised`]);
    await runJobUntil(T0 + 55 * MIN);
    expect(await periods()).toEqual([`${id}:raised`, `${id}:repeat-1`]);
    expect(decodeReply((await posts())[0]!.payload).title).toBe('WARNING: Job daily-report failed');

    await runner.run('/alerts snooze 1h', admin); // until T0 + 115 min
    await runner.run(`/ack ${id}`, trader);
    await runJobUntil(T0 + 80 * MIN);
    expect(await periods()).toEqual([`${id}:raised`, `${id}:repeat-1`, `${id}:ack`]);
    // The ended snooze of `job` was pruned by the job; the one of every alert is ended by hand.
    expect((await runner.run('/alerts unsnooze', admin)).lines).toEqual([`Snooze of every alert ended (it ran until ${formatUtc(T0 + 115 * MIN)}).`]);
    expect((await runner.run('/alerts unsnooze', admin)).lines).toEqual(['No snooze was in force.']);
  }, 60_000);

  it('/ack and /alerts answer bad input with what to type', async () => {
    await start();
    const ask = async (line: string) => {
      const reply = await runner.run(line, trader);
      return { outcome: reply.outcome, text: reply.lines[0], usage: reply.usage };
    };
    expect(await ask('/ack')).toEqual({ outcome: 'user_error', text: 'id: give the alert id, e.g. /ack A1F3 (see /alerts)', usage: '/ack ID' });
    expect(await ask('/ack 42')).toMatchObject({ outcome: 'user_error', text: 'id: an alert id looks like A1F3 (see /alerts)' });
    expect(await ask('/ack A999')).toMatchObject({ outcome: 'user_error', text: 'There is no alert A999; /alerts lists the open ones.' });
    expect(await ask('/alerts mute')).toMatchObject({ outcome: 'user_error', usage: '/alerts [snooze DURATION [KEY_PREFIX|all] | unsnooze [KEY_PREFIX|all]]' });
    expect((await runner.run('/alerts snooze', admin)).lines[0]).toBe('Say for how long, e.g. /alerts snooze 30m or /alerts snooze 2h trading-breaker.');
    expect((await runner.run('/alerts snooze 1h risk: extra', admin)).lines[0]).toBe('"risk: extra" is not a dedup key prefix (letters, digits, : . _ -) or all.');
  });

  it('a record without its open marker (a raise lost to another replica, or cut short) is never posted', async () => {
    await start();
    const orphan = { id: 'AFFF', dedupKey: 'job:x', severity: 'critical', title: 'Lost', lines: ['lost'], badges: [], raisedAtMs: T0 };
    await deps.store.settings.setIfAbsent('alert:AFFF', orphan, T0);
    await runJobUntil(T0 + 20 * MIN);
    expect(await posts()).toEqual([]);
    expect((await runner.run('/alerts', trader)).lines[0]).toBe('No open alerts.');
  });

  it('a job failure is posted as a warning and resolved once a later run of the job succeeded', async () => {
    await start();
    const { id } = await raiseJobFailure(deps.store, 'candle-backfill', new Error('exchange timeout'), T0);
    await runJobUntil(T0 + STEP_MS);
    const [raised] = await posts();
    expect(decodeReply(raised!.payload).lines[0]).toBe('The candle-backfill job failed: exchange timeout');
    const records = jobRecordsIn(deps.store.settings);
    await records.putRun('candle-backfill', { atMs: T0 + MIN, outcome: 'failed', durationMs: 5, detail: 'exchange timeout', by: 'test' });
    await runJobUntil(T0 + 2 * MIN);
    expect(await periods()).toEqual([`${id}:raised`]);
    await records.putRun('candle-backfill', { atMs: T0 + 2 * MIN, outcome: 'ok', durationMs: 5, detail: 'ok', by: 'test' });
    await runJobUntil(T0 + 3 * MIN);
    expect(await periods()).toEqual([`${id}:raised`, `${id}:resolved`]);
    expect(decodeReply((await posts())[1]!.payload).lines).toEqual([
      `Alert ${id} resolved at ${formatUtc(T0 + 2 * MIN + STEP_MS)}: the candle-backfill job ran successfully at ${formatUtc(T0 + 2 * MIN)}.`,
      'It was never acknowledged.', 'Was: The candle-backfill job failed: exchange timeout', `Alert ${id} (job:candle-backfill), raised ${formatUtc(T0)}.`,
    ]);
  });

  it('the heartbeat is posted once per period with uptime, breaker states and pending deliveries; re-runs add nothing', async () => {
    await start({ HEARTBEAT_HOURS: '1' });
    await runJobUntil(T0 + 3 * 60 * MIN - STEP_MS);
    const beats = await posts();
    expect(beats.map((d) => d.period)).toEqual([`heartbeat@${T0}`, `heartbeat@${T0 + 3_600_000}`, `heartbeat@${T0 + 7_200_000}`]);
    expect(beats.map((d) => d.createdAtMs)).toEqual([T0 + STEP_MS, T0 + 3_600_000, T0 + 7_200_000]);
    const second = decodeReply(beats[1]!.payload);
    expect(second).toMatchObject({ level: 'info', title: 'Heartbeat: tradeops is running', badges: ['PAPER'] });
    expect(second.lines).toEqual([
      `Up 1h 0m (since ${formatUtc(T0)}) on ${deps.config.ops.instanceId}.`,
      'Trading breaker (paper): closed.', 'Market-data breaker (binance): closed.',
      'Deliveries pending: 1. Open alerts: 0.', // the first heartbeat: nothing sends in this test
    ]);
    expect(second.actions).toBeUndefined();
    await alertsJob.run(jobDeps, clock.now());
    expect(await posts()).toHaveLength(3);
  });

  it('an exchange outage raises the market-data warning at once and resolves it when the exchange answers again', async () => {
    await start();
    await h.watch();
    exchange.setOutage(true);
    for (let i = 0; i < 3; i++) await runner.run('/price ETH/USDT', trader);
    await settle();
    const book = alertBook(deps.store.settings);
    const md = (await book.openOf('market-data:binance'))!;
    expect(md).toMatchObject({ severity: 'warning', title: 'Market data from binance is failing (breaker open)' });
    // The open market-data breaker also trips the trading breaker: both are posted by the next run.
    await runJobUntil(T0 + STEP_MS);
    const titles = (await posts()).map((d) => decodeReply(d.payload).title);
    expect(titles).toEqual(expect.arrayContaining(['WARNING: Market data from binance is failing (breaker open)', 'CRITICAL: Paper trading breaker tripped (market_data)']));

    exchange.setOutage(false);
    clock.advance(60_000); // past the breaker's open time: the next call probes and closes it
    exchange.setCurrentTime(exchange.currentTimeMs() + 60_000);
    expect((await runner.run('/price ETH/USDT', trader)).outcome).toBe('ok');
    await settle();
    await runJobUntil(clock.now() + STEP_MS);
    const resolved = (await posts()).find((d) => d.period === `${md.id}@${md.raisedAtMs}:resolved`);
    expect(decodeReply(resolved!.payload).lines[0]).toBe(`Alert ${md.id} resolved at ${formatUtc(T0 + STEP_MS + 60_000)}: the binance market-data breaker closed: the exchange answered its probe.`);
  });

  it('exposure at 90 % of MAX_TOTAL_EXPOSURE raises a PAPER warning; selling resolves it', async () => {
    await start({ MAX_TOTAL_EXPOSURE: '100' });
    expect((await runner.run('/buy BTC/USDT $95', trader)).title).toMatch(/^Bought /);
    await runJobUntil(T0 + STEP_MS);
    const [raised] = await posts();
    const reply = decodeReply(raised!.payload);
    expect(reply).toMatchObject({ level: 'warning', title: 'WARNING: Total exposure is near its limit', badges: ['PAPER'] });
    expect(reply.lines[0]).toMatch(/^Total exposure \(paper\) is 9\d\.\d\d USDT of the limit 100 USDT \(9\d%\) at .*; warned from 90%\.$/);
    await runner.run('/close BTC/USDT', trader);
    await runJobUntil(T0 + 2 * STEP_MS);
    expect((await periods()).map((p) => p.replace(/^A[0-9A-F]+:/, ''))).toEqual(['raised', 'resolved']);
    expect(decodeReply((await posts())[1]!.payload).lines[0]).toMatch(/: total exposure is back to 0\.00 USDT of the limit 100 USDT \(0%\)\.$/);
  });
});
