import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import { createCommandRunner } from '../../src/chat/run-command.js';
import { startTelegram } from '../../src/chat/telegram.js';
import { messageText, startDiscordServer } from '../fakes/discord-server.js';
import { FakeTelegramServer } from '../fakes/telegram-server.js';
import { testDeps } from '../support/test-deps.js';

const BIN = fileURLToPath(new URL('../../bin/tradeops.js', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('the real bot process on Telegram', () => {
  let server: FakeTelegramServer | undefined;
  afterEach(async () => server?.close());

  it('starts with its normal configuration, answers a user, and shuts down on SIGTERM', async () => {
    server = await FakeTelegramServer.start();
    const cwd = mkdtempSync(join(tmpdir(), 'tradeops-tg-'));
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd,
      env: { PATH: process.env.PATH!, TELEGRAM_BOT_TOKEN: server.token, TELEGRAM_API_ROOT: server.apiRoot, VIEWER_USERS: 'telegram:42', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await server.waitFor(() => server!.commands.length > 0, 20_000);
    server.sendText({ id: 42, username: 'trader42' }, { id: 42, type: 'private' }, '/status');
    const reply = await server.reply(42, 0);
    expect(reply.text).toMatch(/Adapters: telegram/);
    expect(reply.text).not.toMatch(/console/);
    const exit = new Promise<number | null>((r) => child.on('exit', r));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/Telegram connected/);
    expect(stderr).not.toContain(server.token.split(':')[1]!);
  });
});

describe('the real bot process with every transport at once', () => {
  it('answers on Telegram, Discord and the console from one process, the same content everywhere', async () => {
    const telegram = await FakeTelegramServer.start();
    const discord = await startDiscordServer();
    const cwd = mkdtempSync(join(tmpdir(), 'tradeops-all-'));
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd,
      env: {
        PATH: process.env.PATH!,
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        DISCORD_BOT_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.bot-token',
        DISCORD_API_URL: discord.apiUrl,
        CONSOLE: 'on',
        VIEWER_USERS: 'telegram:42,discord:4242',
        LOG_LEVEL: 'info',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    try {
      await telegram.waitFor(() => telegram.commands.length > 0, 20_000);
      await discord.ready(20_000);
      await telegram.waitFor(() => discord.registeredCommands.length > 0, 20_000);
      telegram.sendText({ id: 42 }, { id: 42, type: 'private' }, '/help status');
      const onTelegram = (await telegram.reply(42, 0)).text;
      const onDiscord = messageText(await discord.slash({ id: '4242', username: 'dee' }, 'help', { command: 'status' }).final());
      child.stdin.write('/help status\n');
      await telegram.waitFor(() => stdout.includes('Needs: the viewer role'), 10_000);
      for (const text of [onTelegram, onDiscord.replace(/\\(.)/g, '$1'), stdout]) {
        expect(text).toContain('/status: Show the bot version, uptime, storage health and adapters.');
        expect(text).toContain('Usage: /status');
        expect(text).toContain('Needs: the viewer role');
      }
      child.stdin.write('/status\n');
      await telegram.waitFor(() => /Adapters: (.*)/.exec(stdout)?.[1], 10_000);
      expect(/Adapters: (.*)/.exec(stdout)![1]).toBe('console, telegram, discord');
      const exit = new Promise<number | null>((r) => child.on('exit', r));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(discord.gateway.connections).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await telegram.close();
      await discord.close();
    }
    expect(stderr).not.toMatch(/fake\.bot-token/);
  }, 60_000);
});

describe('Telegram webhook mode', () => {
  let server: FakeTelegramServer | undefined;
  afterEach(async () => server?.close());

  it('registers the webhook with a secret token and answers updates posted to it; refuses posts without the secret', async () => {
    server = await FakeTelegramServer.start();
    const deps = testDeps({ VIEWER_USERS: 'telegram:7' });
    const port = await freePort();
    const adapter = startTelegram(createCommandRunner(allCommands, deps), {
      token: server.token,
      apiRoot: server.apiRoot,
      webhook: { url: 'https://bot.example.com/hooks/telegram', host: '127.0.0.1', port },
      allowedChatIds: [],
      logger: deps.logger,
    });
    await adapter.ready;
    expect(server.webhook!.url).toBe('https://bot.example.com/hooks/telegram');
    const secret = server.webhook!.secretToken!;
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    const update = { update_id: 1, message: { message_id: 1, date: 0, chat: { id: 7, type: 'private' }, from: { id: 7, is_bot: false, first_name: 'w' }, text: '/whoami', entities: [{ type: 'bot_command', offset: 0, length: 7 }] } };
    const post = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/hooks/telegram`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(update) });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-telegram-bot-api-secret-token': secret })).status).toBe(200);
    expect((await server.reply(7, 0)).text).toContain('Id: telegram:7');
    await adapter.stop();
    await deps.store.close();
  });
});

describe('Telegram fuzz', () => {
  let server: FakeTelegramServer | undefined;
  afterEach(async () => server?.close());

  it('answers 10,000 random and adversarial messages, each with a reply or a clear error, without crashing', async () => {
    server = await FakeTelegramServer.start();
    const deps = testDeps({ VIEWER_USERS: 'telegram:9', RATE_LIMIT_PER_MINUTE: '100000' });
    const adapter = startTelegram(createCommandRunner(allCommands, deps), { token: server.token, apiRoot: server.apiRoot, allowedChatIds: [], logger: deps.logger });
    await adapter.ready;
    const adversarial = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.tuple(fc.constantFrom('/help', '/status', '/whoami', '/price', '/buy', '/'), fc.string({ maxLength: 100 })).map(([c, s]) => `${c} ${s}`),
      fc.constantFrom('/help <script>alert(1)</script>', '/help "; DROP TABLE audit_log; --', '/whoami 1e999999', '/help ' + '9'.repeat(500),
        '/help &amp; <b>', '/help \u0000\u202e\ud83d\ude00', "/help ' \" \\", '/help $where=1', '/help {"$gt":""}', '/' + 'a'.repeat(4000)),
    );
    const inputs = fc.sample(adversarial, { numRuns: 10_000, seed: 20261121 }).map((s) => (s.trim() === '' ? `${s}x` : s));
    inputs.forEach((text) => server!.sendText({ id: 9, username: 'fuzz' }, { id: 9, type: 'private' }, text));
    await server.waitFor(() => server!.messagesIn(9).length >= inputs.length, 120_000);
    const replies = server.messagesIn(9);
    expect(replies).toHaveLength(inputs.length);
    for (const reply of replies) {
      expect(reply.text.trim().length).toBeGreaterThan(0);
      expect(reply.text).not.toMatch(/Internal error|\s+at .*\.ts:\d+/);
    }
    await adapter.stop();
    await deps.store.close();
  }, 180_000);
});
