import type { JobDeps } from '../src/ops/job.js';
import { defineJob } from '../src/ops/job.js';
import { enqueue } from '../src/ops/outbox.js';
import { TemporaryError, UserError } from '../src/errors.js';
import { closedWindow, lastClosedOpenMs, topUpCandles, type ClosedWindow } from '../src/research/watch-candles.js';
import { flipReply, stanceOnLastBar } from '../src/research/watch-signal.js';
import { listWatches, putWatchState, watchedPairs, watchStates, type Watch, type WatchState } from '../src/research/watches.js';
import { timeframeMs } from '../src/market/timeframe.js';
import type { CandleColumns } from '../src/market/types.js';

/** Closed bars a stance is computed on: as many as /signals uses, enough for every default parameter's warm-up. */
const WINDOW_BARS = 500;

type Outcome = 'posted' | 'baseline' | 'unchanged' | 'warming up';

/** Evaluates one watch (last seen in `state`) on the pair's closed bars: records a baseline silently, or posts a flip once per bar. */
async function evaluate(deps: JobDeps, watch: Watch, state: WatchState | undefined, candles: CandleColumns, source: string, nowMs: number): Promise<Outcome> {
  const now = stanceOnLastBar(watch.strategy, candles);
  if (!now) return 'warming up';
  if (state && state.barTimeMs >= now.barTimeMs) return 'unchanged';
  let outcome: Outcome = state ? 'unchanged' : 'baseline';
  if (state && state.stance !== now.stance) {
    // Recorded before the state moves on: a crash in between re-runs this bar, and the unique key refuses a second post.
    const period = `${watch.key}@${now.barTimeMs + timeframeMs(watch.timeframe)}`;
    const reply = flipReply(watch, state, now, source, candles.timeMs.length);
    const recorded = await enqueue(deps.store, { source: 'watch', period, target: watch.target, reply, expiresInMs: deps.config.ops.deliveryExpiryMs }, nowMs);
    outcome = recorded ? 'posted' : 'unchanged';
  }
  await putWatchState(deps.store.settings, watch, { stance: now.stance, barTimeMs: now.barTimeMs, watchAtMs: watch.atMs }, nowMs);
  return outcome;
}

/** The pair's closed bars after topping them up; an outage while fetching still lets fresh stored bars be used. */
async function windowFor(deps: JobDeps, pair: { symbol: string; timeframe: string }, nowMs: number): Promise<ClosedWindow> {
  let fetchError: string | undefined;
  try {
    await topUpCandles(deps, pair, nowMs, WINDOW_BARS);
  } catch (error) {
    if (!(error instanceof TemporaryError || error instanceof UserError)) throw error;
    fetchError = (error as Error).message;
  }
  const window = await closedWindow(deps, pair, nowMs, WINDOW_BARS);
  return window.ok || fetchError === undefined ? window : { ok: false, reason: `candles unavailable: ${fetchError}` };
}

/**
 * signal-watch: for each /watch, the strategy's stance on the last closed bar; a change since the last evaluation is
 * recorded as a post to the watching chat (once per watch and bar), then the deliveries job is woken.
 */
export const signalWatch = defineJob({
  name: 'signal-watch',
  summary: 'Posts a watched strategy\'s stance flips to the chats that /watch it.',
  // A few seconds past the minute: the exchange has published the bar that just closed.
  schedule: '10 * * * * *',
  async run(deps, nowMs) {
    const watches = await listWatches(deps.store.settings);
    const states = await watchStates(deps.store.settings, watches);
    if (watches.length === 0) return { summary: 'no watches' };
    const counts: Record<Outcome, number> = { posted: 0, baseline: 0, unchanged: 0, 'warming up': 0 };
    const skipped: string[] = [];
    for (const pair of watchedPairs(watches)) {
      // Every watch has seen the last closed bar (most runs of a longer timeframe): no candles to load, nothing to compute.
      const lastClosedMs = lastClosedOpenMs(nowMs, timeframeMs(pair.timeframe));
      if (pair.watches.every((w) => (states.get(w.key)?.barTimeMs ?? -Infinity) >= lastClosedMs)) {
        counts.unchanged += pair.watches.length;
        continue;
      }
      const window = await windowFor(deps, pair, nowMs);
      if (!window.ok) {
        skipped.push(`${pair.symbol} ${pair.timeframe} (${pair.watches.length} watches): ${window.reason}`);
        continue;
      }
      for (const watch of pair.watches) {
        try {
          counts[await evaluate(deps, watch, states.get(watch.key), window.candles, window.source, nowMs)]++;
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          skipped.push(`${watch.key}: ${error.message}`);
        }
      }
    }
    if (counts.posted > 0) deps.wake('deliveries');
    const tally = (Object.entries(counts) as [Outcome, number][]).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
    return { summary: [`${watches.length} watches: ${tally.join(', ') || 'none evaluated'}`, ...(skipped.length ? [`no post for ${skipped.join('; ')}`] : [])].join('; ') };
  },
});
