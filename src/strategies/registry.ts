import { UserError } from '../errors.js';
import type { CandleColumns } from '../market/types.js';
import { bollingerReversion } from './bollinger-reversion.js';
import { confluence } from './confluence.js';
import { donchianBreakout } from './donchian-breakout.js';
import { emaCross, smaCross } from './ma-cross.js';
import { macdCross } from './macd-cross.js';
import { rsiReversion } from './rsi-reversion.js';
import type { ParamSpace, Strategy, StrategyParams, StrategyResult } from './types.js';

const STRATEGIES: readonly Strategy[] = [
  smaCross,
  emaCross,
  rsiReversion,
  macdCross,
  bollingerReversion,
  donchianBreakout,
  confluence,
];
const BY_NAME = new Map(STRATEGIES.map((s) => [s.name, s]));

/** Every registered strategy, in a stable order. */
export function listStrategies(): readonly Strategy[] {
  return STRATEGIES;
}

/** The strategy called `name`; a UserError listing the available names when there is none. */
export function getStrategy(name: string): Strategy {
  const strategy = BY_NAME.get(name);
  if (strategy === undefined) {
    throw new UserError(`Unknown strategy "${name}". Available strategies: ${STRATEGIES.map((s) => s.name).join(', ')}.`);
  }
  return strategy;
}

/** A usage line for a strategy's parameters with their defaults, e.g. "sma_cross fast=10 slow=30 mode=long_short". */
export function strategyUsage(strategy: Strategy): string {
  return [strategy.name, ...Object.entries(strategy.defaults).map(([k, v]) => `${k}=${v}`)].join(' ');
}

/**
 * Parses raw parameter values (numbers or numeric strings such as "10", e.g. from a chat command) for strategy `name`:
 * fills defaults, checks bounds and rules, and throws a UserError listing every problem with the usage line.
 */
export function parseStrategyParams(name: string, raw: Readonly<Record<string, unknown>>): StrategyParams {
  const strategy = getStrategy(name);
  const parsed = strategy.schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => issue.message);
  throw new UserError(`Invalid parameters for ${name}: ${problems.join('; ')}.`, strategyUsage(strategy));
}

/** The parameter space (bounds, grid steps, defaults, descriptions) of strategy `name`, for optimizers and help. */
export function strategyParamSpace(name: string): ParamSpace {
  return getStrategy(name).space;
}

/** Parses `raw` for strategy `name` and computes it on `candles`. */
export function runStrategy(name: string, candles: CandleColumns, raw: Readonly<Record<string, unknown>> = {}): StrategyResult {
  return getStrategy(name).compute(candles, parseStrategyParams(name, raw));
}
