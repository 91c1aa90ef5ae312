import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Telegram } from 'telegraf';
import { z } from 'zod';
import { startAdapters } from '../../src/chat/adapters.js';
import { defineCommand } from '../../src/chat/command.js';
import { ActionButtons } from '../../src/chat/confirm.js';
import { consoleNotifier } from '../../src/chat/console.js';
import { startDiscord, type DiscordAdapter } from '../../src/chat/discord.js';
import { NotifyError } from '../../src/chat/notifier.js';
import type { Reply } from '../../src/chat/reply.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { telegramNotifier, telegramNotifyError } from '../../src/chat/telegram-notifier.js';
import { startTelegram, type TelegramAdapter } from '../../src/chat/telegram.js';
import { messageText, startDiscordServer, type DiscordServer } from '../fakes/discord-server.js';
import { FakeTelegramServer, type TgUser } from '../fakes/telegram-server.js';
import { memoryLog, testDeps } from '../support/test-deps.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.bot-token';
const GROUP = -500;
const CHANNEL = '710000000000000001';
const GUILD = '800000000000000001';
const trader = { telegram: { id: 100, username: 'tina' } satisfies TgUser, discord: { id: '100000000000000100', username: 'tina' } };
const viewer = { telegram: { id: 200, username: 'vic' } satisfies TgUser, discord: { id: '100000000000000200', username: 'vic' } };
const env = {
  TRADER_USERS: `telegram:${trader.telegram.id},discord:${trader.discord.id}`,
  VIEWER_USERS: `telegram:${viewer.telegram.id},discord:${viewer.discord.id}`,
  RATE_LIMIT_PER_MINUTE: '1000',
};
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

// An alert as a job would send it: a warning with an Acknowledge button.
const alert: Reply = {
  level: 'warning',
  title: 'Alert A17: BTC/USDT below 50 000 <USDT>',
  lines: ['Price 49 990 & falling', 'Since 12:00 UTC'],
  badges: ['PAPER'],
  actions: [{ label: 'Acknowledge', line: '/ack A17' }],
};
const NOTE = 'acknowledged from the button of a notification sent hours ago, after the price fell below the limit';
const LONG_LINE = `/ack A17 note="${NOTE}"`;

let acks: Array<{ id: string; userId: string; note: string | undefined }> = [];
const commands = [
  defineCommand({
    name: 'ack',
    summary: 'Acknowledges an alert (test command).',
    usage: '/ack ID [note=TEXT]',
    examples: [],
    role: 'trader',
    changesState: true,
    positional: ['id'],
    args: z.strictObject({ id: z.string(), note: z.string().optional() }),
    async run({ id, note }, _deps, ctx) {
      acks.push({ id, userId: ctx.caller.userId, note });
      return { level: 'success', title: `Acknowledged ${id}`, lines: [`by ${ctx.caller.userName ?? ctx.caller.userId}`] };
    },
  }),
  defineCommand({
    name: 'alerts',
    summary: 'Shows the open alert with its button (test command).',
    usage: '/alerts',
    examples: [],
    role: 'viewer',
    changesState: false,
    args: z.strictObject({ lines: z.coerce.number().int().optional() }),
    async run({ lines }) {
      return lines === undefined ? alert : { ...alert, lines: Array.from({ length: lines }, (_, i) => `alert line ${i + 1}`) };
    },
  }),
];

async function rejection(promise: Promise<unknown>): Promise<NotifyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NotifyError);
  return error as NotifyError;
}

describe('Telegram notifier (real telegraf, local Bot API server)', () => {
  let server: FakeTelegramServer;
  let adapter: TelegramAdapter;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;
  const start = () =>
    startTelegram(runner, { token: server.token, apiRoot: server.apiRoot, allowedChatIds: [String(GROUP)], logger: deps.logger, actionLines: deps.store.settings });

  beforeEach(async () => {
    acks = [];
    server = await FakeTelegramServer.start();
    deps = testDeps(env);
    runner = createCommandRunner(commands, deps);
    adapter = start();
    await adapter.ready;
  });
  afterEach(async () => {
    await adapter.stop();
    await server.close();
    await deps.store.close();
  });
  const sends = (method: string) => server.calls.filter((c) => c.method === method).length;

  it('sends a text notification to the chat in HTML, with an Acknowledge button, and returns its message id', async () => {
    const { messageRef } = await adapter.notifier.send({ platform: 'telegram', chatId: String(GROUP) }, alert);
    const [message, ...more] = server.messagesIn(GROUP);
    expect(more).toEqual([]);
    expect(messageRef).toBe(String(message!.messageId));
    expect(message!.parseMode).toBe('HTML');
    expect(message!.text).toBe('⚠️ <b>[PAPER] Alert A17: BTC/USDT below 50 000 &lt;USDT&gt;</b>\nPrice 49 990 &amp; falling\nSince 12:00 UTC');
    expect(message!.replyMarkup?.inline_keyboard).toEqual([[{ text: 'Acknowledge', callback_data: 'run:/ack A17' }]]);
    expect(adapter.notifier.platforms).toEqual(['telegram']);
  });

  it('sends an image as a photo with the text as caption; a long text comes as pages in order', async () => {
    await adapter.notifier.send({ platform: 'telegram', chatId: '42' }, { level: 'info', title: 'Daily report', lines: ['Equity 10 000 USDT'], image: { png: PNG, filename: 'equity.png', alt: 'Equity curve' } });
    const [photo] = server.messagesIn(42);
    expect(photo).toMatchObject({ kind: 'photo', text: '<b>Daily report</b>\nEquity 10 000 USDT', parseMode: 'HTML' });
    expect([...photo!.file!.bytes]).toEqual([...PNG]);

    const lines = Array.from({ length: 400 }, (_, i) => `position ${i + 1}: 0.5 BTC`);
    const { messageRef } = await adapter.notifier.send({ platform: 'telegram', chatId: '43' }, { level: 'info', title: 'Positions', lines, actions: alert.actions! });
    const pages = server.messagesIn(43);
    expect(pages.length).toBeGreaterThan(1);
    expect(messageRef).toBe(String(pages[0]!.messageId));
    const text = pages.map((p) => p.text).join('\n');
    for (const line of [lines[0]!, lines[199]!, lines[399]!]) expect(text).toContain(line);
    expect(pages.at(-1)!.text).toContain(`(${pages.length}/${pages.length})`);
    expect(pages.at(-1)!.replyMarkup?.inline_keyboard?.[0]?.[0]?.text).toBe('Acknowledge');
    expect(pages[0]!.replyMarkup).toBeUndefined();
  });

  it('tries once: 429 gives retry_after, 5xx is transient, 403 blocked and 400 chat not found are permanent', async () => {
    const target = { platform: 'telegram', chatId: String(GROUP) } as const;
    server.fail('sendMessage', 1, { status: 429, retryAfterS: 7 });
    expect(await rejection(adapter.notifier.send(target, alert))).toMatchObject({ permanent: false, retryAfterMs: 7_000 });
    server.fail('sendMessage', 1, { status: 502 });
    const transient = await rejection(adapter.notifier.send(target, alert));
    expect(transient).toMatchObject({ permanent: false, retryAfterMs: undefined });
    server.fail('sendMessage', 1, { status: 403, description: 'Forbidden: bot was blocked by the user' });
    const blocked = await rejection(adapter.notifier.send(target, alert));
    expect(blocked).toMatchObject({ permanent: true, message: 'Telegram answered 403: Forbidden: bot was blocked by the user' });
    server.fail('sendMessage', 1, { status: 400, description: 'Bad Request: chat not found' });
    expect((await rejection(adapter.notifier.send(target, alert))).permanent).toBe(true);
    expect(sends('sendMessage')).toBe(4);
    expect(server.messagesIn(GROUP)).toEqual([]);
    await adapter.notifier.send(target, alert);
    expect(server.messagesIn(GROUP)).toHaveLength(1);
  });

  it('a send that gets no answer fails after the timeout, as a failure worth retrying', async () => {
    const notifier = telegramNotifier(new Telegram(server.token, { apiRoot: server.apiRoot }), { buttons: new ActionButtons(), timeoutMs: 200 });
    server.fail('sendMessage', 1, { status: 'hang' });
    const stuck = await rejection(notifier.send({ platform: 'telegram', chatId: String(GROUP) }, alert));
    expect(stuck.permanent).toBe(false);
    expect(stuck.message).toMatch(/^Telegram could not be reached: /);
  });

  it('a failure that is neither Telegram nor the network is not blamed on the chat, nor called an outage', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(telegramNotifyError(refused)).toMatchObject({ permanent: false, message: 'Telegram could not be reached: connect ECONNREFUSED 127.0.0.1:1' });
    expect(telegramNotifyError(new TypeError('reply.lines is not iterable'))).toMatchObject({ permanent: false, message: 'Telegram send failed: reply.lines is not iterable' });
  });

  it('Acknowledge runs /ack as the person who presses it; a viewer gets the refusal', async () => {
    await adapter.notifier.send({ platform: 'telegram', chatId: String(GROUP) }, alert);
    const [sent] = server.messagesIn(GROUP);
    const data = sent!.replyMarkup!.inline_keyboard![0]![0]!.callback_data!;
    server.pressButton(viewer.telegram, sent!, data);
    const refused = await server.reply(GROUP, 1);
    expect(refused.text).toContain('Sorry, /ack needs the trader role; you have the viewer role.');
    expect(refused.replyTo).toBe(sent!.messageId);
    expect(acks).toEqual([]);

    server.pressButton(trader.telegram, sent!, data);
    const done = await server.reply(GROUP, 2);
    expect(done.text).toBe('✅ <b>Acknowledged A17</b>\nby tina');
    expect(done.replyTo).toBe(sent!.messageId);
    expect(acks).toEqual([{ id: 'A17', userId: '100', note: undefined }]);
    expect(server.callbackAnswers.map((a) => a.text)).toContain('Running /ack A17');
  });

  it('a command reply carries the buttons too', async () => {
    server.sendText(trader.telegram, { id: GROUP, type: 'supergroup' }, '/alerts');
    const shown = await server.reply(GROUP, 0);
    const button = shown.replyMarkup!.inline_keyboard![0]![0]!;
    expect(button).toEqual({ text: 'Acknowledge', callback_data: 'run:/ack A17' });
    server.pressButton(trader.telegram, shown, button.callback_data!);
    await server.reply(GROUP, 1, (m) => m.text.includes('Acknowledged A17'));
    expect(acks).toHaveLength(1);

    // A paged reply keeps its buttons under the page row on every page.
    server.sendText(trader.telegram, { id: 7, type: 'private' }, '/alerts lines=600');
    const paged = await server.reply(7, 0);
    const [pageRow, actionRow] = paged.replyMarkup!.inline_keyboard!;
    expect(pageRow!.map((b) => b.text)).toEqual(['1/3', 'next ▶']);
    expect(actionRow).toEqual([button]);
    server.pressButton(trader.telegram, paged, pageRow![1]!.callback_data!);
    await server.waitFor(() => paged.history.length > 1);
    expect(paged.replyMarkup!.inline_keyboard![1]).toEqual([button]);
  });

  it('a press in a chat that is not allowed runs nothing', async () => {
    await adapter.notifier.send({ platform: 'telegram', chatId: '-600' }, alert);
    const [sent] = server.messagesIn(-600);
    server.pressButton(trader.telegram, sent!, 'run:/ack A17');
    await server.waitFor(() => server.callbackAnswers.some((a) => a.text === 'Sorry, this chat is not allowed to use the bot.'));
    expect(acks).toEqual([]);
    expect(server.messagesIn(-600)).toHaveLength(1);
  });

  it('a line too long for the button is kept in the store and still works after a restart', async () => {
    await adapter.notifier.send({ platform: 'telegram', chatId: String(GROUP) }, { ...alert, actions: [{ label: 'Acknowledge', line: LONG_LINE }] });
    const [sent] = server.messagesIn(GROUP);
    const data = sent!.replyMarkup!.inline_keyboard![0]![0]!.callback_data!;
    expect(data).toMatch(/^ra:[\w-]+$/);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    await adapter.stop();
    adapter = start();
    await adapter.ready;
    server.pressButton(trader.telegram, sent!, data);
    await server.reply(GROUP, 1, (m) => m.text.includes('Acknowledged A17'));
    expect(acks).toEqual([{ id: 'A17', userId: '100', note: NOTE }]);
    server.pressButton(trader.telegram, sent!, 'ra:unknownkey');
    await server.waitFor(() => server.callbackAnswers.some((a) => a.text === 'This button is no longer active; please type the command instead.'));
  });
});

describe('Discord notifier (real discord.js, local Discord server)', () => {
  let discord: DiscordServer;
  let adapter: DiscordAdapter;
  let deps: ReturnType<typeof testDeps>;

  beforeEach(async () => {
    acks = [];
    discord = await startDiscordServer({ token: TOKEN });
    discord.addChannel({ id: CHANNEL, guildId: GUILD });
    deps = testDeps(env);
    adapter = await startDiscord(createCommandRunner(commands, deps), { token: TOKEN, apiUrl: discord.apiUrl, logger: deps.logger, actionLines: deps.store.settings });
  });
  afterEach(async () => {
    await adapter.stop();
    await discord.close();
    await deps.store.close();
  });
  const posts = (channelId: string) => discord.callsTo('POST', new RegExp(`^/channels/${channelId}/messages$`)).length;

  it('sends an embed with an Acknowledge button to a channel fetched by id, and returns the message id', async () => {
    const { messageRef } = await adapter.notifier.send({ platform: 'discord', chatId: CHANNEL }, alert);
    const [message, ...more] = discord.channelMessages(CHANNEL);
    expect(more).toEqual([]);
    expect(messageRef).toBe(message!.id);
    expect(message!.embeds[0]).toMatchObject({ title: '[PAPER] Alert A17: BTC/USDT below 50 000 <USDT>', color: 0xfee75c });
    expect(messageText(message!)).toContain('Price 49 990 & falling\nSince 12:00 UTC');
    expect(message!.components[0]!.components.map((b) => [b.label, b.custom_id])).toEqual([['Acknowledge', 'run:/ack A17']]);
  });

  it('sends images as attachments, and reaches DM channels', async () => {
    discord.addChannel({ id: '720000000000000001', kind: 'dm', recipient: trader.discord });
    const report: Reply = { level: 'info', title: 'Daily report', lines: ['Equity 10 000 USDT'], image: { png: PNG, filename: 'equity.png', alt: 'Equity curve' } };
    await adapter.notifier.send({ platform: 'discord', chatId: '720000000000000001' }, report);
    const [message] = discord.channelMessages('720000000000000001');
    expect(message!.embeds[0]).toMatchObject({ title: 'Daily report', description: 'Equity 10 000 USDT', image: { url: 'attachment://equity.png' } });
    expect(message!.attachments).toHaveLength(1);
    expect([...message!.attachments[0]!.data]).toEqual([...PNG]);
    expect(message!.attachments[0]!.description).toBe('Equity curve');
  });

  it('tries once: 429 gives the wait, 5xx is transient, Missing Access and Unknown Channel are permanent', async () => {
    const target = { platform: 'discord', chatId: CHANNEL } as const;
    discord.rateLimit({ method: 'POST', path: /^\/channels\/\d+\/messages$/, retryAfterMs: 5_000 });
    const limited = await rejection(adapter.notifier.send(target, alert));
    expect(limited.permanent).toBe(false);
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(5_000);
    expect(limited.retryAfterMs).toBeLessThan(6_000);
    expect(posts(CHANNEL)).toBe(1);

    discord.addChannel({ id: '710000000000000002', guildId: GUILD });
    discord.fail({ method: 'POST', path: /^\/channels\/710000000000000002\/messages$/, status: 500 });
    expect(await rejection(adapter.notifier.send({ platform: 'discord', chatId: '710000000000000002' }, alert))).toMatchObject({ permanent: false, retryAfterMs: undefined });
    expect(posts('710000000000000002')).toBe(1);
    await adapter.notifier.send({ platform: 'discord', chatId: '710000000000000002' }, alert);
    expect(discord.channelMessages('710000000000000002')).toHaveLength(1);

    discord.addChannel({ id: '710000000000000003', guildId: GUILD, forbidden: true });
    expect(await rejection(adapter.notifier.send({ platform: 'discord', chatId: '710000000000000003' }, alert))).toMatchObject({ permanent: true, message: 'Discord answered 403: Missing Access' });
    expect((await rejection(adapter.notifier.send({ platform: 'discord', chatId: '710000000000000099' }, alert))).permanent).toBe(true);
    discord.addChannel({ id: '710000000000000004', guildId: GUILD });
    discord.fail({ method: 'POST', path: /^\/channels\/710000000000000004\/messages$/, status: 403, body: { message: 'Missing Permissions', code: 50013 } });
    expect((await rejection(adapter.notifier.send({ platform: 'discord', chatId: '710000000000000004' }, alert))).permanent).toBe(true);
  });

  it('Acknowledge runs /ack as the person who clicks it; a viewer gets the refusal', async () => {
    await adapter.notifier.send({ platform: 'discord', chatId: CHANNEL }, alert);
    const customId = discord.channelMessages(CHANNEL)[0]!.components[0]!.components[0]!.custom_id!;
    const place = { channelId: CHANNEL, guildId: GUILD, memberRoles: [] };
    const refused = await discord.click(viewer.discord, customId, place).final();
    expect(messageText(refused)).toContain('Sorry, /ack needs the trader role; you have the viewer role.');
    expect(acks).toEqual([]);
    const done = await discord.click(trader.discord, customId, place).final();
    expect(messageText(done)).toMatch(/^Acknowledged A17\nby tina\nref [0-9a-f]{8}$/);
    expect(acks).toEqual([{ id: 'A17', userId: trader.discord.id, note: undefined }]);
  });

  it('a command reply carries the buttons too, and a long line works through the store', async () => {
    const shown = await discord.slash(trader.discord, 'alerts', {}, { channelId: CHANNEL, guildId: GUILD, memberRoles: [] }).final();
    expect(shown.components[0]!.components[0]).toMatchObject({ label: 'Acknowledge', custom_id: 'run:/ack A17' });
    await adapter.notifier.send({ platform: 'discord', chatId: CHANNEL }, { ...alert, actions: [{ label: 'Acknowledge', line: LONG_LINE }, { label: 'Acknowledge', line: LONG_LINE }] });
    const [button, ...duplicates] = discord.channelMessages(CHANNEL)[0]!.components[0]!.components;
    expect(duplicates).toEqual([]);
    expect(button!.custom_id).toMatch(/^ra:[\w-]+$/);
    await discord.click(trader.discord, button!.custom_id!, { channelId: CHANNEL, guildId: GUILD, memberRoles: [] }).final();
    expect(acks.map((a) => a.note)).toEqual([NOTE]);
  });
});

describe('console notifier and the combined notifier of startAdapters', () => {
  it('the console shows the notification and the line to type', async () => {
    const out = memoryLog();
    await consoleNotifier(out.stream).send({ platform: 'console', chatId: 'local' }, alert);
    expect(out.lines).toEqual(['! [PAPER] Alert A17: BTC/USDT below 50 000 <USDT>', 'Price 49 990 & falling', 'Since 12:00 UTC', '→ /ack A17 to acknowledge']);
  });

  it('reaches the transports running here; a platform not running here is a failure worth retrying', async () => {
    const telegram = await FakeTelegramServer.start();
    const discord = await startDiscordServer({ token: TOKEN });
    discord.addChannel({ id: CHANNEL, guildId: GUILD });
    const deps = testDeps({ ...env, CONSOLE: 'off', TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, DISCORD_BOT_TOKEN: TOKEN, DISCORD_API_URL: discord.apiUrl });
    const adapters = startAdapters(createCommandRunner(commands, deps), deps, { stdin: Readable.from([]), stdout: memoryLog().stream });
    try {
      await vi.waitFor(() => expect([...adapters.notifier.platforms].sort()).toEqual(['discord', 'telegram']), { timeout: 10_000, interval: 20 });
      await adapters.notifier.send({ platform: 'telegram', chatId: '42' }, alert);
      await adapters.notifier.send({ platform: 'discord', chatId: CHANNEL }, alert);
      expect(telegram.messagesIn(42)).toHaveLength(1);
      expect(discord.channelMessages(CHANNEL)).toHaveLength(1);
      const absent = await rejection(adapters.notifier.send({ platform: 'console', chatId: 'local' }, alert));
      expect(absent).toMatchObject({ permanent: false, message: 'The console transport is not running here.' });
    } finally {
      await adapters.stop();
    }
    expect(adapters.notifier.platforms).toEqual([]);
    expect((await rejection(adapters.notifier.send({ platform: 'telegram', chatId: '42' }, alert))).permanent).toBe(false);
    await Promise.all([telegram.close(), discord.close()]);
    await deps.store.close();
  }, 20_000);
});
