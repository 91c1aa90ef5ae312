import {
  ApplicationCommandOptionType,
  type APIApplicationCommandBasicOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { z } from 'zod';
import type { Command } from './command.js';

/** A slash-command option derived from one argument of a command's schema. */
export interface OptionSpec {
  /** The argument's name in the schema. */
  readonly key: string;
  /** The Discord option name (lower case). */
  readonly name: string;
  readonly kind: 'string' | 'integer' | 'number' | 'boolean';
  readonly required: boolean;
  readonly description: string;
  readonly choices?: readonly string[];
  /** Index among the fixed positional arguments, when the argument is one. */
  readonly position?: number;
  /** The final `name...` positional: one text option whose words are split on spaces. */
  readonly variadic: boolean;
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** The option that carries raw argument text for a command whose schema is not an object. */
export const RAW_ARGUMENTS = 'arguments';
const MAX_CHOICES = 25;
const SAFE_NUMBER = Number.MAX_SAFE_INTEGER;

/** Strips optional/default/nullable/pipe wrappers to the schema that says what a value looks like. */
function innermost(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let depth = 0; depth < 20; depth++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodNonOptional || s instanceof z.ZodCatch || s instanceof z.ZodReadonly) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      // The side that is a real schema: `z.string().transform(…)` reads as a string, `z.stringbool()` as a boolean.
      s = (s.out instanceof z.ZodTransform ? s.in : s.out) as z.ZodType;
    } else {
      return s;
    }
  }
  return s;
}

// `.int()` implies the safe-integer range; only bounds a command chose are worth showing.
const inRange = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) && Math.abs(n) < SAFE_NUMBER ? n : undefined);

function describeField(key: string, field: z.ZodType, variadic: boolean): Omit<OptionSpec, 'key' | 'name' | 'position' | 'variadic'> {
  const inner = innermost(field);
  const label = key.replace(/_/g, ' ');
  const description = (field.description ?? inner.description ?? (variadic ? `${label} (separate several with spaces)` : label)).slice(0, 100);
  const required = variadic ? !field.safeParse([]).success : !field.isOptional();
  if (variadic) return { kind: 'string', required, description };
  if (inner instanceof z.ZodNumber) {
    const minValue = inRange(inner.minValue);
    const maxValue = inRange(inner.maxValue);
    return { kind: inner.isInt ? 'integer' : 'number', required, description, ...(minValue === undefined ? {} : { minValue }), ...(maxValue === undefined ? {} : { maxValue }) };
  }
  if (inner instanceof z.ZodBoolean) return { kind: 'boolean', required, description };
  const values = inner instanceof z.ZodEnum ? inner.options : inner instanceof z.ZodLiteral ? [...inner.values] : undefined;
  const choices = values?.map(String);
  if (choices && choices.length > 0 && choices.length <= MAX_CHOICES) return { kind: 'string', required, description, choices };
  if (inner instanceof z.ZodString) {
    const minLength = inner.minLength ?? undefined;
    const maxLength = inner.maxLength ?? undefined;
    return { kind: 'string', required, description, ...(minLength ? { minLength: Math.min(minLength, 6_000) } : {}), ...(maxLength ? { maxLength: Math.min(maxLength, 6_000) } : {}) };
  }
  return { kind: 'string', required, description };
}

/** The options of a command, read from its positional names and zod object schema; required ones first. */
export function optionSpecs(command: Command): OptionSpec[] {
  if (!(command.args instanceof z.ZodObject)) {
    return [{ key: RAW_ARGUMENTS, name: RAW_ARGUMENTS, kind: 'string', required: false, description: `Arguments, as in ${command.usage}`.slice(0, 100), variadic: false }];
  }
  const shape = command.args.shape as Record<string, z.ZodType>;
  const positional = command.positional.map((p) => p.replace(/\.\.\.$/, ''));
  const variadicKey = command.positional.at(-1)?.endsWith('...') ? positional.at(-1) : undefined;
  const keys = [...positional.filter((k) => k in shape), ...Object.keys(shape).filter((k) => !positional.includes(k))];
  const specs = keys.map((key): OptionSpec => {
    const variadic = key === variadicKey;
    const index = positional.indexOf(key);
    return {
      key,
      name: key.toLowerCase().replace(/[^-_\p{L}\p{N}]/gu, '_').slice(0, 32),
      variadic,
      ...(index >= 0 && !variadic ? { position: index } : {}),
      ...describeField(key, shape[key]!, variadic),
    };
  });
  if (specs.length > 25) throw new Error(`/${command.name} has ${specs.length} arguments; a Discord slash command takes at most 25.`);
  // Discord wants required options before optional ones; the sort is stable, so the order is kept otherwise.
  return [...specs.filter((s) => s.required), ...specs.filter((s) => !s.required)];
}

/** Whether an option gets symbol suggestions as the user types. */
export function isSymbolOption(spec: OptionSpec): boolean {
  return spec.kind === 'string' && spec.choices === undefined && (spec.key === 'symbol' || spec.key === 'symbols');
}

/** The registration body of one slash command; `autocomplete` turns on suggestions for symbol options. */
export function slashCommandFor(command: Command, options: { autocomplete: boolean }): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const toOption = (spec: OptionSpec): APIApplicationCommandBasicOption => {
    const base = { name: spec.name, description: spec.description || spec.name, required: spec.required };
    if (spec.kind === 'boolean') return { ...base, type: ApplicationCommandOptionType.Boolean };
    if (spec.kind === 'integer' || spec.kind === 'number') {
      const range = { ...(spec.minValue === undefined ? {} : { min_value: spec.minValue }), ...(spec.maxValue === undefined ? {} : { max_value: spec.maxValue }) };
      return spec.kind === 'integer' ? { ...base, type: ApplicationCommandOptionType.Integer, ...range } : { ...base, type: ApplicationCommandOptionType.Number, ...range };
    }
    if (spec.choices) return { ...base, type: ApplicationCommandOptionType.String, choices: spec.choices.map((c) => ({ name: c.slice(0, 100), value: c.slice(0, 100) })) };
    return {
      ...base,
      type: ApplicationCommandOptionType.String,
      ...(options.autocomplete && isSymbolOption(spec) ? { autocomplete: true } : {}),
      ...(spec.minLength === undefined || spec.variadic ? {} : { min_length: spec.minLength }),
      ...(spec.maxLength === undefined || spec.variadic ? {} : { max_length: spec.maxLength }),
    };
  };
  return { name: command.name, description: (command.summary || command.name).slice(0, 100), options: optionSpecs(command).map(toOption) };
}

/** Quotes a word for the command-line parser when it holds spaces, quotes or backslashes. */
export function quoteWord(word: string): string {
  if (/^[^\s"'\\]+$/.test(word)) return word;
  return `"${word.replace(/[\\"]/g, '\\$&')}"`;
}

const LOOKS_NAMED = /^[a-z][a-z0-9_]{0,31}=/i;

/**
 * Builds the text line `/name word … key=value` from slash-command option values (by Discord option name), as a
 * user would type it: positional arguments in order, the variadic one split on spaces, the rest as `key=value`.
 */
export function commandLineFor(command: Command, values: Readonly<Record<string, string | number | boolean>>): string {
  const specs = optionSpecs(command);
  const words = [`/${command.name}`];
  const text = (spec: OptionSpec) => (values[spec.name] === undefined ? undefined : String(values[spec.name]));
  // After a missing positional (or one that would read as key=value), later ones must be named to keep their place.
  let named = false;
  for (const spec of specs.filter((s) => s.position !== undefined).sort((a, b) => a.position! - b.position!)) {
    const value = text(spec);
    if (value === undefined) named = true;
    else if (named || LOOKS_NAMED.test(value)) {
      named = true;
      words.push(`${spec.key}=${quoteWord(value)}`);
    } else words.push(quoteWord(value));
  }
  for (const spec of specs.filter((s) => s.variadic)) words.push(...(text(spec) ?? '').split(/\s+/).filter(Boolean).map(quoteWord));
  for (const spec of specs.filter((s) => s.position === undefined && !s.variadic)) {
    const value = text(spec);
    if (value === undefined) continue;
    words.push(spec.key === RAW_ARGUMENTS && !(command.args instanceof z.ZodObject) ? value : `${spec.key}=${quoteWord(value)}`);
  }
  return words.join(' ');
}

/** Up to 25 autocomplete choices for what the user is typing; with `several`, completes the last word. */
export function suggestSymbols(candidates: readonly string[], typed: string, several: boolean): Array<{ name: string; value: string }> {
  const words = typed.split(/\s+/).filter(Boolean);
  const last = several ? (/\s$/.test(typed) ? '' : (words.pop() ?? '')) : typed.trim();
  const before = several ? words.join(' ') : '';
  const query = last.toUpperCase();
  const rank = (c: string) => (c.toUpperCase().startsWith(query) ? 0 : 1);
  return [...new Set(candidates)]
    .filter((c) => c.toUpperCase().includes(query))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((c) => (before ? `${before} ${c}` : c))
    .filter((v) => v.length <= 100)
    .slice(0, MAX_CHOICES)
    .map((value) => ({ name: value, value }));
}
