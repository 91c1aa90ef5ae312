import type { SignalContext, SignalOutput } from '../backtest/signal.js';
import type { CandleColumns } from '../market/types.js';
import { listStrategies } from '../strategies/registry.js';

/**
 * The optimizer's signal function for every registered strategy, loaded by worker threads by module and export
 * name. The optimizer's parameters are numbers: `strategy` is the index of the strategy in the registry's list
 * (`listStrategies()`), and a choice parameter (e.g. `mode`) is the index of its value in the strategy's space.
 */
export function strategySignal(candles: CandleColumns, params: Readonly<Record<string, number>>, ctx?: SignalContext): SignalOutput {
  const strategy = listStrategies()[params.strategy ?? -1];
  if (strategy === undefined) throw new RangeError(`no strategy with index ${params.strategy}`);
  const values: Record<string, number | string> = {};
  for (const [key, spec] of Object.entries(strategy.space)) {
    const v = params[key];
    if (v === undefined) continue;
    values[key] = spec.kind === 'choice' ? spec.values[v]! : v;
  }
  return strategy.compute(candles, strategy.schema.parse(values), ctx);
}

/** Where worker threads find {@link strategySignal}. */
export const STRATEGY_SIGNAL_MODULE = { module: new URL('./strategy-signal.ts', import.meta.url).href, export: 'strategySignal' } as const;
