import { optimize, type Heatmap, type OptimizeResult, type SearchMethod } from '../backtest/optimize.js';
import type { Objective } from '../backtest/objective.js';
import { paramValues, type ParamSpace as SearchSpace, type Params } from '../backtest/param-space.js';
import type { BacktestOptions } from '../backtest/types.js';
import { walkForward, type WalkForwardResult, type WalkForwardWindows } from '../backtest/walk-forward.js';
import type { OptimizerPool } from '../backtest/worker-pool.js';
import { UserError } from '../errors.js';
import { getStrategy, listStrategies } from '../strategies/registry.js';
import type { Strategy } from '../strategies/types.js';
import type { CandleSet } from './candle-set.js';
import { STRATEGY_SIGNAL_MODULE } from './strategy-signal.js';

/** Objectives by the names users type (`profit-factor` works as well as `profit_factor`). */
export const OBJECTIVE_NAMES: Readonly<Record<string, Objective>> = {
  sharpe: 'sharpeRatio',
  sortino: 'sortinoRatio',
  return: 'returnPct',
  equity: 'equityFinal',
  calmar: 'calmarRatio',
  profit_factor: 'profitFactor',
  sqn: 'sqn',
};

/** The objective a user named, or undefined. */
export function objectiveNamed(name: string): Objective | undefined {
  return OBJECTIVE_NAMES[name.toLowerCase().replace('-', '_')];
}

/** A heatmap as rows of scores (y by x), the form the chart takes. */
export function heatmapGrid(h: Heatmap): { xName: string; yName: string; xs: readonly number[]; ys: readonly number[]; values: number[][] } {
  const values = h.y.values.map((_, yi) => h.x.values.map((__, xi) => h.scores[yi * h.x.values.length + xi]!));
  return { xName: h.x.name, yName: h.y.name, xs: h.x.values, ys: h.y.values, values };
}

/** The most combinations one search may try. */
export const MAX_COMBINATIONS = 100_000;

/** An optimisation request; `ranges` override the strategy's own bounds, e.g. `{ fast: '5:50:5', mode: 'long_only' }`. */
export interface OptimizeJob {
  readonly strategy: string;
  readonly ranges: Readonly<Record<string, string>>;
  readonly objective: Objective;
  readonly search: SearchMethod;
  readonly options: BacktestOptions;
  readonly walkForward?: WalkForwardWindows;
  readonly pool?: OptimizerPool;
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly abortSignal?: AbortSignal;
}

/** The search space for a strategy: its own bounds and steps, narrowed or fixed by `ranges` (MIN:MAX[:STEP], A|B|C, or a value). */
export function searchSpace(strategy: Strategy, ranges: Readonly<Record<string, string>>): SearchSpace {
  for (const key of Object.keys(ranges)) {
    if (!(key in strategy.space)) throw new UserError(`${strategy.name} has no parameter "${key}"; it has ${Object.keys(strategy.space).join(', ')}.`);
  }
  const space: Record<string, SearchSpace[string]> = { strategy: { values: [listStrategies().findIndex((s) => s.name === strategy.name)] } };
  for (const [name, spec] of Object.entries(strategy.space)) {
    const text = ranges[name];
    if (spec.kind === 'choice') {
      const wanted = text === undefined ? [spec.default] : text.split('|');
      const indexes = wanted.map((v) => spec.values.indexOf(v as never));
      if (indexes.some((i) => i < 0)) throw new UserError(`${name} must be one of ${spec.values.join(', ')}.`);
      space[name] = { values: indexes };
      continue;
    }
    if (text === undefined) space[name] = { min: spec.min, max: spec.max, step: spec.step };
    else if (text.includes(':')) {
      const [min, max, step] = text.split(':').map(Number);
      if (![min, max].every((v) => Number.isFinite(v)) || (step !== undefined && !(step > 0)) || min! > max!) {
        throw new UserError(`${name}=${text} is not MIN:MAX[:STEP].`);
      }
      space[name] = { min: min!, max: max!, step: step ?? spec.step };
    } else {
      const values = text.split('|').map(Number);
      if (values.some((v) => !Number.isFinite(v))) throw new UserError(`${name}=${text} is not a number or a list A|B|C.`);
      space[name] = { values };
    }
  }
  return space;
}

/** The searched parameters with more than one value, in order: the heatmap's axes when there are two. */
export function varyingParams(space: SearchSpace): string[] {
  return Object.keys(space).filter((k) => paramValues(space[k]!).length > 1);
}

/** Strategy parameters from an optimizer combination (indexes of choices turned back into names). */
export function strategyParamsOf(strategy: Strategy, params: Params): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [name, spec] of Object.entries(strategy.space)) {
    const v = params[name];
    if (v !== undefined) out[name] = spec.kind === 'choice' ? spec.values[v]! : v;
  }
  return out;
}

/** Runs a grid or random search (and walk-forward validation when asked) over a strategy on a candle set. */
export async function runOptimizeJob(
  set: CandleSet,
  job: OptimizeJob,
): Promise<{ strategy: Strategy; space: SearchSpace; result: OptimizeResult; walkForward: WalkForwardResult | undefined }> {
  const strategy = getStrategy(job.strategy);
  const space = searchSpace(strategy, job.ranges);
  const size = Object.values(space).reduce((n, spec) => n * paramValues(spec).length, 1);
  if (job.search.kind === 'grid' && size > MAX_COMBINATIONS) {
    throw new UserError(`That grid has ${size.toLocaleString('en-US')} combinations (at most ${MAX_COMBINATIONS.toLocaleString('en-US')}); narrow the ranges or use a random search.`);
  }
  const constraint = (p: Params) => strategy.accepts(strategyParamsOf(strategy, p));
  const varying = varyingParams(space);
  const common = {
    candles: set.candles,
    signal: STRATEGY_SIGNAL_MODULE,
    space,
    constraint,
    search: job.search,
    objective: job.objective,
    backtest: job.options,
    ...(job.pool ? { pool: job.pool } : {}),
    ...(job.workers === undefined ? {} : { workers: job.workers }),
    ...(job.abortSignal ? { abortSignal: job.abortSignal } : {}),
  };
  const result = await optimize({
    ...common,
    ...(varying.length === 2 ? { heatmapParams: [varying[0]!, varying[1]!] as const } : {}),
    ...(job.onProgress ? { onProgress: (p: { done: number; total: number }) => job.onProgress!(p.done, p.total) } : {}),
  });
  if (result.ranked.length === 0) throw new UserError(`No parameter combination of ${strategy.name} passes its rules (${strategy.constraints.join('; ')}) in those ranges.`);
  const wf = job.walkForward ? await walkForward({ ...common, windows: job.walkForward }) : undefined;
  return { strategy, space, result, walkForward: wf };
}
