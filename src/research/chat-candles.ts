import type { Deps } from '../deps.js';
import { UserError } from '../errors.js';
import { timeframeMs } from '../market/timeframe.js';
import { loadStoredCandles, type CandleSet } from './candle-set.js';
import { fillCandles } from './watch-candles.js';

/** Bars tested when a chat user gives no range. */
export const DEFAULT_BARS = 1000;

/** The range a chat backtest tests when the user gives none: the last {@link DEFAULT_BARS} bars closed at `nowMs`. */
export function defaultRange(timeframe: string, nowMs: number): { fromMs: number; toMs: number } {
  const barMs = timeframeMs(timeframe);
  return { fromMs: nowMs - DEFAULT_BARS * barMs, toMs: nowMs - barMs };
}

/** Parses `FROM..TO` (dates, UTC) into a range; `undefined` for none. */
export function parseRange(text: string | undefined): { fromMs: number; toMs: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d{4}-\d\d-\d\d(?:T\d\d:\d\d)?)\.\.(\d{4}-\d\d-\d\d(?:T\d\d:\d\d)?)$/.exec(text);
  const fromMs = match ? Date.parse(`${match[1]}${match[1]!.length === 10 ? '' : 'Z'}`) : NaN;
  const toMs = match ? Date.parse(`${match[2]}${match[2]!.length === 10 ? '' : 'Z'}`) : NaN;
  if (!(fromMs < toMs)) throw new UserError(`"${text}" is not a range like 2024-01-01..2024-03-01 (UTC, FROM before TO).`);
  return { fromMs, toMs };
}

/**
 * Candles for a chat backtest: the stored series of `source` over the range (by default {@link defaultRange}); for
 * the exchange's own source, the closed bars of the range that the store lacks are fetched (and stored) first, so
 * chat users need no command line and a range asked for again costs no exchange call.
 */
export async function chatCandles(
  deps: Deps,
  request: { source: string | undefined; symbol: string; timeframe: string; range: { fromMs: number; toMs: number } | undefined; nowMs: number },
  progress: (text: string) => void,
): Promise<CandleSet> {
  const range = request.range ?? defaultRange(request.timeframe, request.nowMs);
  const source = request.source ?? deps.market.exchange.id;
  if (source === deps.market.exchange.id) {
    const fetchMessage = `fetching ${request.symbol} ${request.timeframe} candles from ${source}`;
    const { symbol } = await fillCandles(deps, { symbol: request.symbol, timeframe: request.timeframe, ...range }, request.nowMs, () => progress(fetchMessage));
    return loadStoredCandles(deps.store.candles, { source, symbol, timeframe: request.timeframe, ...range });
  }
  return loadStoredCandles(deps.store.candles, { source, symbol: request.symbol, timeframe: request.timeframe, ...range });
}

/** The smallest traded amount for a chat backtest: as asked, else satoshi-like units on exchange data, else whole units. */
export function chatUnitSize(set: CandleSet, fractional: number | undefined, exchangeId: string): number | undefined {
  if (fractional !== undefined) return fractional;
  return set.provenance.source === exchangeId ? 1e-8 : undefined;
}

/** Strategy parameters from a chat command: `params="fast=10 slow=30"` (as Discord sends them) plus loose k=v words. */
export function strategyParams(params: string | undefined, loose: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...loose };
  for (const pair of (params ?? '').split(/[\s,]+/).filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!key || value === undefined) throw new UserError(`"${pair}" in params is not name=value, e.g. params="fast=10 slow=30".`);
    out[key] = value;
  }
  return out;
}
