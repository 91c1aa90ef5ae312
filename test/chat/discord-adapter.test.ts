import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { allCommands } from '../../commands/index.js';
import { defineCommand, type Command } from '../../src/chat/command.js';
import { privateInGuilds, startDiscord, type DiscordAdapter, type DiscordOptions } from '../../src/chat/discord.js';
import { createCommandRunner } from '../../src/chat/run-command.js';
import { VERSION } from '../../src/version.js';
import { answerText, messageText, startDiscordServer, type DiscordServer, type FakeUser } from '../fakes/discord-server.js';
import { testDeps } from '../support/test-deps.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.bot-token';
const admin: FakeUser = { id: '123', username: 'alice' };
const member: FakeUser = { id: '456', username: 'bob' };
const stranger: FakeUser = { id: '999', username: 'eve' };
const VIEWER_ROLE = '555';
const GRANTS = { ADMIN_USERS: 'discord:123', VIEWER_USERS: `discord-role:${VIEWER_ROLE}` };

/** Undoes Discord markdown escaping, to compare with what a command returned. */
const plain = (text: string) => text.replace(/\\(.)/g, '$1');

let release: () => void = () => undefined;
const testCommands: Command[] = [
  defineCommand({
    name: 'long',
    summary: 'Prints N numbered lines.',
    usage: '/long N',
    examples: [],
    role: 'anyone',
    changesState: false,
    positional: ['n'],
    args: z.strictObject({ n: z.coerce.number().int().min(1).max(100_000) }),
    async run({ n }) {
      return { level: 'info', title: 'Long', lines: Array.from({ length: n }, (_, i) => `line ${i + 1} of ${n} ${'·'.repeat(40)}`) };
    },
  }),
  defineCommand({
    name: 'order',
    summary: 'Echoes its arguments.',
    usage: '/order SIDE SYMBOL AMOUNT [note=TEXT]',
    examples: [],
    role: 'anyone',
    changesState: false,
    positional: ['side', 'symbol', 'amount'],
    args: z.strictObject({ side: z.enum(['buy', 'sell']), symbol: z.string(), amount: z.coerce.number().positive(), note: z.string().optional() }),
    async run(args) {
      return { level: 'success', title: 'Order', lines: [JSON.stringify(args)] };
    },
  }),
  defineCommand({
    name: 'quote',
    summary: 'Quotes symbols.',
    usage: '/quote SYMBOL…',
    examples: [],
    role: 'anyone',
    changesState: false,
    positional: ['symbols...'],
    args: z.strictObject({ symbols: z.array(z.string()).min(1) }),
    async run({ symbols }) {
      return { level: 'info', title: 'Quote', lines: symbols };
    },
  }),
  defineCommand({
    name: 'slow',
    summary: 'Reports progress, then waits until released.',
    usage: '/slow',
    examples: [],
    role: 'anyone',
    changesState: false,
    args: z.strictObject({}),
    async run(_args, _deps, ctx) {
      ctx.progress('step 1 of 2');
      ctx.progress('step 2 of 2');
      await new Promise<void>((resolve) => (release = resolve));
      return { level: 'success', title: 'Slow', lines: ['done'] };
    },
  }),
];

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<DiscordOptions> = {}, commands: readonly Command[] = allCommands) {
  const server: DiscordServer = await startDiscordServer({ token: TOKEN });
  cleanups.push(() => server.close());
  const deps = testDeps(GRANTS);
  cleanups.push(() => deps.store.close());
  const runner = createCommandRunner(commands, deps);
  const adapter: DiscordAdapter = await startDiscord(runner, { token: TOKEN, apiUrl: server.apiUrl, logger: deps.logger, ...options });
  cleanups.push(() => adapter.stop());
  return { server, deps, adapter };
}

describe('Discord adapter against the local Discord server', () => {
  it('logs in over the gateway and registers one slash command per registry command', async () => {
    const { server, adapter } = await setup();
    expect(server.gateway.identifies).toHaveLength(1);
    expect(server.gateway.identifies[0]).toMatchObject({ token: TOKEN, intents: 1 });
    expect(adapter.applicationId).toBe(server.applicationId);
    expect(server.callsTo('PUT', /^\/applications\/\d+\/commands$/)).toHaveLength(1);
    expect(server.callsTo('PUT', /commands$/)[0]!.authorization).toBe(`Bot ${TOKEN}`);
    const registered = server.registeredCommands.map((c) => ({ name: c.name, description: c.description, options: c.options }));
    expect(registered.map((c) => c.name)).toEqual(allCommands.map((c) => c.name));
    expect(registered.slice(0, 6)).toEqual([
      { name: 'help', description: 'List the commands, or show how to use one.', options: [{ name: 'command', description: 'command', required: false, type: 3 }] },
      { name: 'status', description: 'Show the bot version, uptime, storage health and adapters.', options: [] },
      { name: 'whoami', description: 'Show your user id and role.', options: [] },
      { name: 'price', description: 'Latest prices with bid/ask, 24h change and volume, each with its source and age.', options: [{ name: 'symbols', description: 'symbols (separate several with spaces)', required: true, type: 3 }] },
      {
        name: 'chart',
        description: 'A candlestick chart with volume of the latest candles from the exchange.',
        options: [
          { name: 'symbol', description: 'symbol', required: true, type: 3, max_length: 30 },
          { name: 'timeframe', description: 'timeframe', required: false, type: 3 },
          { name: 'bars', description: 'bars', required: false, type: 4, min_value: 10, max_value: 500 },
        ],
      },
      {
        name: 'whales',
        description: 'The largest recent trades on the exchange (public trade feed), with time and side.',
        options: [
          { name: 'symbol', description: 'symbol', required: true, type: 3, max_length: 30 },
          { name: 'min', description: 'min', required: false, type: 10, min_value: 0 },
        ],
      },
    ]);
  });

  it('registers typed options and builds the command line from them', async () => {
    const { server } = await setup({ guildId: '800000000000000009' }, testCommands);
    expect(server.registeredCommands).toEqual([]);
    const order = server.guildCommands.get('800000000000000009')!.find((c) => c.name === 'order')!;
    expect(order.options.map((o: { name: string; type: number; required: boolean }) => [o.name, o.type, o.required])).toEqual([
      ['side', 3, true],
      ['symbol', 3, true],
      ['amount', 10, true],
      ['note', 3, false],
    ]);
    const final = await server.slash(admin, 'order', { side: 'sell', symbol: 'ETH/USDT', amount: 1.25, note: 'take "profit" now' }).final();
    expect(plain(messageText(final))).toContain('{"side":"sell","symbol":"ETH/USDT","amount":1.25,"note":"take \\"profit\\" now"}');
    const quote = await server.slash(admin, 'quote', { symbols: 'BTC/USDT  SOL/USDT' }).final();
    expect(quote.embeds[0]!.description).toBe('BTC/USDT\nSOL/USDT');
  });

  it('answers /status: defers at once, then edits the reply with the rendered status', async () => {
    const { server } = await setup();
    const interaction = server.slash(member, 'status', {}, { memberRoles: [VIEWER_ROLE], channelId: '700000000000000005' });
    const final = await interaction.final();
    expect(interaction.state.callbacks).toEqual([{ type: 5, data: { flags: 0 } }]);
    const calls = server.calls.filter((c) => c.path.includes(interaction.token));
    expect(calls.map((c) => `${c.method} ${c.status}`)).toEqual(['POST 204', 'PATCH 200']);
    expect(final.content).toBe('');
    expect(final.ephemeral).toBe(false);
    expect(final.embeds[0]!.title).toBe(`tradeops ${VERSION}`);
    expect(final.embeds[0]!.description).toMatch(/^Uptime: .*\nStore: sqlite at .*healthy/);
    expect(final.embeds[0]!.footer.text).toMatch(/^ref [0-9a-f]{8}$/);
  });

  it('answers /help with the command table in a code block', async () => {
    const { server } = await setup();
    const final = await server.slash(admin, 'help').final();
    expect(final.embeds[0]!.title).toBe('Commands');
    expect(final.embeds[0]!.description).toMatch(/```\ncommand +what it does\n[─ ]+\n\/help \[COMMAND\] +List the commands/);
    const one = await server.slash(admin, 'help', { command: 'status' }).final();
    expect(one.embeds[0]!.title).toBe('/status: Show the bot version, uptime, storage health and adapters.');
  });

  it('refuses a user without a role and writes the refusal to the audit log', async () => {
    const { server, deps } = await setup();
    const final = await server.slash(stranger, 'status', {}, { memberRoles: ['777'], channelId: '700000000000000007' }).final();
    expect(final.embeds[0]!.color).toBe(0xed4245);
    expect(plain(messageText(final))).toContain('Sorry, /status needs the viewer role; you have no role. Ask an admin to grant it to discord:999');
    const [entry] = await deps.store.audit.list({ limit: 10 });
    expect(entry).toMatchObject({ platform: 'discord', userId: '999', userName: 'eve', chatId: '700000000000000007', command: 'status', input: '/status', outcome: 'denied' });
  });

  it('grants roles from Discord member role ids and from user ids', async () => {
    const { server } = await setup();
    const viaRole = plain(messageText(await server.slash(member, 'whoami', {}, { memberRoles: ['1', VIEWER_ROLE] }).final()));
    expect(viaRole).toContain('Id: discord:456 (bob)');
    expect(viaRole).toContain('Role: viewer');
    const viaId = plain(messageText(await server.slash(admin, 'whoami', {}, { channelId: '700000000000000003' }).final()));
    expect(viaId).toContain('Chat: 700000000000000003');
    expect(viaId).toContain('Role: admin');
    const roleInDm = plain(messageText(await server.slash(member, 'status').final()));
    expect(roleInDm).toContain('needs the viewer role');
  });

  it('refuses politely and privately in a server channel not in the allow-list; direct messages stay allowed', async () => {
    const { server } = await setup({ allowedChannelIds: ['700000000000000001'] });
    const refused = server.slash(admin, 'status', {}, { channelId: '700000000000000002', memberRoles: [] });
    const final = await refused.final();
    expect(refused.state.callbacks.map((c) => c.type)).toEqual([4]);
    expect(final.ephemeral).toBe(true);
    expect(final.content).toMatch(/^Sorry, I do not take commands in this channel/);
    const allowed = await server.slash(admin, 'status', {}, { channelId: '700000000000000001', memberRoles: [] }).final();
    expect(allowed.embeds[0]!.title).toBe(`tradeops ${VERSION}`);
    const direct = await server.slash(admin, 'status', {}, { channelId: '700000000000000009' }).final();
    expect(direct.embeds[0]!.title).toBe(`tradeops ${VERSION}`);
  });

  it('answers privately where the ephemeral predicate says so', async () => {
    const { server } = await setup({ ephemeral: privateInGuilds(['whoami']) });
    const inGuild = server.slash(admin, 'whoami', {}, { memberRoles: [] });
    expect((await inGuild.final()).ephemeral).toBe(true);
    expect(inGuild.state.callbacks).toEqual([{ type: 5, data: { flags: 64 } }]);
    expect((await server.slash(admin, 'whoami').final()).ephemeral).toBe(false);
    expect((await server.slash(admin, 'status', {}, { memberRoles: [] }).final()).ephemeral).toBe(false);
  });

  it('splits a long reply over follow-up messages, and attaches a very long one, never cutting it', async () => {
    const { server } = await setup({}, testCommands);
    const medium = server.slash(admin, 'long', { n: 200 });
    const state = await medium.until((s) => s.followups.length >= 1 && plain(answerText(s)).includes('line 200 of 200'));
    const text = plain(answerText(state));
    for (let i = 1; i <= 200; i++) expect(text).toContain(`line ${i} of 200 `);
    // About 12,000 characters: one 4,096-character embed per message, as two would pass the 6,000 total.
    expect(state.followups).toHaveLength(2);

    const huge = server.slash(admin, 'long', { n: 2_000 });
    const final = await huge.final();
    expect(huge.state.followups).toEqual([]);
    const [file] = final.attachments;
    expect(file!.filename).toMatch(/^reply-[0-9a-f]{8}\.txt$/);
    const attached = file!.data.toString('utf8');
    for (let i = 1; i <= 2_000; i++) expect(attached).toContain(`line ${i} of 2000 `);
    expect(final.embeds[0]!.description).toContain(`is attached as ${file!.filename}`);
  });

  it('waits out a 429 on the edit, as the rate-limit headers say, and still delivers the reply', async () => {
    const { server, deps } = await setup();
    server.rateLimit({ method: 'PATCH', path: /\/messages\/@original$/, retryAfterMs: 300 });
    const interaction = server.slash(admin, 'status');
    const final = await interaction.final();
    expect(final.embeds[0]!.title).toBe(`tradeops ${VERSION}`);
    const edits = server.calls.filter((c) => c.method === 'PATCH' && c.path.includes(interaction.token));
    expect(edits.map((c) => c.status)).toEqual([429, 200]);
    expect(edits[1]!.atMs - edits[0]!.atMs).toBeGreaterThanOrEqual(300);
    expect(deps.logLines.some((l) => l.includes('discord rate limit; waiting'))).toBe(true);
  });

  it('retries a server error, and logs a rejected reply without crashing, answering with a fallback', async () => {
    const { server, deps } = await setup();
    server.fail({ method: 'PATCH', path: /@original$/, status: 502 });
    expect((await server.slash(admin, 'whoami').final()).embeds[0]!.title).toBe('You');

    server.fail({ method: 'PATCH', path: /@original$/, status: 400, body: { message: 'Invalid Form Body', code: 50035 } });
    const rejected = server.slash(admin, 'status');
    const state = await rejected.until((s) => s.original !== undefined);
    expect(state.original!.content).toMatch(/^Sorry, I could not show the answer here \(ref [0-9a-f]{8}\)\.$/);
    expect(deps.logLines.some((l) => l.includes('discord: could not send the reply') && l.includes('Invalid Form Body'))).toBe(true);
    expect((await server.slash(admin, 'whoami').final()).embeds[0]!.title).toBe('You');
  });

  it('shows progress by editing the deferred reply, then replaces it with the answer', async () => {
    const { server } = await setup({}, testCommands);
    const interaction = server.slash(admin, 'slow');
    await interaction.until((s) => s.history.length === 1);
    expect(interaction.state.history[0]!.content).toBe('⏳ step 1 of 2');
    release();
    const final = await interaction.final();
    expect(final.content).toBe('');
    expect(final.embeds[0]!.title).toBe('Slow');
    // The second note fell inside the throttle interval and was overtaken by the answer.
    expect(interaction.state.history.map((m) => m.content)).toEqual(['⏳ step 1 of 2', '']);
  });

  it('suggests symbols while the user types', async () => {
    const { server } = await setup({ symbols: () => ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] }, testCommands);
    const registered = server.registeredCommands.find((c) => c.name === 'order')!.options.find((o: { name: string }) => o.name === 'symbol');
    expect(registered.autocomplete).toBe(true);
    expect(await server.autocomplete(admin, 'order', { side: 'buy', symbol: 'us' }, 'symbol')).toEqual([
      { name: 'BTC/USDT', value: 'BTC/USDT' },
      { name: 'ETH/USDT', value: 'ETH/USDT' },
      { name: 'SOL/USDT', value: 'SOL/USDT' },
    ]);
    expect(await server.autocomplete(admin, 'quote', { symbols: 'BTC/USDT e' }, 'symbols')).toEqual([{ name: 'BTC/USDT ETH/USDT', value: 'BTC/USDT ETH/USDT' }]);
  });

  it('answers a click on a stale button with a private hint', async () => {
    const { server } = await setup();
    const click = server.click(admin, 'old-button', { memberRoles: [] });
    const final = await click.final();
    expect(final.ephemeral).toBe(true);
    expect(final.content).toContain('no longer active');
  });

  it('acknowledges heartbeats', async () => {
    const server = await startDiscordServer({ token: TOKEN, heartbeatIntervalMs: 40 });
    cleanups.push(() => server.close());
    const deps = testDeps(GRANTS);
    cleanups.push(() => deps.store.close());
    const adapter = await startDiscord(createCommandRunner(allCommands, deps), { token: TOKEN, apiUrl: server.apiUrl, logger: deps.logger });
    cleanups.push(() => adapter.stop());
    await vi.waitFor(() => expect(server.gateway.heartbeats).toBeGreaterThanOrEqual(3), { timeout: 2_000, interval: 20 });
    expect(server.gateway.connections).toBe(1);
  });

  it('does not run a command whose interaction expired before it could be acknowledged', async () => {
    const server = await startDiscordServer({ token: TOKEN, interactionTimeoutMs: -1 });
    cleanups.push(() => server.close());
    const deps = testDeps(GRANTS);
    cleanups.push(() => deps.store.close());
    const adapter = await startDiscord(createCommandRunner(allCommands, deps), { token: TOKEN, apiUrl: server.apiUrl, logger: deps.logger });
    cleanups.push(() => adapter.stop());
    const interaction = server.slash(admin, 'whoami');
    await vi.waitFor(() => expect(deps.logLines.some((l) => l.includes('discord: could not acknowledge') && l.includes('Unknown interaction'))).toBe(true));
    expect(server.calls.filter((c) => c.path.includes(interaction.token)).map((c) => `${c.method} ${c.status}`)).toEqual(['POST 404']);
    expect(deps.logLines.some((l) => l.includes('command done'))).toBe(false);
  });

  it('rejects a wrong token at start-up', async () => {
    const server = await startDiscordServer({ token: TOKEN });
    cleanups.push(() => server.close());
    const deps = testDeps(GRANTS);
    cleanups.push(() => deps.store.close());
    await expect(startDiscord(createCommandRunner(allCommands, deps), { token: 'wrong', apiUrl: server.apiUrl, logger: deps.logger })).rejects.toThrow(/token/i);
    expect(server.gateway.connections).toBe(0);
  });

  it('stop() lets an answer under way finish, then closes the gateway cleanly', async () => {
    const { server, adapter } = await setup({}, testCommands);
    const interaction = server.slash(admin, 'slow');
    await interaction.until((s) => s.deferred);
    const stopped = adapter.stop();
    const late = server.slash(admin, 'long', { n: 1 });
    expect((await late.final()).content).toBe('The bot is restarting; try again in a moment.');
    release();
    await stopped;
    expect(interaction.state.original!.embeds[0]!.title).toBe('Slow');
    await vi.waitFor(() => expect(server.gateway.connections).toBe(0), { timeout: 2_000, interval: 10 });
    expect(server.gateway.closeCodes).toEqual([1000]);
  });
});
