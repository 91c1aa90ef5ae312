import type { ExchangeClient } from './exchange-client.js';
import { timeframeMs } from './timeframe.js';
import type { Candle } from './types.js';

/** A span of bars to fetch: open times in `[fromMs, toMs]`. */
export interface CandleRange {
  readonly symbol: string;
  readonly timeframe: string;
  readonly fromMs: number;
  readonly toMs: number;
}

/** Options of {@link fetchCandlePages}. */
export interface PageOptions {
  /** Bars asked for per request; 1000 (Binance's maximum) by default. */
  readonly pageLimit?: number;
  /** The clock that decides which bar is still open (and so left out). */
  readonly now?: () => number;
}

/**
 * Fetches a range page by page, oldest first, yielding each page of finished bars. It walks from the last bar
 * received, so outage holes are simply skipped (and show up in a gap report), and stops at an empty page or
 * once past `toMs`. Bars that have not closed yet at `now()` are left out: they would still change.
 */
export async function* fetchCandlePages(client: ExchangeClient, range: CandleRange, options: PageOptions = {}): AsyncGenerator<Candle[]> {
  const barMs = timeframeMs(range.timeframe);
  const limit = options.pageLimit ?? 1000;
  const now = options.now ?? Date.now;
  let sinceMs = range.fromMs;
  while (sinceMs <= range.toMs) {
    const page = await client.fetchCandles(range.symbol, range.timeframe, sinceMs, limit);
    if (page.length === 0) return;
    const nowMs = now();
    const from = sinceMs;
    const finished = page.filter((c) => c.timeMs >= from && c.timeMs <= range.toMs && c.timeMs + barMs <= nowMs);
    if (finished.length > 0) yield finished;
    const lastMs = page[page.length - 1]!.timeMs;
    if (lastMs < sinceMs) throw new Error(`${client.id} returned bars before ${sinceMs} when asked for bars from it`);
    // The bar after the last one cannot have finished yet: nothing more to fetch.
    if (lastMs + 2 * barMs > nowMs) return;
    sinceMs = lastMs + barMs;
  }
}

/** All finished bars of a range, fetched with {@link fetchCandlePages}. */
export async function fetchCandleRange(client: ExchangeClient, range: CandleRange, options: PageOptions = {}): Promise<Candle[]> {
  const all: Candle[] = [];
  for await (const page of fetchCandlePages(client, range, options)) all.push(...page);
  return all;
}
