import type { Deps } from '../deps.js';
import type { CandleRange } from '../market/backfill.js';
import { backfill } from '../market/data-admin.js';
import { findGaps } from '../market/gaps.js';
import { resolveSymbol } from '../market/symbols.js';
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

/** Missing spans less than this many bars apart are fetched as one: the bars between cost no more than a page. */
const MERGE_BARS = 1000;

/**
 * The spans (open times `[fromMs, toMs]`) of the closed bars of a range that are missing from `timesMs`, the stored
 * open times in the range (ascending): the depth before the first, the holes between, and the bars after the last.
 */
export function missingSpans(timesMs: ArrayLike<number>, range: { fromMs: number; toMs: number }, barMs: number, nowMs: number): Array<{ fromMs: number; toMs: number }> {
  const toMs = Math.min(range.toMs, nowMs - barMs);
  const n = timesMs.length;
  if (n === 0) return range.fromMs <= toMs ? [{ fromMs: range.fromMs, toMs }] : [];
  const spans: Array<{ fromMs: number; toMs: number }> = [];
  if (timesMs[0]! - barMs >= range.fromMs) spans.push({ fromMs: range.fromMs, toMs: timesMs[0]! - barMs });
  for (const gap of findGaps(timesMs, barMs)) spans.push({ fromMs: gap.afterMs + barMs, toMs: gap.afterMs + gap.missingBars * barMs });
  if (timesMs[n - 1]! + barMs <= toMs) spans.push({ fromMs: timesMs[n - 1]! + barMs, toMs });
  const merged: Array<{ fromMs: number; toMs: number }> = [];
  for (const span of spans) {
    const previous = merged[merged.length - 1];
    if (previous && span.fromMs - previous.toMs < MERGE_BARS * barMs) previous.toMs = span.toMs;
    else merged.push({ ...span });
  }
  return merged;
}

/**
 * Stores the closed bars of a range that the store lacks (see {@link missingSpans}), fetched from the exchange span
 * by span; `onFetch` is called before each. A range stored complete costs no exchange call; bars the exchange does
 * not have (before a listing, in an outage hole) are asked for again on each call. Returns the market's symbol as
 * the exchange writes it and the bars fetched.
 */
export async function fillCandles(
  deps: Pick<Deps, 'market' | 'store'>,
  range: CandleRange,
  nowMs: number,
  onFetch?: (span: { fromMs: number; toMs: number }) => void,
): Promise<{ symbol: string; fetched: number }> {
  const { exchange } = deps.market;
  const barMs = timeframeMs(range.timeframe);
  const symbol = resolveSymbol(range.symbol, await exchange.listMarkets(), exchange.id).symbol;
  const times = await deps.store.candles.loadTimes(exchange.id, symbol, range.timeframe, range.fromMs, range.toMs);
  let fetched = 0;
  for (const span of missingSpans(times, range, barMs, nowMs)) {
    onFetch?.(span);
    fetched += (await backfill(exchange, deps.store.candles, { symbol, timeframe: range.timeframe, ...span }, { now: () => nowMs })).fetched;
  }
  return { symbol, fetched };
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
