import { afterEach, describe, expect, it } from 'vitest';
import { dailyReport } from '../../jobs/daily-report.js';
import { closeDeps } from '../../src/deps.js';
import type { JobDeps } from '../../src/ops/job.js';
import { addDays, localTimeOf } from '../../src/ops/local-time.js';
import { decodeReply } from '../../src/ops/outbox.js';
import { subscriptionsIn, type Subscription } from '../../src/ops/subscriptions.js';
import type { DeliveryTarget } from '../../src/store/types.js';
import { fixedClock, recordingJobDeps, testDeps } from '../support/test-deps.js';

const DAY_MS = 86_400_000;
const STEP_MS = 5 * 60_000;
const utc = (iso: string) => Date.parse(`${iso}Z`);

// Text only, so the run measures scheduling rather than chart rendering (charts are covered in test/reports).
const channels: ReadonlyArray<{ target: DeliveryTarget; timeOfDay: string; timeZone: string; text?: boolean }> = [
  { target: { platform: 'telegram', chatId: '-100201' }, timeOfDay: '08:00', timeZone: 'Europe/Berlin', text: true },
  { target: { platform: 'discord', chatId: '9001' }, timeOfDay: '09:30', timeZone: 'America/New_York', text: true },
  { target: { platform: 'telegram', chatId: '-100202' }, timeOfDay: '07:00', timeZone: 'Australia/Sydney', text: true },
];

describe('daily-report job on a fixed clock', () => {
  let deps: ReturnType<typeof testDeps>;
  let clock: ReturnType<typeof fixedClock>;
  let jobDeps: JobDeps;
  let wakes: string[];

  const start = (startMs: number) => {
    clock = fixedClock(startMs);
    // Nothing here needs the exchange: the account holds cash only. A closed port makes any stray call fail fast.
    deps = testDeps({ EXCHANGE_API_URL: 'http://127.0.0.1:9', REPORT_TIME: '08:00', REPORT_TIMEZONE: 'UTC' }, clock);
    wakes = [];
    jobDeps = recordingJobDeps(deps, wakes);
  };
  const subscribe = (sub: Omit<Subscription, 'kind' | 'by' | 'atMs'>) =>
    subscriptionsIn(deps.store.settings).put({ kind: 'report', by: 'telegram:1', atMs: clock.now(), ...sub }, clock.now());
  const reportsTo = (target: DeliveryTarget) => deps.store.deliveries.list({ limit: 1_000, source: 'daily-report', target });
  const runAt = async (ms: number) => {
    clock.set(ms);
    return dailyReport.run(jobDeps, ms);
  };

  afterEach(async () => closeDeps(deps));

  it('100 simulated days: exactly 100 reports per channel, each at its local time across the US, EU and AU DST changes', async () => {
    const startMs = utc('2026-02-15T00:00:00');
    start(startMs);
    for (const c of channels) await subscribe(c);
    for (let ms = startMs; ms < startMs + 100 * DAY_MS; ms += STEP_MS) await runAt(ms);

    for (const c of channels) {
      const sent = (await reportsTo(c.target)).sort((a, b) => a.createdAtMs - b.createdAtMs);
      expect(sent).toHaveLength(100);
      const local = sent.map((d) => localTimeOf(d.createdAtMs, c.timeZone));
      expect(new Set(local.map((l) => l.time))).toEqual(new Set([c.timeOfDay]));
      expect(sent.map((d) => d.period)).toEqual(local.map((l) => l.date));
      // One per local date, on consecutive dates: none skipped or doubled on a DST change day.
      expect(sent.map((d) => d.period)).toEqual(Array.from({ length: 100 }, (_, i) => addDays(sent[0]!.period, i)));
      const reply = decodeReply(sent[0]!.payload);
      expect(reply.lines[0]).toBe(`Daily report for ${sent[0]!.period}, scheduled ${c.timeOfDay} ${c.timeZone}.`);
      expect(reply.badges).toEqual(['PAPER']);
      expect(sent.every((d) => d.expiresAtMs === d.createdAtMs + 24 * 3_600_000)).toBe(true);
    }
    // Sydney's 07:00 on the first day had passed when it subscribed: its first report is the next day's.
    expect((await reportsTo(channels[2]!.target)).map((d) => d.period).sort()[0]).toBe('2026-02-16');
    // The summer-time switches moved the UTC instants: Berlin 08:00 is 07:00Z in winter, 06:00Z in summer.
    const berlin = await reportsTo(channels[0]!.target);
    expect(berlin.find((d) => d.period === '2026-03-28')!.createdAtMs).toBe(utc('2026-03-28T07:00:00'));
    expect(berlin.find((d) => d.period === '2026-03-29')!.createdAtMs).toBe(utc('2026-03-29T06:00:00'));
    expect(wakes.filter((w) => w === 'deliveries')).toHaveLength(300);
    // Each UTC midnight stored the day's close: the charts and day/week/month changes are measured against them.
    const closes = await deps.store.trading.listDailySnapshots('paper');
    expect(closes.map((c) => c.day)).toEqual(Array.from({ length: 100 }, (_, i) => addDays('2026-02-14', i)));
    // The closes show as text and are the bases of the changes.
    const last = decodeReply(berlin.find((d) => d.period === '2026-05-25')!.payload);
    expect(last.image).toBeUndefined();
    expect(last.lines).toContain('Change: day 0.00% (0.00 since the 2026-05-24 close) · week 0.00% (0.00 since the 2026-05-18 close) · month 0.00% (0.00 since the 2026-04-25 close)');
    expect(last.lines.at(-1)).toBe('Equity at the daily closes: 05-18 10,000.00 · 05-19 10,000.00 · 05-20 10,000.00 · 05-21 10,000.00 · 05-22 10,000.00 · 05-23 10,000.00 · 05-24 10,000.00');
  }, 120_000);

  it('a default subscription uses REPORT_TIME and REPORT_TIMEZONE; re-running the same minute records nothing more', async () => {
    start(utc('2026-06-01T07:00:00'));
    await subscribe({ target: { platform: 'console', chatId: 'console' } });
    expect(await runAt(utc('2026-06-01T07:59:00'))).toEqual({ summary: 'no report due (1 subscribed)' });
    expect(await runAt(utc('2026-06-01T08:00:00'))).toEqual({ summary: 'recorded 1 report(s) of 1 due' });
    expect(await runAt(utc('2026-06-01T08:00:00'))).toEqual({ summary: 'no report due (1 subscribed)' });
    expect(await reportsTo({ platform: 'console', chatId: 'console' })).toHaveLength(1);
    expect(wakes).toEqual(['deliveries']);
  });

  it('bot down over 08:00, up at 10:00: one late report for today, labelled with its scheduled time', async () => {
    start(utc('2026-06-01T05:00:00'));
    await subscribe(channels[0]!);
    await runAt(utc('2026-06-01T08:00:00')); // 10:00 in Berlin (summer time)
    const [late] = await reportsTo(channels[0]!.target);
    expect(late!.period).toBe('2026-06-01');
    expect(decodeReply(late!.payload).lines[0]).toBe('Daily report for 2026-06-01, scheduled 08:00 Europe/Berlin, sent late (2h 0m after).');
    await runAt(utc('2026-06-01T08:05:00'));
    expect(await reportsTo(channels[0]!.target)).toHaveLength(1);
  });

  it('bot down for 3 days: only today’s report is sent, not a pile of past days', async () => {
    start(utc('2026-06-01T04:00:00'));
    await subscribe(channels[0]!);
    await runAt(utc('2026-06-01T05:00:00')); // 07:00 Berlin: not yet due
    await runAt(utc('2026-06-04T08:00:00')); // back three days later, 10:00 Berlin
    const sent = await reportsTo(channels[0]!.target);
    expect(sent.map((d) => d.period)).toEqual(['2026-06-04']);
    expect(decodeReply(sent[0]!.payload).lines[0]).toContain('scheduled 08:00 Europe/Berlin, sent late');
  });

  it('subscribing after today’s time waits for tomorrow; the text-only form carries no image', async () => {
    start(utc('2026-06-01T07:00:00')); // 09:00 Berlin, past 08:00
    await subscribe({ ...channels[0]!, text: true });
    await runAt(utc('2026-06-01T07:05:00'));
    expect(await reportsTo(channels[0]!.target)).toHaveLength(0);
    await runAt(utc('2026-06-02T06:00:00'));
    const [next] = await reportsTo(channels[0]!.target);
    expect(next!.period).toBe('2026-06-02');
    const reply = decodeReply(next!.payload);
    expect(reply.image).toBeUndefined();
    expect(reply.title).toBe('Daily report 2026-06-02');
  });

  it('the daily close is stored just after midnight UTC, once; a bot down over midnight leaves that day without one', async () => {
    start(utc('2026-06-01T23:50:00'));
    await runAt(utc('2026-06-01T23:55:00'));
    expect(await runAt(utc('2026-06-02T00:00:00'))).toEqual({ summary: 'no report due (0 subscribed); recorded the 2026-06-01 close' });
    expect(await runAt(utc('2026-06-02T00:01:00'))).toEqual({ summary: 'no report due (0 subscribed)' });
    await runAt(utc('2026-06-04T00:45:00')); // down from 00:01 on 06-02 until 00:45 on 06-04: too late for the 06-03 close
    const closes = await deps.store.trading.listDailySnapshots('paper');
    expect(closes.map((c) => [c.day, c.atMs, c.equity.toString()])).toEqual([['2026-06-01', utc('2026-06-02T00:00:00'), '10000']]);
  });
});
