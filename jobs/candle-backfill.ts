import { TemporaryError, UserError } from '../src/errors.js';
import { defineJob } from '../src/ops/job.js';
import { DEFAULT_BARS } from '../src/research/chat-candles.js';
import { topUpCandles } from '../src/research/watch-candles.js';
import { listWatches, watchedPairs } from '../src/research/watches.js';

/**
 * candle-backfill: keeps the candles of every watched (symbol, timeframe) current in the store, from the last stored
 * bar on, at most a chat backtest's default window per pair and run. An exchange outage or an unknown market skips
 * that pair with the reason (the next run catches up); anything else fails the run after the other pairs are done.
 */
export const candleBackfill = defineJob({
  name: 'candle-backfill',
  summary: 'Stores the new closed candles of every watched market and timeframe.',
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
        done.push(`${name} +${await topUpCandles(deps, pair, nowMs, DEFAULT_BARS)}`);
      } catch (error) {
        if (!(error instanceof TemporaryError || error instanceof UserError)) failure ??= error;
        skipped.push(`${name} (${(error as Error).message})`);
      }
    }
    if (failure !== undefined) throw failure;
    return { summary: [`${pairs.length} watched pairs`, done.length ? `stored ${done.join(', ')}` : '', skipped.length ? `skipped ${skipped.join('; ')}` : ''].filter(Boolean).join('; ') };
  },
});
