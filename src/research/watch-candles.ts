import type { Deps } from '../deps.js';
import { backfill } from '../market/data-admin.js';
import { barOpenMs, timeframeMs } from '../market/timeframe.js';
import type { CandleColumns } from '../market/types.js';

/** A watched market and timeframe. */
export interface Pair {
  readonly symbol: string;
  readonly timeframe: string;
}

/** The open time of the last bar of `barMs` that has closed at `nowMs`. */
export function lastClosedOpenMs(nowMs: number, barMs: number): number {
  return barOpenMs(nowMs, barMs) - barMs;
}

/**
 * Stores the closed bars of a pair that the store lacks, fetched from the exchange from the last stored bar on
 * (never further back than `maxBars`, so one run is bounded); upserts, so a repeat adds nothing. Returns the bars
 * fetched; no exchange call when the last closed bar is stored already.
 */
export async function topUpCandles(deps: Pick<Deps, 'market' | 'store'>, pair: Pair, nowMs: number, maxBars: number): Promise<number> {
  const barMs = timeframeMs(pair.timeframe);
  const toMs = lastClosedOpenMs(nowMs, barMs);
  const floorMs = toMs - (maxBars - 1) * barMs;
  const source = deps.market.exchange.id;
  const times = await deps.store.candles.loadTimes(source, pair.symbol, pair.timeframe, floorMs, toMs);
  const fromMs = times.length > 0 ? times[times.length - 1]! + barMs : floorMs;
  if (fromMs > toMs) return 0;
  const report = await backfill(deps.market.exchange, deps.store.candles, { ...pair, fromMs, toMs }, { now: () => nowMs, pageLimit: maxBars });
  return report.fetched;
}

/** The last `bars` closed bars of a pair as stored, or why they cannot be used now. */
export type ClosedWindow =
  | { readonly ok: true; readonly candles: CandleColumns; readonly source: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The stored closed bars of a pair up to `nowMs`, from the exchange's own source. Unusable when the newest is more
 * than one bar behind the last closed bar (the exchange may publish a bar a moment after it closes): a stance on
 * old bars would be news about the past.
 */
export async function closedWindow(deps: Pick<Deps, 'market' | 'store'>, pair: Pair, nowMs: number, bars: number): Promise<ClosedWindow> {
  const barMs = timeframeMs(pair.timeframe);
  const toMs = lastClosedOpenMs(nowMs, barMs);
  const source = deps.market.exchange.id;
  const candles = await deps.store.candles.loadColumns(source, pair.symbol, pair.timeframe, toMs - (bars - 1) * barMs, toMs);
  const n = candles.timeMs.length;
  if (n === 0) return { ok: false, reason: `no closed ${pair.timeframe} candles of ${pair.symbol} from ${source} stored for the last ${bars} bars` };
  const lastMs = candles.timeMs[n - 1]!;
  if (lastMs < toMs - barMs) {
    return { ok: false, reason: `stale: the newest ${pair.timeframe} candle of ${pair.symbol} from ${source} opened ${new Date(lastMs).toISOString()}, ${Math.round((toMs - lastMs) / barMs)} bars behind` };
  }
  return { ok: true, candles, source };
}
