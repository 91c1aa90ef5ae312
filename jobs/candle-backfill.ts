import { TemporaryError, UserError } from '../src/errors.js';
import { defineJob } from '../src/ops/job.js';
import { DEFAULT_BARS, defaultRange } from '../src/research/chat-candles.js';
import { fillCandles } from '../src/research/watch-candles.js';
import { listWatches, watchedPairs } from '../src/research/watches.js';

/**
 * candle-backfill: keeps a chat backtest's default window (the last DEFAULT_BARS closed bars) of every watched
 * (symbol, timeframe) complete in the store, so /backtest and /optimize on a watched pair ask the exchange for
 * nothing: each run fetches the depth, the holes and the new bars that window lacks (at most DEFAULT_BARS per pair;
 * signal-watch tops up only its own shorter window, from its last stored bar on). An exchange outage or an unknown
 * market skips that pair with the reason (the next run catches up); anything else fails the run after the other
 * pairs are done.
 */
export const candleBackfill = defineJob({
  name: 'candle-backfill',
  summary: `Keeps the last ${DEFAULT_BARS} closed candles of every watched market and timeframe stored complete.`,
  // A few seconds past each 5-minute mark: the exchange has published the bars that just closed.
  schedule: '20 */5 * * * *',
  async run(deps, nowMs) {
    const pairs = watchedPairs(await listWatches(deps.store.settings));
    if (pairs.length === 0) return { summary: 'no watched markets' };
    const done: string[] = [];
    const skipped: string[] = [];
    let failure: unknown;
    for (const pair of pairs) {
      const name = `${pair.symbol} ${pair.timeframe}`;
      try {
        const { fetched } = await fillCandles(deps, { symbol: pair.symbol, timeframe: pair.timeframe, ...defaultRange(pair.timeframe, nowMs) }, nowMs);
        done.push(`${name} +${fetched}`);
      } catch (error) {
        if (!(error instanceof TemporaryError || error instanceof UserError)) failure ??= error;
        skipped.push(`${name} (${(error as Error).message})`);
      }
    }
    if (failure !== undefined) throw failure;
    return { summary: [`${pairs.length} watched pairs`, done.length ? `stored ${done.join(', ')}` : '', skipped.length ? `skipped ${skipped.join('; ')}` : ''].filter(Boolean).join('; ') };
  },
});
