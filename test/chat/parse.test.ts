import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { MAX_INPUT_LENGTH, parseCommandLine } from '../../src/chat/parse.js';

describe('parseCommandLine', () => {
  it('splits a name, positional words and key=value options', () => {
    expect(parseCommandLine('/buy BTC/USDT 0.1 limit=65000 sl=60000')).toEqual({
      name: 'buy',
      positional: ['BTC/USDT', '0.1'],
      named: { limit: '65000', sl: '60000' },
    });
  });

  it('accepts a missing slash, upper case and a Telegram @BotName suffix', () => {
    expect(parseCommandLine('STATUS').name).toBe('status');
    expect(parseCommandLine('/price@TradeOpsBot ETH/USDT')).toMatchObject({ name: 'price', positional: ['ETH/USDT'] });
  });

  it('groups quoted words and honours backslash escapes', () => {
    expect(parseCommandLine(`/note "two words" 'it''s' a\\ b note="x y"`)).toEqual({
      name: 'note',
      positional: ['two words', 'its', 'a b'],
      named: { note: 'x y' },
    });
    expect(parseCommandLine('/x ""').positional).toEqual(['']);
  });

  it('keeps words that only look like options as positional', () => {
    expect(parseCommandLine('/backtest BTC 1h =5 2024-01-01..2024-02-01 a-b=1').positional).toEqual([
      'BTC',
      '1h',
      '=5',
      '2024-01-01..2024-02-01',
      'a-b=1',
    ]);
  });

  it.each([
    ['', /Type a command/],
    ['   ', /Type a command/],
    ['/', /Type a command/],
    ['/x "open', /Unclosed double quote/],
    ['/9lives', /not a command name/],
    ['/x k=1 K=2', /k= is given twice/],
    ['/' + 'a'.repeat(MAX_INPUT_LENGTH), /too long/],
  ])('refuses %j with a clear UserError', (input, message) => {
    expect(() => parseCommandLine(input)).toThrow(UserError);
    expect(() => parseCommandLine(input)).toThrow(message);
  });

  it('never throws anything but UserError, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 3000 })), (input) => {
        try {
          const parsed = parseCommandLine(input);
          expect(parsed.name).toMatch(/^[a-z][a-z0-9_]*$/);
        } catch (error) {
          expect(error).toBeInstanceOf(UserError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('does not let an option named like an Object builtin leak into others', () => {
    const parsed = parseCommandLine('/x __proto__=1 constructor=2 tostring=3');
    expect(parsed.positional).toEqual(['__proto__=1']);
    expect(Object.getPrototypeOf(parsed.named)).toBeNull();
    expect({ ...parsed.named }).toEqual({ constructor: '2', tostring: '3' });
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });
});
