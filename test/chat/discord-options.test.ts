import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { allCommands } from '../../commands/index.js';
import { defineCommand } from '../../src/chat/command.js';
import { commandLineFor, optionSpecs, quoteWord, slashCommandFor, suggestSymbols } from '../../src/chat/discord-options.js';
import { throttleProgress, type ProgressTimers } from '../../src/chat/discord-progress.js';
import { parseCommandLine } from '../../src/chat/parse.js';
import { argumentsFor } from '../../src/chat/run-command.js';

const order = defineCommand({
  name: 'order',
  summary: `Place an order. ${'Long summary text. '.repeat(10)}`,
  usage: '/order SIDE SYMBOL AMOUNT [limit=PRICE] [note=TEXT]',
  examples: [],
  role: 'trader',
  changesState: true,
  positional: ['side', 'symbol', 'amount'],
  args: z.strictObject({
    side: z.enum(['buy', 'sell']),
    symbol: z.string().min(3).max(20),
    amount: z.coerce.number().positive(),
    limit: z.coerce.number().min(0).max(1_000_000).optional().describe('Limit price in the quote currency'),
    note: z.string().optional(),
    dry: z.stringbool().optional(),
    count: z.coerce.number().int().default(1),
  }),
  async run() {
    return { level: 'info', lines: [] };
  },
});

const quote = defineCommand({
  name: 'quote',
  summary: 'Quotes symbols.',
  usage: '/quote SYMBOL…',
  examples: [],
  role: 'viewer',
  changesState: false,
  positional: ['timeframe', 'symbols...'],
  args: z.strictObject({ timeframe: z.string(), symbols: z.array(z.string()).min(1) }),
  async run() {
    return { level: 'info', lines: [] };
  },
});

/** What the runner would hand the command's schema for a line. */
const argsOf = (command: typeof order, line: string) => command.args.parse(argumentsFor(command, parseCommandLine(line)));

describe('slash command options from the zod schema', () => {
  it('maps enum, string, number, integer, boolean and optional fields, required first, summary truncated', () => {
    const body = slashCommandFor(order, { autocomplete: true });
    expect(body.name).toBe('order');
    expect(body.description).toHaveLength(100);
    expect(body.options).toEqual([
      { name: 'side', description: 'side', required: true, type: 3, choices: [{ name: 'buy', value: 'buy' }, { name: 'sell', value: 'sell' }] },
      { name: 'symbol', description: 'symbol', required: true, type: 3, autocomplete: true, min_length: 3, max_length: 20 },
      { name: 'amount', description: 'amount', required: true, type: 10, min_value: 0 },
      { name: 'limit', description: 'Limit price in the quote currency', required: false, type: 10, min_value: 0, max_value: 1_000_000 },
      { name: 'note', description: 'note', required: false, type: 3 },
      { name: 'dry', description: 'dry', required: false, type: 5 },
      { name: 'count', description: 'count', required: false, type: 4 },
    ]);
    expect(slashCommandFor(order, { autocomplete: false }).options?.[1]).not.toHaveProperty('autocomplete');
  });

  it('turns a variadic positional into one text option', () => {
    expect(optionSpecs(quote).map((s) => [s.name, s.kind, s.required, s.variadic, s.position])).toEqual([
      ['timeframe', 'string', true, false, 0],
      ['symbols', 'string', true, true, undefined],
    ]);
  });

  it('registers every real command within Discord limits', () => {
    for (const command of allCommands) {
      const body = slashCommandFor(command, { autocomplete: true });
      expect(body.description.length).toBeGreaterThan(0);
      expect(body.description.length).toBeLessThanOrEqual(100);
      expect(body.options?.length ?? 0).toBeLessThanOrEqual(25);
    }
    expect(slashCommandFor(allCommands.find((c) => c.name === 'help')!, { autocomplete: false }).options).toEqual([
      { name: 'command', description: 'command', required: false, type: 3 },
    ]);
  });

  it('falls back to one free-text option when the schema is not an object', () => {
    const raw = defineCommand({ name: 'raw', summary: 'Raw.', usage: '/raw WORDS', examples: [], role: 'anyone', changesState: false, args: z.unknown(), async run() { return { level: 'info', lines: [] }; } });
    expect(slashCommandFor(raw, { autocomplete: false }).options).toEqual([{ name: 'arguments', description: 'Arguments, as in /raw WORDS', required: false, type: 3 }]);
    expect(commandLineFor(raw, { arguments: 'a "b c" d=e' })).toBe('/raw a "b c" d=e');
  });
});

describe('the command line built from option values', () => {
  it('puts positional values first in order and the rest as key=value, quoting when needed', () => {
    const line = commandLineFor(order, { amount: 0.5, symbol: 'BTC/USDT', side: 'buy', note: 'buy the "dip" \\ now', dry: true });
    expect(line).toBe('/order buy BTC/USDT 0.5 note="buy the \\"dip\\" \\\\ now" dry=true');
    expect(argsOf(order, line)).toEqual({ side: 'buy', symbol: 'BTC/USDT', amount: 0.5, note: 'buy the "dip" \\ now', dry: true, count: 1 });
  });

  it('names a positional that would otherwise read as key=value, and every one after it', () => {
    const line = commandLineFor(order, { side: 'buy', symbol: 'a=b', amount: 2 });
    expect(line).toBe('/order buy symbol=a=b amount=2');
    expect(argsOf(order, line)).toMatchObject({ symbol: 'a=b', amount: 2 });
  });

  it('splits the variadic option on spaces', () => {
    const line = commandLineFor(quote, { timeframe: '1h', symbols: '  BTC/USDT   ETH/USDT ' });
    expect(line).toBe('/quote 1h BTC/USDT ETH/USDT');
    expect(argsOf(quote as typeof order, line)).toEqual({ timeframe: '1h', symbols: ['BTC/USDT', 'ETH/USDT'] });
  });

  it('round-trips any text value through the parser', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (symbol, note) => {
        const parsed = argumentsFor(order, parseCommandLine(commandLineFor(order, { side: 'sell', symbol, amount: 1, note })));
        expect(parsed).toMatchObject({ side: 'sell', symbol, amount: '1', note });
      }),
    );
    expect(quoteWord('')).toBe('""');
  });
});

describe('symbol suggestions', () => {
  const symbols = ['BTC/USDT', 'ETH/USDT', 'ETH/BTC', 'SOL/USDT'];

  it('ranks prefix matches first and completes the last word of a list', () => {
    expect(suggestSymbols(symbols, 'eth', false).map((c) => c.value)).toEqual(['ETH/BTC', 'ETH/USDT']);
    expect(suggestSymbols(symbols, 'btc', false).map((c) => c.value)).toEqual(['BTC/USDT', 'ETH/BTC']);
    expect(suggestSymbols(symbols, 'BTC/USDT so', true).map((c) => c.value)).toEqual(['BTC/USDT SOL/USDT']);
    expect(suggestSymbols(symbols, 'BTC/USDT ', true)).toHaveLength(4);
  });

  it('offers at most 25 choices of at most 100 characters', () => {
    const many = Array.from({ length: 60 }, (_, i) => `C${i}/USDT`);
    expect(suggestSymbols(many, '', false)).toHaveLength(25);
    expect(suggestSymbols(['X'.repeat(101)], '', false)).toEqual([]);
  });
});

describe('throttleProgress', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the first note at once, then the latest one per interval, and nothing after close', async () => {
    vi.useFakeTimers();
    const timers: ProgressTimers = { now: () => Date.now(), setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
    const sent: string[] = [];
    const progress = throttleProgress(async (text) => void sent.push(text), 1_500, timers);
    progress.update('1');
    progress.update('2');
    progress.update('3');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['1']);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(sent).toEqual(['1', '3']);
    progress.update('4');
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual(['1', '3']);
    await progress.close();
    await vi.advanceTimersByTimeAsync(5_000);
    progress.update('5');
    expect(sent).toEqual(['1', '3']);
  });

  it('keeps going after a failed send', async () => {
    const sent: string[] = [];
    const progress = throttleProgress(async (text) => {
      sent.push(text);
      throw new Error('network down');
    }, 0);
    progress.update('a');
    progress.update('b');
    await progress.close();
    expect(sent).toEqual(['a', 'b']);
  });
});
