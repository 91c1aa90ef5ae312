import type { CandleColumns } from '../../src/market/types.js';

/** Hand-written candles: closes, with high/low defaulting to the close and volume to 1; one-minute bars from 0. */
export function candles(close: readonly number[], extra: { high?: readonly number[]; low?: readonly number[]; volume?: readonly number[] } = {}): CandleColumns {
  const n = close.length;
  return {
    timeMs: Float64Array.from({ length: n }, (_, i) => i * 60_000),
    open: Float64Array.from(close),
    high: Float64Array.from(extra.high ?? close),
    low: Float64Array.from(extra.low ?? close),
    close: Float64Array.from(close),
    volume: Float64Array.from(extra.volume ?? close.map(() => 1)),
  };
}

/** The first `length` bars of a candle set (views, no copy). */
export function prefix(c: CandleColumns, length: number): CandleColumns {
  return {
    timeMs: c.timeMs.subarray(0, length),
    open: c.open.subarray(0, length),
    high: c.high.subarray(0, length),
    low: c.low.subarray(0, length),
    close: c.close.subarray(0, length),
    volume: c.volume.subarray(0, length),
  };
}
