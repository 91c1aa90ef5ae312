import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import type { Command } from '../../src/chat/command.js';
import { parseCommandLine } from '../../src/chat/parse.js';
import { renderDiscord } from '../../src/chat/render-discord.js';
import { renderText } from '../../src/chat/render-text.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner } from '../../src/chat/run-command.js';
import { startDiscord, type DiscordAdapter } from '../../src/chat/discord.js';
import { startTelegram, type TelegramAdapter } from '../../src/chat/telegram.js';
import { answerText, startDiscordServer, messageText, type DiscordServer } from '../fakes/discord-server.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { FakeTelegramServer } from '../fakes/telegram-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';

const T0 = utc('2021-04-20T01:00');
const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.bot-token';

/** Text as a reader sees it: markup removed, entities and escapes undone, whitespace folded. */
const telegramPlain = (html: string) =>
  html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const discordPlain = (md: string) => md.replace(/```/g, '').replace(/\\(.)/g, '$1').replace(/\*\*/g, '');
const fold = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * The Discord options a command line means: positional words under their names, the rest joined for a variadic,
 * and named values the schema does not list (strategy parameters) in the `params` option.
 */
function discordOptions(line: string, command: Command): Record<string, string> {
  const { positional } = command;
  const parsed = parseCommandLine(line);
  const known = Object.keys((command.args as unknown as { shape?: Record<string, unknown> }).shape ?? {});
  const options: Record<string, string> = {};
  const extra: string[] = [];
  for (const [k, v] of Object.entries(parsed.named)) (known.includes(k) ? (options[k] = v) : extra.push(`${k}=${v}`));
  if (extra.length) options.params = extra.join(' ');
  positional.forEach((name, i) => {
    if (name.endsWith('...')) options[name.slice(0, -3)] = parsed.positional.slice(i).join(' ');
    else if (parsed.positional[i] !== undefined) options[name] = parsed.positional[i]!;
  });
  return options;
}

/** Commands whose first example acts on state a fresh chat does not have (an alert to acknowledge, a subscription). */
const STATE_DEPENDENT = new Set(['ack', 'unsubscribe']);

describe('every registry command gives the same content on the console, Telegram and Discord', () => {
  let exchange: ExchangeServer;
  let telegram: FakeTelegramServer;
  let discord: DiscordServer;
  let tgAdapter: TelegramAdapter;
  let dcAdapter: DiscordAdapter;
  let deps: ReturnType<typeof testDeps>;
  let chatCount = 0;

  beforeAll(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5, trades: { BTCUSDT: [{ a: 1, p: '55000.10', q: '5', f: 1, l: 1, T: T0 - 1_000, m: false, M: true }] } });
    telegram = await FakeTelegramServer.start();
    discord = await startDiscordServer({ token: TOKEN });
    // One clock that never moves: ages and uptime read the same on every platform.
    deps = testDeps({ EXCHANGE_API_URL: exchange.url, ADMIN_USERS: 'telegram:1,discord:1', RATE_LIMIT_PER_MINUTE: '1000' }, fixedClock(T0));
    const runner = createCommandRunner(allCommands, deps);
    tgAdapter = startTelegram(runner, { token: telegram.token, apiRoot: telegram.apiRoot, allowedChatIds: [], logger: deps.logger, ackAfterMs: 60_000 });
    dcAdapter = await startDiscord(runner, { token: TOKEN, apiUrl: discord.apiUrl, logger: deps.logger });
    await tgAdapter.ready;
  });
  afterAll(async () => {
    await Promise.all([tgAdapter.stop(), dcAdapter.stop()]);
    await Promise.all([telegram.close(), discord.close(), exchange.close()]);
    await deps.market.exchange.close();
    await deps.store.close();
  });

  it.each(allCommands.map((c) => [c.examples[0]!, c] as const))('%s', async (example, command) => {
    const console: Caller = { platform: 'console', userId: 'me', userName: 'me', chatId: `local-${chatCount}` };
    const reference = await createCommandRunner(allCommands, deps).run(example, console);
    // Acknowledging or unsubscribing needs something to act on: in a fresh chat their examples are refused, the same everywhere.
    const expectedOutcome = STATE_DEPENDENT.has(command.name) ? 'user_error' : 'ok';
    expect(reference.outcome, reference.lines.join('\n')).toBe(expectedOutcome);
    const chatId = 1_000 + chatCount++;
    telegram.sendText({ id: 1, username: 'a' }, { id: chatId, type: 'private' }, example);
    const first = await telegram.reply(chatId, 0, (m) => !m.text.startsWith('⏳'));
    // A long reply comes as pages: turn them all, as a reader would.
    const pages = [first.text];
    const nextButton = () => first.replyMarkup?.inline_keyboard?.[0]?.find((b) => b.text === 'next ▶');
    for (let next = nextButton(); next; next = nextButton()) {
      const seen = first.history.length;
      telegram.pressButton({ id: 1 }, first, next.callback_data!);
      await telegram.waitFor(() => first.history.length > seen);
      pages.push(first.text);
    }
    const onTelegram = fold(telegramPlain(pages.join('\n')));
    // A long answer continues in follow-ups (as many messages as the reference renders to).
    const asked = discord.slash({ id: '1', username: 'a' }, command.name, discordOptions(example, command), { channelId: String(chatId) });
    await asked.final();
    const answer = await asked.until((s) => s.followups.length >= renderDiscord(reference).length - 1);
    const onDiscord = fold(discordPlain(answerText(answer)));
    // Lines that name the platform or the caller differ by design (/whoami, /status's adapters); actions are buttons there.
    const expected = renderText({ ...reference, image: undefined, actions: undefined }).split('\n').filter((l) => l.trim() !== '' && !/^(Id|Chat|Adapters|Role):/.test(l));
    // Live measurements (store latency, request counters) change between calls; their stable part must match.
    // Each run is its own request, so an order placed by it has its own client order id.
    const stable = (line: string) =>
      line
        .replace(/^[✓!✗] /, '')
        .replace(/ \([\d.]+ ms\)$/, '')
        .replace(/^(Market data: \w+).*/, '$1')
        .replace(/tc-[0-9a-f]{20}\S*/g, '')
        // Each backtest or optimisation is a new run: its id and timing differ, its figures must not.
        .replace(/^Run [0-9a-f]{10}.*/, 'Run')
        .replace(/^(\d+ combinations) in [\d.]+ s .*/, '$1');
    for (const line of expected) {
      expect(onTelegram, `Telegram is missing: ${line}`).toContain(fold(stable(line)));
      expect(onDiscord, `Discord is missing: ${line}\nDiscord shows: ${onDiscord}`).toContain(fold(stable(line)));
    }
    if (reference.image) {
      await telegram.waitFor(() => telegram.messagesIn(chatId).some((m) => m.kind === 'photo'));
    }
  }, 60_000);
});

describe('every command that needs a role is refused to a stranger on Telegram and Discord, and the refusal audited', () => {
  let telegram: FakeTelegramServer;
  let discord: DiscordServer;
  let tgAdapter: TelegramAdapter;
  let dcAdapter: DiscordAdapter;
  let deps: ReturnType<typeof testDeps>;
  beforeAll(async () => {
    telegram = await FakeTelegramServer.start();
    discord = await startDiscordServer({ token: TOKEN });
    deps = testDeps({ ADMIN_USERS: 'telegram:1,discord:1', RATE_LIMIT_PER_MINUTE: '1000' }, fixedClock(T0));
    const runner = createCommandRunner(allCommands, deps);
    tgAdapter = startTelegram(runner, { token: telegram.token, apiRoot: telegram.apiRoot, allowedChatIds: [], logger: deps.logger });
    dcAdapter = await startDiscord(runner, { token: TOKEN, apiUrl: discord.apiUrl, logger: deps.logger });
    await tgAdapter.ready;
  });
  afterAll(async () => {
    await Promise.all([tgAdapter.stop(), dcAdapter.stop()]);
    await Promise.all([telegram.close(), discord.close()]);
    await deps.store.close();
  });

  const guarded = allCommands.filter((c) => c.role !== 'anyone');
  it.each(guarded.map((c) => [c.name, c] as const))('/%s', async (name, command) => {
    const example = command.examples[0]!;
    const chatId = 5_000 + guarded.indexOf(command);
    telegram.sendText({ id: 666, username: 'eve' }, { id: chatId, type: 'private' }, example);
    const onTelegram = telegramPlain((await telegram.reply(chatId, 0)).text);
    const onDiscord = discordPlain(messageText(await discord.slash({ id: '666', username: 'eve' }, name, discordOptions(example, command)).final()));
    for (const text of [onTelegram, onDiscord]) expect(text).toMatch(new RegExp(`Sorry, /${name} needs the ${command.role} role; you have no role`));
    const audited = await deps.store.audit.list({ limit: 10, userId: '666', command: name });
    expect(audited.map((e) => [e.platform, e.outcome]).sort()).toEqual([['discord', 'denied'], ['telegram', 'denied']]);
  });
});

describe('a failing platform never affects the other', () => {
  it('Discord keeps answering while every Telegram send fails, and Telegram delivers once it recovers', async () => {
    const telegram = await FakeTelegramServer.start();
    const discord = await startDiscordServer({ token: TOKEN });
    const deps = testDeps({ VIEWER_USERS: 'telegram:1,discord:1', RATE_LIMIT_PER_MINUTE: '1000' });
    const runner = createCommandRunner(allCommands, deps);
    const tg = startTelegram(runner, { token: telegram.token, apiRoot: telegram.apiRoot, allowedChatIds: [], logger: deps.logger });
    const dc = await startDiscord(runner, { token: TOKEN, apiUrl: discord.apiUrl, logger: deps.logger });
    await tg.ready;
    try {
      telegram.fail('sendMessage', 3, { status: 502 });
      telegram.sendText({ id: 1 }, { id: 1, type: 'private' }, '/whoami');
      const onDiscord = await discord.slash({ id: '1', username: 'a' }, 'whoami', {}).final();
      expect(discordPlain(messageText(onDiscord))).toContain('Id: discord:1');
      expect(telegram.messagesIn(1)).toHaveLength(0);
      // Telegram's answer arrives after its retries, once.
      expect((await telegram.reply(1, 0, () => true, 20_000)).text).toContain('Id: telegram:1');
      expect(telegram.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(4);
    } finally {
      await Promise.all([tg.stop(), dc.stop()]);
      await Promise.all([telegram.close(), discord.close()]);
      await deps.store.close();
    }
  }, 30_000);
});
