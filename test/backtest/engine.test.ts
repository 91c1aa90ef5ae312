import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/backtest.js';
import { simulate } from '../../src/backtest/engine.js';
import { tradeRecords } from '../../src/backtest/trades.js';
import { ExitReason, type BacktestOptions } from '../../src/backtest/types.js';
import { candleTable } from './data.js';

type Row = readonly [open: number, high: number, low: number, close: number];
const CALM: Row = [100, 101, 99, 100];
const TEN: BacktestOptions = { cash: 2000, sizing: { units: 10 } };

/** Candles 0 and 1 are calm; the order is issued on candle 1 and fills at candle 2's open (100). */
function tradeOn(later: Row[], target: 1 | -1, options: BacktestOptions) {
  const rows = [CALM, CALM, ...later];
  const targets = new Int8Array(rows.length).fill(target, 1);
  return tradeRecords(simulate(candleTable(rows), targets, { ...TEN, ...options }).trades);
}

describe('stop-loss and take-profit inside the bar', () => {
  it('stop-loss 5 % hit on candle 3 fills at the stop, 95', () => {
    const [t] = tradeOn([[100, 103, 98, 102], [102, 104, 94, 96], [96, 97, 95, 96]], 1, { stopLoss: { fraction: 0.05 } });
    expect(t).toMatchObject({ entryBar: 2, exitBar: 3, entryPrice: 100, exitPrice: 95, pnl: -50, exitReason: ExitReason.stopLoss });
  });
  it('candle 3 gaps below the stop: fills at its open, 93', () => {
    const [t] = tradeOn([[100, 103, 98, 102], [93, 94, 90, 92]], 1, { stopLoss: { fraction: 0.05 } });
    expect(t).toMatchObject({ exitBar: 3, exitPrice: 93, pnl: -70 });
  });
  it('stop-loss hit on the entry candle itself (entry at the open, low below the stop)', () => {
    const [t] = tradeOn([[100, 103, 98, 102]], 1, { stopLoss: { fraction: 0.01 } });
    expect(t).toMatchObject({ entryBar: 2, exitBar: 2, exitPrice: 99 });
  });
  it('take-profit 5 % hit on candle 3 fills at 105; a gap above fills at the better open', () => {
    expect(tradeOn([[100, 103, 98, 102], [102, 106, 101, 104]], 1, { takeProfit: { fraction: 0.05 } })[0])
      .toMatchObject({ exitBar: 3, exitPrice: 105, pnl: 50, exitReason: ExitReason.takeProfit });
    expect(tradeOn([[100, 103, 98, 102], [107, 108, 106, 107]], 1, { takeProfit: { fraction: 0.05 } })[0])
      .toMatchObject({ exitPrice: 107 });
  });
  it('both stop-loss and take-profit inside candle 3: the stop-loss wins (pessimistic)', () => {
    const [t] = tradeOn([[100, 103, 98, 102], [100, 106, 94, 100]], 1, { stopLoss: { fraction: 0.05 }, takeProfit: { fraction: 0.05 } });
    expect(t).toMatchObject({ exitPrice: 95, exitReason: ExitReason.stopLoss });
  });
  it('a per-bar distance is read on the signal candle (1 here): stop at 100 − 4', () => {
    const distance = Float64Array.of(9, 4, 9, 9);
    expect(tradeOn([[100, 103, 98, 102], [102, 104, 95, 97]], 1, { stopLoss: { distance } })[0]).toMatchObject({ exitBar: 3, exitPrice: 96 });
  });
  it('absolute distance and absolute price levels', () => {
    expect(tradeOn([[100, 103, 98, 102], [102, 104, 96, 97]], 1, { stopLoss: { distance: 3 } })[0]).toMatchObject({ exitPrice: 97 });
    expect(tradeOn([[100, 103, 98, 102], [102, 111, 101, 104]], 1, { takeProfit: { price: 110 } })[0]).toMatchObject({ exitPrice: 110 });
  });
});

describe('shorts', () => {
  it('short stop-loss 5 % above the entry hit on candle 3: 105, PnL −50', () => {
    const [t] = tradeOn([[100, 101, 99, 100], [102, 106, 101, 103]], -1, { stopLoss: { fraction: 0.05 } });
    expect(t).toMatchObject({ size: -10, entryPrice: 100, exitPrice: 105, pnl: -50, exitReason: ExitReason.stopLoss });
  });
  it('short take-profit at 95, and at a gap-down open of 93', () => {
    expect(tradeOn([[100, 101, 99, 100], [98, 99, 94, 96]], -1, { takeProfit: { fraction: 0.05 } })[0]).toMatchObject({ exitPrice: 95, pnl: 50 });
    expect(tradeOn([[100, 101, 99, 100], [93, 94, 92, 93]], -1, { takeProfit: { fraction: 0.05 } })[0]).toMatchObject({ exitPrice: 93, pnl: 70 });
  });
});

describe('trailing stop (bt.py TrailingStrategy: re-anchored at each close, active from the next candle)', () => {
  const rows: Row[] = [[100, 106, 89, 105], [105, 121, 104, 120], [119, 119, 109, 110], [109, 110, 107, 108]];
  it('10 %: the dip to 89 on the entry candle does not trigger; it ratchets to 108 and is hit on candle 5', () => {
    const [t] = tradeOn(rows, 1, { trailingStop: { fraction: 0.1 } });
    expect(t).toMatchObject({ entryBar: 2, exitBar: 5, exitPrice: 108, pnl: 80, exitReason: ExitReason.stopLoss });
  });
  it('with a fixed 5 % stop as well, the fixed stop guards the entry candle (exit 95)', () => {
    expect(tradeOn(rows, 1, { trailingStop: { fraction: 0.1 }, stopLoss: { fraction: 0.05 } })[0]).toMatchObject({ exitBar: 2, exitPrice: 95 });
  });
  it('a distance of 5 trails the close at 115 and is hit on candle 4', () => {
    expect(tradeOn(rows, 1, { trailingStop: { distance: 5 } })[0]).toMatchObject({ exitBar: 4, exitPrice: 115 });
  });
  it('a distance per bar (e.g. a multiple of ATR) is read at each close', () => {
    const distance = Float64Array.of(1, 1, 10, 15, 1, 1);
    expect(tradeOn(rows, 1, { trailingStop: { distance } })[0]).toMatchObject({ exitBar: 5, exitPrice: 109 });
  });
});

describe('orders from targets', () => {
  const rows: Row[] = [CALM, CALM, [100, 103, 98, 102], [102, 104, 101, 103], [96, 97, 95, 96], [97, 98, 96, 97]];
  it('a reversal closes the long and opens a short at the same open; finalize closes it at the last open', () => {
    const targets = Int8Array.of(0, 1, 1, -1, -1, -1);
    const r = runBacktest(candleTable(rows), targets, { ...TEN, finalize: true });
    expect(tradeRecords(r.trades).map((t) => [t.size, t.entryBar, t.exitBar, t.entryPrice, t.exitPrice, t.exitReason])).toEqual([
      [10, 2, 4, 100, 96, ExitReason.signal],
      [-10, 4, 5, 96, 97, ExitReason.end],
    ]);
    expect(r.openTrade).toBeUndefined();
  });
  it('without finalize the last trade stays open and out of the statistics', () => {
    const r = runBacktest(candleTable(rows), Int8Array.of(0, 1, 1, -1, -1, -1), TEN);
    expect(r.stats.tradeCount).toBe(1);
    expect(r.openTrade).toMatchObject({ entryBar: 4, size: -10, entryPrice: 96 });
  });
  it('after a stop-out there is no re-entry until the target changes', () => {
    const targets = Int8Array.of(0, 1, 1, 0, 1, 1);
    const r = simulate(candleTable(rows), targets, { ...TEN, stopLoss: { fraction: 0.01 } });
    expect(tradeRecords(r.trades).map((t) => [t.entryBar, t.exitBar, t.exitReason])).toEqual([
      [2, 2, ExitReason.stopLoss],
      [5, 5, ExitReason.stopLoss],
    ]);
  });
  it('the loop starts at bar 1 + warmupBars: a change on bar 2 is ignored with 2 warm-up bars', () => {
    const targets = Int8Array.of(0, 0, 1, 1, 1, 1);
    expect(simulate(candleTable(rows), targets, { ...TEN, warmupBars: 1 }).openTrade).toMatchObject({ entryBar: 3 });
    const r = simulate(candleTable(rows), targets, { ...TEN, warmupBars: 2 });
    expect(r.trades.count + (r.openTrade ? 1 : 0)).toBe(0);
    expect(Array.from(r.equity)).toEqual([2000, 2000, 2000, 2000, 2000, 2000]);
  });
  it('trade on close fills at the signal candle close; with finalize bt.py exits at the previous bar close', () => {
    const r = simulate(candleTable(rows), Int8Array.of(0, 1, 1, 1, 1, 1), { ...TEN, tradeOnClose: true, finalize: true });
    expect(tradeRecords(r.trades)[0]).toMatchObject({ entryBar: 1, entryPrice: 100, exitBar: 4, exitPrice: 96 });
  });
});

describe('costs and sizing', () => {
  const rows: Row[] = [CALM, CALM, [100, 103, 98, 102], [102, 104, 101, 103], [96, 97, 95, 96]];
  it('spread raises the entry price, commission is charged on entry (spread price) and exit', () => {
    const r = runBacktest(candleTable(rows), Int8Array.of(0, 1, 1, 0, 0), { ...TEN, cash: 2000, spread: 0.01, commission: 0.001 });
    const entry = 100 * (1 + 0.01);
    const fees = 10 * entry * 0.001 + 10 * 96 * 0.001;
    const [t] = tradeRecords(r.trades);
    expect(t).toMatchObject({ entryPrice: entry, exitPrice: 96 });
    expect(t!.commission).toBeCloseTo(fees, 12);
    expect(t!.pnl).toBeCloseTo(10 * (96 - entry) - fees, 10);
    expect(r.stats.equityFinal).toBeCloseTo(2000 + t!.pnl, 10);
    expect(r.stats.feesPaid).toBeCloseTo(fees, 12);
    expect(r.stats.spreadPaid).toBeCloseTo(10, 10);
    expect(r.stats.turnover).toBeCloseTo(10 * entry + 960, 10);
  });
  it('all-in sizing buys whole units: 1050 cash at 100 buys 10', () => {
    expect(simulate(candleTable(rows), Int8Array.of(0, 1, 1, 0, 0), { cash: 1050 }).trades.size[0]).toBe(10);
  });
  it('fractional units: 1000 cash at 30 000 with a 0.001 unit buys 0.033', () => {
    const btc = candleTable(rows.map((r) => r.map((p) => p * 300) as unknown as Row));
    const [t] = tradeRecords(simulate(btc, Int8Array.of(0, 1, 1, 0, 0), { cash: 1000, unitSize: 0.001 }).trades);
    expect(t!.size).toBeCloseTo(0.033, 15);
    expect(t!.pnl).toBeCloseTo(33 * (28.8 - 30), 9);
  });
  it('not enough cash for one unit: the order is cancelled', () => {
    const r = simulate(candleTable(rows), Int8Array.of(0, 1, 1, 1, 1), { cash: 50 });
    expect(r.trades.count).toBe(0);
    expect(r.openTrade).toBeUndefined();
  });
  it('with leverage, equity at or below zero closes everything at the close and stops the run', () => {
    const crash: Row[] = [CALM, CALM, [100, 101, 99, 100], [99, 99, 88, 89], [90, 91, 89, 90]];
    const r = simulate(candleTable(crash), Int8Array.of(0, 1, 1, 1, 1), { cash: 1000, margin: 0.1 });
    expect(r.trades.size[0]).toBe(99);
    expect(r.trades.exitReason[0]).toBe(ExitReason.outOfMoney);
    expect(r.outOfMoney).toBe(true);
    expect(Array.from(r.equity.subarray(3))).toEqual([0, 0]);
  });
  it('rejects options out of range', () => {
    const c = candleTable(rows);
    expect(() => simulate(c, new Int8Array(5), { cash: 0 })).toThrow(RangeError);
    expect(() => simulate(c, new Int8Array(5), { margin: 2 })).toThrow(RangeError);
    expect(() => simulate(c, new Int8Array(5), { sizing: { units: 1.5 } })).toThrow(RangeError);
    expect(() => simulate(c, new Int8Array(4))).toThrow(RangeError);
    expect(() => simulate(c, new Int8Array(5), { trailingStop: { price: 90 } })).toThrow(RangeError);
  });
});

describe('warm-up from a strategy output', () => {
  it('backtestSignal takes bt.py’s warm-up from the indicators: the last first-non-NaN index', async () => {
    const { backtestSignal } = await import('../../src/backtest/backtest.js');
    const { indicatorWarmupBars } = await import('../../src/backtest/signal.js');
    expect(indicatorWarmupBars([Float64Array.of(NaN, NaN, 1, 2), Float64Array.of(NaN, 1, 2, 3), Float64Array.of(NaN, NaN, NaN, NaN)])).toBe(2);
    const rows: Row[] = [CALM, CALM, CALM, [100, 101, 99, 100], [101, 102, 100, 101]];
    const output = { targets: Int8Array.of(0, 0, 1, 1, 1), indicators: { sma: Float64Array.of(NaN, NaN, 100, 100, 100) } };
    expect(backtestSignal(candleTable(rows), output, TEN).startBar).toBe(3);
    expect(backtestSignal(candleTable(rows), output, { ...TEN, warmupBars: 0 }).openTrade).toMatchObject({ entryBar: 3 });
  });
});
