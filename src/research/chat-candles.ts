import type { Deps } from '../deps.js';
import { UserError } from '../errors.js';
import { backfill } from '../market/data-admin.js';
import { timeframeMs } from '../market/timeframe.js';
import { loadStoredCandles, type CandleSet } from './candle-set.js';

/** Bars tested when a chat user gives no range. */
export const DEFAULT_BARS = 1000;

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
 * Candles for a chat backtest: the stored series of `source` over the range; for the exchange's own source, the
 * range is fetched (and stored) first when it is not stored yet, so chat users need no command line.
 */
export async function chatCandles(
  deps: Deps,
  request: { source: string | undefined; symbol: string; timeframe: string; range: { fromMs: number; toMs: number } | undefined; nowMs: number },
  progress: (text: string) => void,
): Promise<CandleSet> {
  const barMs = timeframeMs(request.timeframe);
  const range = request.range ?? { fromMs: request.nowMs - DEFAULT_BARS * barMs, toMs: request.nowMs - barMs };
  const source = request.source ?? deps.market.exchange.id;
  if (source === deps.market.exchange.id) {
    progress(`fetching ${request.symbol} ${request.timeframe} candles from ${source}`);
    const report = await backfill(deps.market.exchange, deps.store.candles, { symbol: request.symbol, timeframe: request.timeframe, ...range });
    return loadStoredCandles(deps.store.candles, { source, symbol: report.symbol, timeframe: request.timeframe, ...range });
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
