import type { CandleColumns } from '../market/types.js';

/** What a signal function returns: a target position per bar (+1, −1, 0) and, optionally, its indicators. */
export interface SignalOutput {
  readonly targets: Int8Array;
  readonly indicators?: Readonly<Record<string, Float64Array>>;
  /** Warm-up bars; derived from `indicators` when absent (bt.py `_indicator_warmup_nbars`). */
  readonly warmupBars?: number;
}

/** Per-candle-set helpers a signal function may use when an optimizer calls it many times. */
export interface SignalContext {
  /** Computes a value once per candle set, e.g. an indicator shared by parameter combinations. */
  memo<T>(key: string, compute: () => T): T;
  /** A targets array reused between calls: the caller reads each output before the next call. */
  scratchTargets(length: number): Int8Array;
}

/** A vectorised strategy: bar i's target may only use candles up to bar i. */
export type SignalFunction<P = Record<string, number>> = (candles: CandleColumns, params: P, ctx?: SignalContext) => SignalOutput;

/** Where a worker finds a signal function: a module URL (or path) and the name of its export. */
export interface SignalModuleRef {
  readonly module: string;
  readonly export: string;
}

/** The warm-up of a signal's output: its own `warmupBars`, else the indicators', else 0. */
export function warmupOf(output: SignalOutput): number {
  if (output.warmupBars !== undefined) return output.warmupBars;
  return output.indicators ? indicatorWarmupBars(Object.values(output.indicators)) : 0;
}

/** A memo context backed by a Map; create one per candle set. */
export function createSignalContext(): SignalContext {
  const values = new Map<string, unknown>();
  let scratch = new Int8Array(0);
  return {
    scratchTargets(length: number): Int8Array {
      if (scratch.length !== length) scratch = new Int8Array(length);
      return scratch;
    },
    memo<T>(key: string, compute: () => T): T {
      if (values.has(key)) return values.get(key) as T;
      const value = compute();
      values.set(key, value);
      return value;
    },
  };
}

/**
 * backtesting.py's warm-up (`_indicator_warmup_nbars`): the largest index of the first non-NaN value
 * over the indicators (0 for an indicator without NaN or one that is all NaN).
 */
export function indicatorWarmupBars(indicators: Iterable<Float64Array>): number {
  let warmup = 0;
  for (const values of indicators) {
    let first = values.findIndex((v) => v === v);
    if (first < 0) first = 0;
    if (first > warmup) warmup = first;
  }
  return warmup;
}
