import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allCommands } from '../../commands/index.js';
import { defineCommand } from '../../src/chat/command.js';
import { createCommandRunner } from '../../src/chat/run-command.js';
import { startTelegram, type TelegramAdapter } from '../../src/chat/telegram.js';
import { FakeTelegramServer, type TgChat, type TgUser } from '../fakes/telegram-server.js';
import { testDeps } from '../support/test-deps.js';

const admin: TgUser = { id: 100, username: 'alice' };
const viewer: TgUser = { id: 200, username: 'bob' };
const stranger: TgUser = { id: 300, username: 'eve' };
const dm = (u: TgUser): TgChat => ({ id: u.id, type: 'private' });
const env = { ADMIN_USERS: 'telegram:100', VIEWER_USERS: 'telegram:200', RATE_LIMIT_PER_MINUTE: '100000' };

let gate: () => void = () => undefined;
// Its caption escapes to 1 + 300 × 5 characters: 204 `&amp;` fit in Telegram's 1024, the 205th would not.
const chart = { png: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), filename: 'chart.png', alt: `x${'&'.repeat(300)}` };
const extra = [
  defineCommand({
    name: 'long',
    summary: 'A reply of N numbered lines.',
    usage: '/long N',
    examples: [],
    role: 'viewer',
    changesState: false,
    positional: ['n'],
    args: z.strictObject({ n: z.coerce.number().int().min(1).max(100_000) }),
    async run({ n }) {
      return { level: 'info', title: 'Lines', lines: Array.from({ length: n }, (_, i) => `line ${i + 1} <b>&amp;</b>`) };
    },
  }),
  defineCommand({
    name: 'chart',
    summary: 'A reply with a chart whose caption is too long.',
    usage: '/chart',
    examples: [],
    role: 'viewer',
    changesState: false,
    args: z.strictObject({}),
    async run() {
      return { level: 'info', title: 'Chart', lines: ['equity'], image: chart };
    },
  }),
  defineCommand({
    name: 'slowpoke',
    summary: 'Reports progress, then waits for the test.',
    usage: '/slowpoke',
    examples: [],
    role: 'viewer',
    changesState: false,
    args: z.strictObject({}),
    async run(_a, _d, ctx) {
      ctx.progress('step 1 of 2');
      await new Promise<void>((r) => (gate = r));
      return { level: 'success', title: 'Finished', lines: ['all done'] };
    },
  }),
];

describe('Telegram transport (real telegraf, local Bot API server)', () => {
  let server: FakeTelegramServer;
  let adapter: TelegramAdapter;
  let deps: ReturnType<typeof testDeps>;

  beforeEach(async () => {
    server = await FakeTelegramServer.start();
    deps = testDeps(env);
    const runner = createCommandRunner([...allCommands, ...extra], deps);
    adapter = startTelegram(runner, { token: server.token, apiRoot: server.apiRoot, allowedChatIds: ['-500'], logger: deps.logger, ackAfterMs: 100, progressEveryMs: 0 });
    await adapter.ready;
  });
  afterEach(async () => {
    await adapter.stop();
    await server.close();
    await deps.store.close();
  });

  it('registers the command menu from the registry', () => {
    expect(server.commands.map((c) => c.command)).toEqual([...allCommands, ...extra].map((c) => c.name));
    expect(server.commands[0]!.description).toBe('List the commands, or show how to use one.');
  });

  it('answers /status in HTML', async () => {
    server.sendText(admin, dm(admin), '/status');
    const reply = await server.reply(admin.id, 0);
    expect(reply.parseMode).toBe('HTML');
    expect(reply.text).toMatch(/^<b>tradeops \d+\.\d+\.\d+<\/b>\nUptime: /);
    expect(reply.text).toContain('Adapters: test');
  });

  it('renders tables as preformatted text and escapes markup', async () => {
    server.sendText(admin, dm(admin), '/help');
    const reply = await server.reply(admin.id, 0);
    expect(reply.text).toMatch(/<pre>command\s+what it does\n/);
    expect(reply.text).toContain('/help [COMMAND]');
    server.sendText(admin, dm(admin), '/long 2');
    const escaped = await server.reply(admin.id, 1);
    expect(escaped.text).toContain('line 1 &lt;b&gt;&amp;amp;&lt;/b&gt;');
  });

  it('accepts /cmd@BotName in an allowed group, refuses a group that is not allowed', async () => {
    const group: TgChat = { id: -500, type: 'group', title: 'desk' };
    server.sendText(admin, group, '/whoami@TradeOpsBot');
    expect((await server.reply(-500, 0)).text).toContain('Id: telegram:100 (alice)');
    const other: TgChat = { id: -600, type: 'supergroup', title: 'random' };
    server.sendText(admin, other, '/status');
    expect((await server.reply(-600, 0)).text).toBe(
      'Sorry, this chat is not allowed to use the bot. An admin can add its id (-600) to TELEGRAM_ALLOWED_CHATS.',
    );
  });

  it('tells a private chat from a group: a viewer may subscribe the private chat to the report, not the group', async () => {
    const viewer = { id: 200, username: 'vera' };
    server.sendText(viewer, dm(viewer), '/subscribe report 08:00 UTC');
    expect((await server.reply(200, 0)).text).toContain('This chat will get the daily portfolio report at 08:00 UTC');
    server.sendText(viewer, { id: -500, type: 'group', title: 'desk' }, '/subscribe report 08:00 UTC');
    expect((await server.reply(-500, 0)).text).toContain('Changing the report of a shared chat or channel needs the admin role');
  });

  it('refuses a user without a role politely, and audits the refusal', async () => {
    server.sendText(stranger, dm(stranger), '/status');
    const reply = await server.reply(stranger.id, 0);
    expect(reply.text).toBe('❌ Sorry, /status needs the viewer role; you have no role. Ask an admin to grant it to telegram:300 (see /whoami).');
    const [entry] = await deps.store.audit.list({ limit: 1 });
    expect(entry).toMatchObject({ platform: 'telegram', userId: '300', userName: 'eve', command: 'status', outcome: 'denied' });
  });

  it('paginates a long reply with inline buttons, and the buttons turn pages', async () => {
    server.sendText(viewer, dm(viewer), '/long 400');
    const first = await server.reply(viewer.id, 0);
    const buttons = first.replyMarkup!.inline_keyboard![0]!;
    const pageCount = Number(/1\/(\d+)/.exec(buttons.map((b) => b.text).join(' '))![1]);
    expect(pageCount).toBeGreaterThan(1);
    expect(first.text.length).toBeLessThanOrEqual(4096);
    expect(first.text).toContain('line 1 ');
    const seen = [first.text];
    for (let page = 2; page <= pageCount; page++) {
      const next = first.replyMarkup!.inline_keyboard![0]!.find((b) => b.text === 'next ▶')!;
      server.pressButton(viewer, first, next.callback_data!);
      await server.waitFor(() => first.history.length === page);
      seen.push(first.text);
    }
    const all = seen.join('\n');
    for (let i = 1; i <= 400; i++) expect(all).toContain(`line ${i} `);
    await server.waitFor(() => server.callbackAnswers.length === pageCount - 1);
  });

  it('sends a reply too long to page through as a file as well, losing nothing', async () => {
    server.sendText(viewer, dm(viewer), '/long 5000');
    const file = await server.reply(viewer.id, 0, (m) => m.kind === 'document');
    const text = Buffer.from(file.file!.bytes).toString('utf8');
    expect(text).toContain('line 1 <b>&amp;</b>');
    expect(text).toContain('line 5000 <b>&amp;</b>');
    expect(file.text).toMatch(/The whole reply \(\d+ pages\) is attached/);
  });

  it('cuts a long photo caption between escape sequences, in a reply and in a notification', async () => {
    const caption = `x${'&amp;'.repeat(204)}`;
    server.sendText(viewer, dm(viewer), '/chart');
    const photo = await server.reply(viewer.id, 0, (m) => m.kind === 'photo');
    expect(photo).toMatchObject({ text: caption, parseMode: 'HTML' });
    await adapter.notifier.send({ platform: 'telegram', chatId: '42' }, { level: 'info', title: 'Chart', lines: ['y'.repeat(1100)], image: chart });
    const [text, notified] = server.messagesIn(42);
    expect(text).toMatchObject({ kind: 'text' });
    expect(notified).toMatchObject({ kind: 'photo', text: caption, parseMode: 'HTML' });
  });

  it('acknowledges a slow command at once, edits it with progress, then with the answer', async () => {
    server.sendText(viewer, dm(viewer), '/slowpoke');
    const ack = await server.reply(viewer.id, 0);
    await server.waitFor(() => ack.history.some((t) => t.includes('step 1 of 2')));
    gate();
    await server.waitFor(() => ack.text.includes('Finished'));
    expect(ack.history[0]).toMatch(/^⏳ /);
    expect(ack.text).toBe('✅ <b>Finished</b>\nall done');
    expect(server.messagesIn(viewer.id)).toHaveLength(1);
  });

  it('waits out a 429 with retry_after, then delivers once', async () => {
    server.fail('sendMessage', 1, { status: 429, retryAfterS: 1 });
    server.sendText(admin, dm(admin), '/whoami');
    const reply = await server.reply(admin.id, 0);
    const sends = server.calls.filter((c) => c.method === 'sendMessage');
    expect(sends).toHaveLength(2);
    expect(sends[1]!.atMs - sends[0]!.atMs).toBeGreaterThanOrEqual(950);
    expect(reply.text).toContain('Role: admin');
    expect(server.messagesIn(admin.id)).toHaveLength(1);
  });

  it('retries a transient 5xx, and a dropped connection', async () => {
    server.fail('sendMessage', 1, { status: 502 });
    server.fail('sendMessage', 1, { status: 'drop' });
    server.sendText(admin, dm(admin), '/whoami');
    expect((await server.reply(admin.id, 0)).text).toContain('Role: admin');
  });

  it('nudges a private chat that sends plain text', async () => {
    server.sendText(admin, dm(admin), 'hello bot');
    expect((await server.reply(admin.id, 0)).text).toBe('Commands start with /. Try /help.');
  });
});
