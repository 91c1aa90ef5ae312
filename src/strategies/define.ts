import { z } from 'zod';
import type { CandleColumns } from '../market/types.js';
import type {
  ChoiceParamSpec,
  IndicatorCache,
  NumericParamSpec,
  ParamConstraint,
  ParamSpace,
  ParamsOf,
  Strategy,
  StrategyResult,
} from './types.js';

/** An integer parameter. */
export function intParam(min: number, max: number, defaultValue: number, description: string, step = 1): NumericParamSpec {
  return { kind: 'int', min, max, step, default: defaultValue, description };
}

/** A real-valued parameter. */
export function numberParam(min: number, max: number, defaultValue: number, description: string, step: number): NumericParamSpec {
  return { kind: 'number', min, max, step, default: defaultValue, description };
}

/** Whether a strategy may go short: `long_short` (default) or `long_only`, where short targets become flat. */
export const modeParam: ChoiceParamSpec<'long_short' | 'long_only'> = {
  kind: 'choice',
  values: ['long_short', 'long_only'],
  default: 'long_short',
  description: 'long_short takes short positions; long_only goes flat instead',
};

// "10" → 10, " 2.5 " → 2.5; anything else (e.g. "abc") is left as is for z.number() to reject with our message.
function numericString(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const number = Number(value);
  return Number.isNaN(number) ? value : number;
}

const shown = (value: unknown): string =>
  typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));

function fieldSchema(name: string, spec: NumericParamSpec | ChoiceParamSpec): z.ZodType {
  if (spec.kind === 'choice') {
    const message = (issue: { input?: unknown }): string =>
      `${name} must be one of ${spec.values.join(', ')}, got ${shown(issue.input)}`;
    return z.enum(spec.values as [string, ...string[]], { error: message }).default(spec.default);
  }
  const what = spec.kind === 'int' ? 'a whole number' : 'a number';
  const message = (issue: { input?: unknown }): string =>
    `${name} must be ${what} from ${spec.min} to ${spec.max}, got ${shown(issue.input)}`;
  let number = z.number({ error: message });
  if (spec.kind === 'int') number = number.int({ error: message });
  const bounded = number.min(spec.min, { error: message }).max(spec.max, { error: message });
  return z.preprocess(numericString, bounded).default(spec.default);
}

/** The zod schema of a parameter space: numeric strings coerced, defaults filled, unknown names and broken rules rejected. */
export function paramSchema<S extends ParamSpace>(
  space: S,
  constraints: readonly ParamConstraint<ParamsOf<S>>[] = [],
): z.ZodType<ParamsOf<S>> {
  const shape = Object.fromEntries(Object.entries(space).map(([name, spec]) => [name, fieldSchema(name, spec)]));
  const known = Object.keys(space).join(', ');
  return z
    .strictObject(shape, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (parameters: ${known})`
          : undefined,
    })
    .superRefine((params, ctx) => {
      for (const rule of constraints) {
        const problem = rule.check(params as ParamsOf<S>);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }
    }) as unknown as z.ZodType<ParamsOf<S>>;
}

/** Builds a Strategy from its name, description, parameter space, rules and signal function. */
export function defineStrategy<S extends ParamSpace>(definition: {
  readonly name: string;
  readonly description: string;
  readonly space: S;
  readonly constraints?: readonly ParamConstraint<ParamsOf<S>>[];
  readonly compute: (candles: CandleColumns, params: ParamsOf<S>, cache?: IndicatorCache) => StrategyResult;
}): Strategy<ParamsOf<S>> {
  const constraints = definition.constraints ?? [];
  const schema = paramSchema(definition.space, constraints);
  return {
    name: definition.name,
    description: definition.description,
    space: definition.space,
    constraints: constraints.map((rule) => rule.description),
    schema,
    defaults: schema.parse({}),
    accepts: (params) => schema.safeParse(params).success,
    compute: definition.compute,
  };
}

/** The rule params[low] < params[high], e.g. lessThan('fast', 'slow'): "fast (50) must be less than slow (20)". */
export function lessThan<K extends string>(low: K, high: K): ParamConstraint<Readonly<Record<K, number>>> {
  return {
    description: `${low} < ${high}`,
    check: (p) => (p[low] < p[high] ? undefined : `${low} (${p[low]}) must be less than ${high} (${p[high]})`),
  };
}

/** `cache.memo(key, compute)` when a cache is given, else `compute()`. */
export function cached<T>(cache: IndicatorCache | undefined, key: string, compute: () => T): T {
  return cache ? cache.memo(key, compute) : compute();
}
