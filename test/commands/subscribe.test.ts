import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import { dailyReport } from '../../jobs/daily-report.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { closeDeps } from '../../src/deps.js';
import { localTimeOf } from '../../src/ops/local-time.js';
import { decodeReply } from '../../src/ops/outbox.js';
import { subscriptionsIn } from '../../src/ops/subscriptions.js';
import { spellZone } from '../../src/reports/subscription-rules.js';
import { fixedClock, recordingJobDeps, testDeps } from '../support/test-deps.js';

const utc = (iso: string) => Date.parse(`${iso}Z`);
/** A viewer in their private chat with the bot (on Telegram the chat id is the user id). */
const viewerDm: Caller = { platform: 'telegram', userId: '1', userName: 'v', chatId: '1', privateChat: true };
const discordViewerDm: Caller = { platform: 'discord', userId: '10', userName: 'v', chatId: '555', privateChat: true };
const discordViewerChannel: Caller = { platform: 'discord', userId: '10', userName: 'v', chatId: '556', privateChat: false };
/** The same viewer in a group. */
const viewerGroup: Caller = { platform: 'telegram', userId: '1', userName: 'v', chatId: '-100500' };
const traderGroup: Caller = { platform: 'telegram', userId: '2', userName: 't', chatId: '-100500' };
const adminGroup: Caller = { platform: 'telegram', userId: '3', userName: 'a', chatId: '-100500' };
const discordAdmin: Caller = { platform: 'discord', userId: '30', userName: 'a', chatId: '777' };

describe('/subscribe, /unsubscribe, /subscriptions', () => {
  let deps: ReturnType<typeof testDeps>;
  let clock: ReturnType<typeof fixedClock>;
  let runner: CommandRunner;

  beforeEach(() => {
    clock = fixedClock(utc('2026-01-05T12:00:00')); // 07:00 in New York, 13:00 in Berlin
    deps = testDeps({
      EXCHANGE_API_URL: 'http://127.0.0.1:9', VIEWER_USERS: 'telegram:1,discord:10', TRADER_USERS: 'telegram:2', ADMIN_USERS: 'telegram:3,discord:30',
      REPORT_TIME: '08:00', REPORT_TIMEZONE: 'Europe/Berlin',
    }, clock);
    runner = createCommandRunner(allCommands, deps);
  });
  afterEach(async () => closeDeps(deps));

  it('a viewer subscribes their private chat at a local time and zone, text only; the reply says when the next one comes', async () => {
    const reply = await runner.run('/subscribe report 07:30 America/New_York text', viewerDm);
    expect(reply).toMatchObject({ outcome: 'ok', level: 'success', title: 'Subscribed' });
    expect(reply.lines).toEqual([
      'This chat will get the daily portfolio report at 07:30 America/New_York, text only.',
      'Next: 2026-01-05 07:30 America/New_York (in 30m 0s). /unsubscribe report stops it.',
    ]);
    expect(await subscriptionsIn(deps.store.settings).list('report')).toEqual([
      { kind: 'report', target: { platform: 'telegram', chatId: '1' }, timeOfDay: '07:30', timeZone: 'America/New_York', text: true, by: 'telegram:1', atMs: clock.now() },
    ]);
  });

  it('defaults to REPORT_TIME and REPORT_TIMEZONE; options come in any order; a zone is written canonically; 7:05 means 07:05', async () => {
    expect((await runner.run('/subscribe report', viewerDm)).lines[0]).toBe('This chat will get the daily portfolio report at 08:00 Europe/Berlin, with the equity chart.');
    expect((await runner.run('/subscribe report', viewerDm)).lines[1]).toBe('Next: 2026-01-06 08:00 Europe/Berlin (in 19h 0m). /unsubscribe report stops it.');
    expect((await runner.run('/subscribe report asia/kolkata 7:05', viewerDm)).lines[0]).toBe('This chat will get the daily portfolio report at 07:05 Asia/Kolkata, with the equity chart.');
  });

  it('bad times and zones get a clear message with the usage line, and nothing is stored', async () => {
    const badTime = await runner.run('/subscribe report 25:00', viewerDm);
    expect(badTime).toMatchObject({ outcome: 'user_error', lines: ['"25:00" is not a time of day: use HH:MM, 24-hour, 00:00 to 23:59 (e.g. 08:00).'] });
    expect(badTime.usage).toBe('/subscribe report [HH:MM] [TIMEZONE] [text] | /subscribe alerts');
    const badZone = await runner.run('/subscribe report 08:00 Mars/Olympus', viewerDm);
    expect(badZone.lines[0]).toBe('"Mars/Olympus" is neither a time (HH:MM, e.g. 08:00) nor an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC), nor "text".');
    expect((await runner.run('/subscribe weather', viewerDm)).outcome).toBe('user_error');
    expect((await runner.run('/subscribe', viewerDm)).outcome).toBe('user_error');
    expect(await subscriptionsIn(deps.store.settings).list()).toEqual([]);
  });

  it('a shared chat’s report and any alerts routing need an admin', async () => {
    expect((await runner.run('/subscribe report', viewerGroup)).lines[0]).toBe(
      'Changing the report of a shared chat or channel needs the admin role; you have the viewer role. In a private chat with the bot (Telegram, or a Discord DM) any viewer may.',
    );
    expect((await runner.run('/subscribe report', discordViewerDm)).outcome).toBe('ok');
    expect((await runner.run('/subscribe report', discordViewerChannel)).outcome).toBe('user_error');
    expect((await runner.run('/subscribe report', traderGroup)).outcome).toBe('user_error');
    expect((await runner.run('/subscribe alerts', viewerDm)).lines[0]).toBe('Routing alerts needs the admin role; you have the viewer role.');
    expect((await runner.run('/subscribe report 09:00 UTC', adminGroup)).outcome).toBe('ok');
    expect((await runner.run('/subscribe alerts', discordAdmin)).lines[0]).toMatch(/^This chat will get the alerts/);
    expect((await runner.run('/unsubscribe report', viewerGroup)).outcome).toBe('user_error');
    expect((await runner.run('/unsubscribe alerts', viewerDm)).outcome).toBe('user_error');
    const kinds = (await subscriptionsIn(deps.store.settings).list()).map((s) => `${s.kind} ${s.target.platform}:${s.target.chatId}`).sort();
    expect(kinds).toEqual(['alerts discord:777', 'report discord:555', 'report telegram:-100500']);
  });

  it('/subscriptions shows this chat’s to a viewer and every chat’s to an admin; /unsubscribe removes once', async () => {
    await runner.run('/subscribe report 07:00 Australia/Sydney', viewerDm);
    await runner.run('/subscribe report', adminGroup);
    await runner.run('/subscribe alerts', adminGroup);
    const mine = await runner.run('/subscriptions', viewerDm);
    expect(mine).toMatchObject({ outcome: 'ok', title: 'Subscriptions of this chat' });
    expect(mine.table!.rows).toEqual([['telegram:1 (this chat)', 'report', '07:00 Australia/Sydney', 'telegram:1', '2026-01-05 12:00:00 UTC']]);
    const all = await runner.run('/subscriptions', adminGroup);
    expect(all.title).toBe('Subscriptions (all chats)');
    expect(all.table!.rows.map((r) => [r[0], r[1], r[2]]).sort()).toEqual([
      ['telegram:-100500 (this chat)', 'alerts', ''],
      ['telegram:-100500 (this chat)', 'report', '08:00 Europe/Berlin'],
      ['telegram:1', 'report', '07:00 Australia/Sydney'],
    ]);

    expect(await runner.run('/unsubscribe report', viewerDm)).toMatchObject({ outcome: 'ok', lines: ['This chat no longer gets the daily report.'] });
    expect(await runner.run('/unsubscribe report', viewerDm)).toMatchObject({
      outcome: 'user_error', lines: ['This chat is not subscribed to the daily report; nothing changed. /subscriptions lists what it is subscribed to.'],
    });
    expect((await runner.run('/subscriptions', viewerDm)).lines).toEqual(['None. /subscribe report [HH:MM] [TIMEZONE] sets up the daily report.']);
  });

  it('a time zone is stored as people write it, whatever case it was typed in', () => {
    const typed = ['asia/kolkata', 'Asia/Kolkata', 'utc', 'europe/kyiv', 'AMERICA/NEW_YORK', 'america/port-au-prince', 'us/eastern', 'etc/gmt+1', 'asia/ho_chi_minh'];
    expect(typed.map(spellZone)).toEqual(['Asia/Kolkata', 'Asia/Kolkata', 'UTC', 'Europe/Kyiv', 'America/New_York', 'America/Port-au-Prince', 'US/Eastern', 'Etc/GMT+1', 'Asia/Ho_Chi_Minh']);
  });

  it('the one-shot CLI has no chat to subscribe', async () => {
    const cli: Caller = { platform: 'cli', userId: 'cli', userName: undefined, chatId: 'cli' };
    expect((await runner.run('/subscribe report', cli)).lines[0]).toMatch(/^Subscriptions are per chat/);
  });

  it('a subscription made by command is delivered by the daily-report job at that local time', async () => {
    await runner.run('/subscribe report 07:30 America/New_York text', viewerDm);
    const jobDeps = recordingJobDeps(deps);
    for (let ms = clock.now(); ms < utc('2026-01-06T00:00:00'); ms += 60_000) {
      clock.set(ms);
      await dailyReport.run(jobDeps, ms);
    }
    const [sent, ...more] = await deps.store.deliveries.list({ limit: 10, source: 'daily-report' });
    expect(more).toEqual([]);
    expect(localTimeOf(sent!.createdAtMs, 'America/New_York')).toEqual({ date: '2026-01-05', time: '07:30' });
    expect(sent!.target).toEqual({ platform: 'telegram', chatId: '1' });
    expect(decodeReply(sent!.payload).image).toBeUndefined();
  });
});
