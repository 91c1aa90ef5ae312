import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allCommands } from '../../commands/index.js';
import { defineCommand, type Command } from '../../src/chat/command.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner } from '../../src/chat/run-command.js';
import { TemporaryError, UserError } from '../../src/errors.js';
import { testDeps } from '../support/test-deps.js';

const alice: Caller = { platform: 'telegram', userId: '100', userName: 'alice', chatId: 'chat-1' };
const bob: Caller = { platform: 'telegram', userId: '200', userName: 'bob', chatId: 'chat-1' };
const stranger: Caller = { platform: 'discord', userId: '999', userName: 'eve', chatId: 'chan-9', groupIds: ['555'] };
const env = { ADMIN_USERS: 'telegram:100', TRADER_USERS: 'telegram:200,discord-role:777', VIEWER_USERS: 'discord-role:555', RATE_LIMIT_PER_MINUTE: '100000' };

// Test-only commands that exercise the runner's paths: a state change, a slow one, and failing ones.
const order = defineCommand({
  name: 'order',
  summary: 'Place a test order.',
  usage: '/order SYMBOL AMOUNT [limit=PRICE]',
  examples: [],
  role: 'trader',
  changesState: true,
  positional: ['symbol', 'amount'],
  args: z.strictObject({
    symbol: z.string().regex(/^[A-Z]+\/[A-Z]+$/, 'symbol must look like BTC/USDT'),
    amount: z.coerce.number().positive('amount must be more than 0'),
    limit: z.coerce.number().positive().optional(),
  }),
  async run(args) {
    return { level: 'success', title: `Ordered ${args.amount} ${args.symbol}`, lines: [] };
  },
});
let release: () => void = () => undefined;
const slow = defineCommand({
  name: 'slow',
  summary: 'Waits until released.',
  usage: '/slow',
  examples: [],
  role: 'viewer',
  changesState: false,
  args: z.strictObject({}),
  async run(_a, _d, ctx) {
    ctx.progress('halfway');
    await new Promise<void>((r) => (release = r));
    return { level: 'info', lines: ['done'] };
  },
});
const failing = (name: string, error: Error): Command =>
  defineCommand({ name, summary: '', usage: `/${name}`, examples: [], role: 'viewer', changesState: true, args: z.strictObject({}), async run() { throw error; } });
const sum = defineCommand({
  name: 'sum',
  summary: '',
  usage: '/sum N…',
  examples: [],
  role: 'anyone',
  changesState: false,
  positional: ['numbers...'],
  args: z.strictObject({ numbers: z.array(z.coerce.number()).min(1, 'give at least one number') }),
  async run({ numbers }) {
    return { level: 'info', lines: [String(numbers.reduce((a, b) => a + b, 0))] };
  },
});

const commands = [...allCommands, order, slow, sum, failing('boom', new Error('secret internals at db.ts:42')),
  failing('later', new TemporaryError('The exchange is rate-limiting us.', 30_000)), failing('oops', new UserError('No such symbol XYZ.', '/oops SYMBOL')),
  failing('busy', new TemporaryError('binance is rate-limiting our requests', 10_000, { sayWhen: true }))];

describe('command runner', () => {
  let deps = testDeps(env);
  afterEach(async () => {
    await deps.store.close();
    deps = testDeps(env);
  });

  it('runs a command with typed arguments from words and options, and audits the state change', async () => {
    const runner = createCommandRunner(commands, deps);
    const reply = await runner.run('/order BTC/USDT 0.5 limit=65000', bob);
    expect(reply).toMatchObject({ level: 'success', title: 'Ordered 0.5 BTC/USDT', outcome: 'ok' });
    const [entry] = await deps.store.audit.list({ limit: 5 });
    expect(entry).toMatchObject({ command: 'order', userId: '200', platform: 'telegram', chatId: 'chat-1', outcome: 'ok', input: '/order BTC/USDT 0.5 limit=65000', requestId: reply.requestId });
  });

  it('does not audit read-only commands', async () => {
    await createCommandRunner(commands, deps).run('/status', alice);
    expect(await deps.store.audit.list({ limit: 5 })).toEqual([]);
  });

  it('explains bad arguments in one line with the usage, and audits the failure', async () => {
    const runner = createCommandRunner(commands, deps);
    const reply = await runner.run('/order btc 0.5', bob);
    expect(reply).toMatchObject({ level: 'error', outcome: 'user_error', usage: '/order SYMBOL AMOUNT [limit=PRICE]' });
    expect(reply.lines).toEqual(['symbol: symbol must look like BTC/USDT']);
    expect((await runner.run('/order BTC/USDT -1', bob)).lines[0]).toBe('amount: amount must be more than 0');
    expect((await runner.run('/order BTC/USDT 1 2', bob)).lines[0]).toBe('Too many arguments: "2".');
    expect((await runner.run('/order BTC/USDT 1 stop=3', bob)).lines[0]).toMatch(/stop/);
    expect((await runner.run('/order BTC/USDT 1 symbol=ETH/USDT', bob)).lines[0]).toMatch(/symbol is given twice/);
    const audited = await deps.store.audit.list({ limit: 10 });
    expect(audited.map((e) => e.outcome)).toEqual(Array(5).fill('user_error'));
  });

  it('collects variadic words', async () => {
    const runner = createCommandRunner(commands, deps);
    expect((await runner.run('/sum 1 2 3.5', stranger)).lines).toEqual(['6.5']);
    expect((await runner.run('/sum', stranger)).lines).toEqual(['numbers: give at least one number']);
  });

  it('suggests the nearest command for a typo', async () => {
    const reply = await createCommandRunner(commands, deps).run('/stauts', alice);
    expect(reply.lines[0]).toBe('Unknown command /stauts. Did you mean /status? Type /help for the list.');
  });

  it('denies by default, names the missing role, and audits the refusal', async () => {
    const runner = createCommandRunner(commands, deps);
    const nobody: Caller = { platform: 'telegram', userId: '300', userName: undefined, chatId: 'c' };
    const reply = await runner.run('/status', nobody);
    expect(reply).toMatchObject({ level: 'error', outcome: 'denied' });
    expect(reply.lines[0]).toBe('Sorry, /status needs the viewer role; you have no role. Ask an admin to grant it to telegram:300 (see /whoami).');
    expect((await runner.run('/order BTC/USDT 1', stranger)).lines[0]).toMatch(/needs the trader role; you have the viewer role/);
    const audited = await deps.store.audit.list({ limit: 5 });
    expect(audited.map((e) => [e.command, e.userId, e.outcome])).toEqual([['order', '999', 'denied'], ['status', '300', 'denied']]);
  });

  it('grants roles by Discord role id and ranks admin above trader above viewer', async () => {
    const runner = createCommandRunner(commands, deps);
    const trader: Caller = { ...stranger, groupIds: ['777'] };
    expect((await runner.run('/order BTC/USDT 1', trader)).outcome).toBe('ok');
    expect((await runner.run('/order BTC/USDT 1', alice)).outcome).toBe('ok');
    expect((await runner.run('/whoami', { ...stranger, groupIds: [] })).lines).toContain('Role: none (ask an admin to add your id to VIEWER_USERS, TRADER_USERS or ADMIN_USERS)');
  });

  it('answers an internal error with a reference, never the stack or message, and logs the details', async () => {
    const reply = await createCommandRunner(commands, deps).run('/boom', alice);
    expect(reply.outcome).toBe('internal_error');
    expect(reply.lines[0]).toMatch(/^Internal error \(ref [0-9a-f]{8}\)/);
    expect(JSON.stringify(reply)).not.toMatch(/secret internals|db\.ts|at /);
    const ref = /ref ([0-9a-f]{8})/.exec(reply.lines[0]!)![1]!;
    expect(deps.logLines.some((l) => l.includes(ref) && l.includes('secret internals'))).toBe(true);
  });

  it('answers a temporary error with the reason and when to retry', async () => {
    const reply = await createCommandRunner(commands, deps).run('/later', alice);
    expect(reply).toMatchObject({ level: 'warning', outcome: 'temporary_error', lines: ['The exchange is rate-limiting us. Try again in 30 s.'] });
  });

  it('says once when to retry when the error already says it', async () => {
    const reply = await createCommandRunner(commands, deps).run('/busy', alice);
    expect(reply).toMatchObject({ level: 'warning', outcome: 'temporary_error', lines: ['binance is rate-limiting our requests; try again in 10 s.'] });
  });

  it('answers a UserError thrown by a command with its message and usage', async () => {
    const reply = await createCommandRunner(commands, deps).run('/oops', alice);
    expect(reply).toMatchObject({ lines: ['No such symbol XYZ.'], usage: '/oops SYMBOL', outcome: 'user_error' });
  });

  it('finishes running commands on drain and refuses new ones once closed', async () => {
    const runner = createCommandRunner(commands, deps);
    const progress: string[] = [];
    const running = runner.run('/slow', alice, { progress: (p) => progress.push(p) });
    await new Promise((r) => setTimeout(r, 10));
    expect(runner.inFlight).toBe(1);
    runner.close();
    expect((await runner.run('/status', alice)).lines[0]).toMatch(/shutting down/);
    let drained = false;
    const drain = runner.drain().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(drained).toBe(false);
    release();
    await drain;
    expect((await running).lines).toEqual(['done']);
    expect(progress).toEqual(['halfway']);
  });

  it('never throws and always answers, whatever a user types', async () => {
    const runner = createCommandRunner(commands, deps);
    const names = commands.map((c) => `/${c.name}`);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.tuple(fc.constantFrom(...names.filter((n) => n !== '/slow')), fc.array(fc.oneof(fc.string(), fc.constantFrom('k=v', '=', '""', "'", 'limit=1e999', 'x'.repeat(100))), { maxLength: 5 })).map(([n, words]) => [n, ...words].join(' ')),
        ),
        fc.constantFrom(alice, bob, stranger),
        async (input, caller) => {
          const reply = await runner.run(input, caller);
          expect(reply.lines.length + (reply.table ? 1 : 0)).toBeGreaterThan(0);
          expect(['ok', 'user_error', 'denied', 'temporary_error', 'internal_error']).toContain(reply.outcome);
          if (!['/boom'].some((n) => input.trim().toLowerCase().startsWith(n))) expect(reply.outcome).not.toBe('internal_error');
          expect(reply.lines[0] ?? '').not.toMatch(/^Slow down/);
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('/help', () => {
  it('lists only the commands the caller may run, and details one command', async () => {
    const deps = testDeps(env);
    const runner = createCommandRunner(commands, deps);
    const forViewer = await runner.run('/help', stranger);
    expect(forViewer.table!.rows.map((r) => r[0])).toContain('/status');
    expect(forViewer.table!.rows.map((r) => r[0])).not.toContain('/order SYMBOL AMOUNT [limit=PRICE]');
    expect(forViewer.lines[0]).toMatch(/more need a role/);
    const detail = await runner.run('/help order', alice);
    expect(detail.lines).toEqual(['Usage: /order SYMBOL AMOUNT [limit=PRICE]', 'Needs: the trader role']);
    expect((await runner.run('/help nope', alice)).lines[0]).toBe('There is no command /nope. Type /help for the list.');
    await deps.store.close();
  });
});

describe('per-user rate limit', () => {
  it('allows a burst up to the limit, then says when to retry, and refills over time; local users are exempt', async () => {
    const clock = { ms: 0, now() { return this.ms; } };
    const deps = testDeps({ ...env, RATE_LIMIT_PER_MINUTE: '3' }, clock);
    const runner = createCommandRunner(commands, deps);
    for (let i = 0; i < 3; i++) expect((await runner.run('/whoami', alice)).outcome).toBe('ok');
    const limited = await runner.run('/whoami', alice);
    expect(limited).toMatchObject({ level: 'warning', lines: ['Slow down: you can send another command in 20 s.'] });
    expect((await runner.run('/whoami', bob)).outcome).toBe('ok');
    clock.ms = 20_000;
    expect((await runner.run('/whoami', alice)).outcome).toBe('ok');
    const local: Caller = { platform: 'console', userId: 'me', userName: 'me', chatId: 'local' };
    for (let i = 0; i < 10; i++) expect((await runner.run('/whoami', local)).outcome).toBe('ok');
    await deps.store.close();
  });
});
