import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/backtest/engine.js';
import { detectLookahead } from '../../src/backtest/lookahead.js';
import { smaCrossTargets } from '../../src/backtest/reference-signals.js';
import type { SignalFunction } from '../../src/backtest/signal.js';
import { tradeRecords } from '../../src/backtest/trades.js';
import type { BacktestOptions } from '../../src/backtest/types.js';
import type { CandleColumns } from '../../src/market/types.js';
import { DATA_DIR, readOhlcCsv, sliceCandles } from './data.js';

const GOOG = sliceCandles(readOhlcCsv(`${DATA_DIR}/GOOG.csv`), 0, 400);
const N = GOOG.close.length;

/** Real candles with every bar after `k` scaled by its own factor (OHLC stays consistent). */
function alterAfter(c: CandleColumns, k: number, factors: number[]): CandleColumns {
  const scale = (col: Float64Array): Float64Array => col.map((v, i) => (i > k ? v * factors[i % factors.length]! : v));
  return { ...c, open: scale(c.open), high: scale(c.high), low: scale(c.low), close: scale(c.close) };
}

const OPTIONS: BacktestOptions[] = [
  { finalize: true },
  { tradeOnClose: true, commission: 0.002, spread: 0.001 },
  { stopLoss: { fraction: 0.03 }, takeProfit: { fraction: 0.08 }, trailingStop: { fraction: 0.05 }, margin: 0.5 },
];

describe('no look-ahead', () => {
  it('altering candles after bar k never changes trades closed before k nor equity before k', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: N - 2 }),
        fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 1, maxLength: 16 }),
        fc.constantFrom(...OPTIONS),
        (k, factors, options) => {
          const run = (c: CandleColumns) => simulate(c, smaCrossTargets(c, { fast: 5, slow: 15 }).targets, { ...options, warmupBars: 14 });
          const base = run(GOOG);
          const altered = run(alterAfter(GOOG, k, factors));
          const before = (r: typeof base) => tradeRecords(r.trades).filter((t) => t.exitBar < k);
          expect(before(altered)).toEqual(before(base));
          expect(altered.equity.subarray(0, k)).toEqual(base.equity.subarray(0, k));
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });

  it('a causal signal passes the detector; one that reads the next close is caught', () => {
    const cuts = [50, 120, 250, 399];
    expect(detectLookahead(smaCrossTargets, GOOG, { fast: 10, slow: 30 }, cuts)).toBeUndefined();
    const peeking: SignalFunction<Record<string, never>> = (c) => ({
      targets: Int8Array.from(c.close, (v, i) => ((c.close[i + 1] ?? v) > v ? 1 : -1)),
    });
    expect(detectLookahead(peeking, GOOG, {}, cuts)).toMatchObject({ cut: 50, bar: 50 });
  });
});
