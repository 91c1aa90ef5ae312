import type { CandleInput } from './candle-columns.js';
import type { CandleColumns, SeriesInfo } from './types.js';

/**
 * Where candles are kept, one series per (source, symbol, timeframe). Every call names its source, and no call
 * ever mixes two sources. Ranges are inclusive bar open times; omitted bounds mean "all".
 */
export interface CandleRepository {
  /** Inserts or replaces bars by open time; running it twice never duplicates a bar. Returns bars written. */
  upsert(source: string, symbol: string, timeframe: string, candles: CandleInput): Promise<number>;
  /** The bars in `[fromMs, toMs]`, oldest first, straight into typed arrays. */
  loadColumns(source: string, symbol: string, timeframe: string, fromMs?: number, toMs?: number): Promise<CandleColumns>;
  /** Only the open times in `[fromMs, toMs]`, oldest first: the input of a gap report. */
  loadTimes(source: string, symbol: string, timeframe: string, fromMs?: number, toMs?: number): Promise<Float64Array>;
  /** Every stored series with its row count and extent, ordered by source, symbol, timeframe. */
  listSeries(): Promise<SeriesInfo[]>;
  /** Deletes one series; returns the bars deleted. */
  deleteSeries(source: string, symbol: string, timeframe: string): Promise<number>;
  /** Deletes everything from one source; returns the bars deleted. */
  deleteSource(source: string): Promise<number>;
}

/** The widest range a repository is asked for when a bound is omitted. */
export const ALL_TIME = { fromMs: -8.64e15, toMs: 8.64e15 } as const;

/** Orders series listings the same way in every implementation. */
export function compareSeries(a: SeriesInfo, b: SeriesInfo): number {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return cmp(a.source, b.source) || cmp(a.symbol, b.symbol) || cmp(a.timeframe, b.timeframe);
}
