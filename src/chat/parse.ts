import { UserError } from '../errors.js';

/** The longest command line accepted, in characters. */
export const MAX_INPUT_LENGTH = 2_000;

/** A command line split into its name, positional arguments and `key=value` options. */
export interface ParsedCommand {
  readonly name: string;
  readonly positional: readonly string[];
  readonly named: Readonly<Record<string, string>>;
}

const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const KEY = /^[a-z][a-z0-9_]{0,31}$/i;

/** Splits text into words; double or single quotes group words; a backslash escapes the next character. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
      inToken = true;
    } else if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) throw new UserError(`Unclosed ${quote === '"' ? 'double' : 'single'} quote in the command.`);
  if (inToken) tokens.push(current);
  return tokens;
}

/**
 * Parses `/name a b k=v "two words"` (the slash is optional; a Telegram `@BotName` suffix is dropped).
 * Throws only UserError, whatever the input.
 */
export function parseCommandLine(input: string): ParsedCommand {
  if (input.length > MAX_INPUT_LENGTH) {
    throw new UserError(`That command is too long (${input.length} characters; the limit is ${MAX_INPUT_LENGTH}).`);
  }
  const tokens = tokenize(input.trim());
  const head = tokens.shift();
  if (head === undefined || head === '/' || head === '') throw new UserError('Type a command, e.g. /help.');
  const name = head.replace(/^\//, '').replace(/@[A-Za-z0-9_]+$/, '').toLowerCase();
  if (!NAME.test(name)) throw new UserError(`"${truncate(head)}" is not a command name. Commands look like /help.`);
  const positional: string[] = [];
  const named: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const token of tokens) {
    const eq = token.indexOf('=');
    const key = eq > 0 ? token.slice(0, eq) : '';
    if (eq > 0 && KEY.test(key)) {
      const lower = key.toLowerCase();
      if (lower in named) throw new UserError(`The option ${lower}= is given twice.`);
      named[lower] = token.slice(eq + 1);
    } else {
      positional.push(token);
    }
  }
  return { name, positional, named };
}

/** Shortens text for an error message. */
export function truncate(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
