import type { z } from 'zod';
import type { CandleColumns } from '../market/types.js';

/** What a strategy returns for a candle set. */
export interface StrategyResult {
  /** One target per bar: +1 long, −1 short, 0 flat. Bar i uses candles 0..i only; the backtest acts at bar i+1. */
  readonly targets: Int8Array;
  /** The series behind the decisions (NaN while undefined), by name, for charts and explanations. */
  readonly indicators: Readonly<Record<string, Float64Array>>;
}

/** A numeric parameter: bounds (inclusive), a suggested grid step for optimizers, and a default. */
export interface NumericParamSpec {
  readonly kind: 'int' | 'number';
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly default: number;
  readonly description: string;
}

/** A parameter chosen from a fixed list of strings. */
export interface ChoiceParamSpec<V extends string = string> {
  readonly kind: 'choice';
  readonly values: readonly V[];
  readonly default: V;
  readonly description: string;
}

/** One parameter's description. */
export type ParamSpec = NumericParamSpec | ChoiceParamSpec;

/** A strategy's parameters by name, in display order. */
export type ParamSpace = Readonly<Record<string, ParamSpec>>;

/** The parsed parameter values a space describes. */
export type ParamsOf<S extends ParamSpace> = {
  readonly [K in keyof S]: S[K] extends ChoiceParamSpec<infer V> ? V : number;
};

/** Parsed parameters of any strategy. */
export type StrategyParams = Readonly<Record<string, number | string>>;

/** A rule between parameters (e.g. fast < slow): a short description and a check returning the problem, if any. */
export interface ParamConstraint<P> {
  readonly description: string;
  readonly check: (params: P) => string | undefined;
}

/**
 * Computes a value once per candle set; structurally the backtest's SignalContext, so parameter combinations share
 * indicators (keys look like "sma:10"). Cached arrays are shared between results: treat indicators as read-only.
 */
export interface IndicatorCache {
  memo<T>(key: string, compute: () => T): T;
}

/** A named strategy: its parameters (zod schema, bounds, rules), a description and a vectorised signal function. */
export interface Strategy<P extends StrategyParams = StrategyParams> {
  readonly name: string;
  readonly description: string;
  /** Every parameter with bounds and default, for help texts and optimizer grids. */
  readonly space: ParamSpace;
  /** Human-readable cross-parameter rules, e.g. "fast < slow". */
  readonly constraints: readonly string[];
  /** Parses raw values (numbers or numeric strings; missing ones take their defaults). */
  readonly schema: z.ZodType<P>;
  readonly defaults: P;
  /** True when the values (missing ones defaulted) pass the schema: an optimizer's grid filter. */
  accepts(params: Readonly<Record<string, unknown>>): boolean;
  /** Computes targets and indicators; `cache` lets repeated calls on the same candles share indicators. */
  compute(candles: CandleColumns, params: P, cache?: IndicatorCache): StrategyResult;
}
