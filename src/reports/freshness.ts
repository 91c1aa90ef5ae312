import { formatDuration, formatUtc } from '../chat/format.js';
import type { MarketData } from '../market/market-data.js';
import type { Store } from '../store/types.js';

const ago = (ms: number, nowMs: number) => `${formatDuration(Math.max(0, nowMs - ms))} ago`;

/** How fresh the live quotes are: the quote source's last answer, success rate, breaker and last failure. */
export function quoteFreshness(market: Pick<MarketData, 'quotes'>, nowMs: number): string {
  const s = market.quotes.stats();
  const last = s.lastSuccessMs === undefined ? 'no answer since the bot started' : `last answer ${ago(s.lastSuccessMs, nowMs)}`;
  const rate = s.successRate === undefined ? '' : `, ${(s.successRate * 100).toFixed(1)}% of ${s.requests} calls answered`;
  const breaker = s.breaker ? `, breaker ${s.breaker.state}` : '';
  const failure = s.lastFailure && (s.lastSuccessMs === undefined || s.lastFailure.atMs > s.lastSuccessMs) ? `; last failure ${ago(s.lastFailure.atMs, nowMs)}: ${s.lastFailure.reason}` : '';
  return `Quotes from ${s.source}: ${last}${rate}${breaker}${failure}`;
}

/** The newest stored candle of each data source, or why it is not known. */
export async function candleFreshness(store: Pick<Store, 'candles'>, nowMs: number): Promise<string[]> {
  try {
    const newest = new Map<string, { lastMs: number; series: number }>();
    for (const s of await store.candles.listSeries()) {
      const seen = newest.get(s.source);
      newest.set(s.source, { lastMs: Math.max(seen?.lastMs ?? -Infinity, s.lastMs), series: (seen?.series ?? 0) + 1 });
    }
    if (newest.size === 0) return ['Candles stored: none'];
    return [...newest].map(([source, n]) => `Candles from ${source}: newest bar opens ${formatUtc(n.lastMs)} (${ago(n.lastMs, nowMs)}), ${n.series} series`);
  } catch (error) {
    return [`Candles stored: unknown (${(error as Error).message})`];
  }
}
