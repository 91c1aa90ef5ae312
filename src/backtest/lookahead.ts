import type { CandleColumns } from '../market/types.js';
import type { SignalFunction } from './signal.js';

/** Where a signal function peeked: bar `bar`'s target changed when candles after `cut` were removed. */
export interface Lookahead {
  readonly cut: number;
  readonly bar: number;
}

/**
 * Catches a signal function that reads the future: for each cut, recomputes the targets on candles [0, cut]
 * and compares them with the targets computed on all candles. Returns the first difference, or undefined.
 */
export function detectLookahead<P>(
  signal: SignalFunction<P>,
  candles: CandleColumns,
  params: P,
  cuts: Iterable<number>,
): Lookahead | undefined {
  const full = signal(candles, params).targets;
  for (const cut of cuts) {
    const prefix = signal(truncate(candles, cut + 1), params).targets;
    for (let bar = 0; bar <= cut; bar++) if (prefix[bar] !== full[bar]) return { cut, bar };
  }
  return undefined;
}

function truncate(c: CandleColumns, length: number): CandleColumns {
  return {
    timeMs: c.timeMs.slice(0, length), open: c.open.slice(0, length), high: c.high.slice(0, length),
    low: c.low.slice(0, length), close: c.close.slice(0, length), volume: c.volume.slice(0, length),
  };
}
