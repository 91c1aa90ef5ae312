import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCommand } from '../../src/chat/command.js';
import { requireConfirmation } from '../../src/chat/confirm.js';
import { startDiscord, type DiscordAdapter } from '../../src/chat/discord.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { startTelegram, type TelegramAdapter } from '../../src/chat/telegram.js';
import { messageText, startDiscordServer, type DiscordServer } from '../fakes/discord-server.js';
import { FakeTelegramServer } from '../fakes/telegram-server.js';
import { fixedClock, testDeps } from '../support/test-deps.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.bot-token';
let wiped = 0;
// A test command with a risky action behind a confirmation, as /close all and /breaker reset have.
const wipe = defineCommand({
  name: 'wipe',
  summary: 'Wipes the test counter after confirmation.',
  usage: '/wipe WHAT',
  examples: [],
  role: 'trader',
  changesState: true,
  positional: ['what'],
  args: z.strictObject({ what: z.string(), confirm: z.string().optional() }),
  async run({ what, confirm }, deps, ctx) {
    const ask = await requireConfirmation(deps, ctx, { token: confirm, line: `/wipe ${what}`, command: 'wipe', prompt: `Wipe ${what}?` });
    if (ask) return ask;
    wiped++;
    return { level: 'success', title: `Wiped ${what}`, lines: [] };
  },
});

describe('confirmations', () => {
  const alice: Caller = { platform: 'telegram', userId: '1', userName: 'a', chatId: '1' };
  const bob: Caller = { platform: 'telegram', userId: '2', userName: 'b', chatId: '1' };
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;
  beforeEach(() => {
    wiped = 0;
    clock = fixedClock();
    deps = testDeps({ TRADER_USERS: 'telegram:1,telegram:2,discord:1', RATE_LIMIT_PER_MINUTE: '1000' }, clock);
    runner = createCommandRunner([wipe], deps);
  });
  afterEach(async () => deps.store.close());

  it('asks first, runs once with the token, and refuses a second use', async () => {
    const ask = await runner.run('/wipe all', alice);
    expect(ask).toMatchObject({ level: 'warning', title: 'Please confirm', outcome: 'ok' });
    expect(wiped).toBe(0);
    expect(ask.confirm!.line).toMatch(/^\/wipe all confirm=[0-9a-f]{12}$/);
    expect(ask.lines[1]).toContain(ask.confirm!.line);
    expect((await runner.run(ask.confirm!.line, alice)).title).toBe('Wiped all');
    expect((await runner.run(ask.confirm!.line, alice)).lines[0]).toBe('That confirmation was already used.');
    expect(wiped).toBe(1);
  });

  it('refuses another user, another command, a made-up token, and an expired one', async () => {
    const ask = await runner.run('/wipe all', alice);
    expect((await runner.run(ask.confirm!.line, bob)).lines[0]).toMatch(/not valid for you/);
    expect((await runner.run('/wipe all confirm=deadbeef0000', alice)).lines[0]).toMatch(/not valid for you/);
    clock.advance(61_000);
    expect((await runner.run(ask.confirm!.line, alice)).lines[0]).toMatch(/expired/);
    expect(wiped).toBe(0);
    const audited = await deps.store.audit.list({ limit: 10 });
    expect(audited.map((e) => e.outcome)).toEqual(['user_error', 'user_error', 'user_error', 'ok']);
  });

  describe('as buttons', () => {
    let telegram: FakeTelegramServer;
    let discord: DiscordServer;
    let tg: TelegramAdapter;
    let dc: DiscordAdapter;
    beforeEach(async () => {
      telegram = await FakeTelegramServer.start();
      discord = await startDiscordServer({ token: TOKEN });
      tg = startTelegram(runner, { token: telegram.token, apiRoot: telegram.apiRoot, allowedChatIds: [], logger: deps.logger });
      dc = await startDiscord(runner, { token: TOKEN, apiUrl: discord.apiUrl, logger: deps.logger });
      await tg.ready;
    });
    afterEach(async () => {
      await Promise.all([tg.stop(), dc.stop()]);
      await Promise.all([telegram.close(), discord.close()]);
    });

    it('Telegram: Confirm runs the action once and edits the message; Cancel only cancels', async () => {
      telegram.sendText({ id: 1 }, { id: 1, type: 'private' }, '/wipe all');
      const prompt = await telegram.reply(1, 0);
      const [confirm, cancel] = prompt.replyMarkup!.inline_keyboard![0]!;
      expect([confirm!.text, cancel!.text]).toEqual(['✅ Confirm', '✖ Cancel']);
      telegram.pressButton({ id: 1 }, prompt, confirm!.callback_data!);
      await telegram.waitFor(() => prompt.text.includes('Wiped all'));
      telegram.pressButton({ id: 1 }, prompt, confirm!.callback_data!);
      await telegram.waitFor(() => telegram.callbackAnswers.some((a) => a.text === 'This confirmation is no longer active.'));
      expect(wiped).toBe(1);
      telegram.sendText({ id: 1 }, { id: 1, type: 'private' }, '/wipe more');
      const second = await telegram.reply(1, 1);
      telegram.pressButton({ id: 1 }, second, second.replyMarkup!.inline_keyboard![0]![1]!.callback_data!);
      await telegram.waitFor(() => second.text === 'Cancelled.');
      expect(wiped).toBe(1);
    });

    it('Discord: the Confirm button runs the action for the clicker', async () => {
      const asked = await discord.slash({ id: '1', username: 'a' }, 'wipe', { what: 'all' }).final();
      const buttons = asked.components[0]!.components;
      expect(buttons.map((b) => b.label)).toEqual(['Confirm', 'Cancel']);
      const done = await discord.click({ id: '1', username: 'a' }, buttons[0]!.custom_id!).final();
      expect(messageText(done)).toContain('Wiped all');
      expect(wiped).toBe(1);
    });
  });
});
