import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/backtest.js';
import { forEachDrawdownPeriod } from '../../src/backtest/drawdown.js';
import { smaCrossTargets } from '../../src/backtest/reference-signals.js';
import type { BacktestOptions } from '../../src/backtest/types.js';
import type { CandleColumns } from '../../src/market/types.js';
import { DATA_DIR, candleTable, parseUtc, readOhlcCsv, sliceCandles } from './data.js';

// The small cases of backtesting.py 0.6.6's own suite (backtesting/test/_test.py) that a target series can express.
// Stop/limit entry orders, several concurrent trades and partial closes are outside this engine's model.
const GOOG = readOhlcCsv(`${DATA_DIR}/GOOG.csv`);
const SHORT = sliceCandles(GOOG, 0, 20);

/** Targets that are 0 except `value` on bars [from, to). */
function targetsOn(n: number, from: number, to = n, value = 1): Int8Array {
  return new Int8Array(n).fill(value, from, to);
}

function flat(values: number[], open = values): CandleColumns {
  return candleTable(values.map((v, i) => [open[i]!, v, v, v] as const));
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

describe('backtesting.py test suite', () => {
  describe('test_spread_commission: buy on bar 1, close on bar 2', () => {
    const targets = targetsOn(20, 1, 2);
    const equityAt2and3 = (options: BacktestOptions): number[] =>
      Array.from(runBacktest(SHORT, targets, { cash: 10_000, ...options }).equity.subarray(2, 4), round2);

    it('fills at Open[2]·(1+spread) and charges relative commission twice', () => {
      const r = runBacktest(SHORT, targets, { cash: 10_000, spread: 0.01, commission: 0.01 });
      expect(r.trades.entryPrice[0]).toBe(SHORT.open[2]! * (1 + 0.01));
      expect(Array.from(r.equity.subarray(2, 4), round2)).toEqual([9685.31, 9749.33]);
    });
    it('fixed + relative commission', () => {
      expect(equityAt2and3({ commission: { fixed: 100, rate: 0.01 } })).toEqual([9784.5, 9718.69]);
    });
    it('commission as a function', () => {
      expect(equityAt2and3({ commission: (size, price) => size * price * 0.01 })).toEqual([9781.28, 9846.04]);
    });
  });

  it('test_commissions: 100 units with tp=3 on [1,1,1,2,4,1,2] pay 10+1 + 10+4', () => {
    const r = runBacktest(flat([1, 1, 1, 2, 4, 1, 2]), targetsOn(7, 1), {
      cash: 5000, commission: { fixed: 10, rate: 0.01 }, sizing: { units: 100 }, takeProfit: { price: 3 },
    });
    expect(r.stats.commissions).toBe(25);
    expect(r.trades.commission[0]).toBe(25);
    expect(r.stats.equityFinal).toBe(5000 + (4 - 1) * 100 - 25);
  });

  it('test_compute_drawdown: dd [0,1,7,0,4,0,0] has durations [3,2] ending at [3,5] with peaks [7,4]', () => {
    const periods: number[][] = [];
    forEachDrawdownPeriod(Float64Array.of(0, 1, 7, 0, 4, 0, 0), Float64Array.of(0, 1, 2, 3, 4, 5, 6), (end, dur, peak) =>
      periods.push([end, dur, peak]));
    expect(periods).toEqual([[3, 3, 7], [5, 2, 4]]);
  });

  it('test_trade_enter_hit_sl_on_same_day: buy(sl=720) on 2012-10-17 exits at 720', () => {
    const bar = GOOG.timeMs.indexOf(parseUtc('2012-10-17'));
    const r = runBacktest(GOOG, targetsOn(GOOG.close.length, bar), { stopLoss: { price: 720 } });
    expect(r.trades.exitPrice[0]).toBe(720);
  });

  it('test_sl_value_in_trades_df_when_gapped_through: an SL gapped through fills at the open, 99.19', () => {
    const r = runBacktest(SHORT, targetsOn(20, 8), { sizing: { units: 1 }, stopLoss: { price: 99.5 } });
    expect(r.trades.exitPrice[0]).toBe(99.19);
  });

  it('test_gh_521: with trade_on_close, an SL gapped through on [100,100,100,50,50] exits at 50', () => {
    const r = runBacktest(flat([100, 100, 100, 50, 50]), targetsOn(5, 1), {
      cash: 100, tradeOnClose: true, sizing: { units: 1 }, stopLoss: { price: 90 },
    });
    expect(r.trades.exitPrice[0]).toBe(50);
  });

  describe('test_trade_on_close_closes_trades_on_close (one trade at a time)', () => {
    const arr = [100, 101, 102, 50, 51];
    const data = flat(arr, arr.map((v) => v - 10));
    const trade = (tradeOnClose: boolean, targets: Int8Array, sl?: number): number[] => {
      const r = runBacktest(data, targets, { cash: 250, tradeOnClose, sizing: { units: 1 }, ...(sl ? { stopLoss: { price: sl } } : {}) });
      return [r.trades.entryBar[0]!, r.trades.exitBar[0]!, r.trades.entryPrice[0]!, r.trades.exitPrice[0]!];
    };
    it('trade_on_close=True: enters bar 1 @101, a close exits bar 2 @102, the SL exits bar 3 @40', () => {
      expect(trade(true, targetsOn(5, 1, 2))).toEqual([1, 2, 101, 102]);
      expect(trade(true, targetsOn(5, 1), 80)).toEqual([1, 3, 101, 40]);
    });
    it('trade_on_close=False: enters bar 2 @92, exits bar 3 @40 either way', () => {
      expect(trade(false, targetsOn(5, 1, 2))).toEqual([2, 3, 92, 40]);
      expect(trade(false, targetsOn(5, 1), 80)).toEqual([2, 3, 92, 40]);
    });
  });

  it('test_FractionalBacktest: BTCUSD from 2015, SmaCross 2/3, 1e-6 units, cash 100 → 42 trades, first entry 236.69', () => {
    const btc = readOhlcCsv(`${DATA_DIR}/BTCUSD.csv`);
    const from = btc.timeMs.findIndex((t) => t >= parseUtc('2015-01-01'));
    const data = sliceCandles(btc, from, btc.close.length);
    const signal = smaCrossTargets(data, { fast: 2, slow: 3 });
    const r = runBacktest(data, signal.targets, { cash: 100, unitSize: 1e-6, finalize: true, warmupBars: signal.warmupBars });
    expect(r.stats.tradeCount).toBe(42);
    expect(r.trades.entryPrice[0]).toBeCloseTo(236.69, 7);
    expect(signal.indicators!.fast![r.trades.entryBar[0]!]).toBeCloseTo(234.14, 7);
    // Running backtesting.py 0.6.6 on this case gives Equity Final 2577.4498176999987 and a first size of -0.422493.
    expect(r.trades.size[0]).toBeCloseTo(-0.422493, 12);
    expect(r.stats.equityFinal).toBeCloseTo(2577.4498176999987, 9);
  });

  it('test_stats_annualized: weekly GOOG annualises over 52 weeks, round(Return (Ann.)) == -3', () => {
    const weekly = resampleWeekly(GOOG);
    const signal = smaCrossTargets(weekly, { fast: 10, slow: 30 });
    const r = runBacktest(weekly, signal.targets, { warmupBars: signal.warmupBars });
    expect(Math.round(r.stats.returnAnnPct)).toBe(-3);
    // Running backtesting.py 0.6.6 on this case gives these.
    expect(r.stats.returnAnnPct).toBeCloseTo(-3.396803626177902, 9);
    expect(r.stats.tradeCount).toBe(17);
    expect(r.stats.equityFinal).toBeCloseTo(7439.809999999997, 9);
  });
});

/** pandas `resample('W')` with OHLCV aggregation: Monday–Sunday weeks, labelled with the Sunday. */
function resampleWeekly(c: CandleColumns): CandleColumns {
  const rows: number[][] = [];
  for (let i = 0; i < c.close.length; i++) {
    const day = Math.floor(c.timeMs[i]! / 86_400_000);
    const sunday = (day + 6 - ((day + 3) % 7)) * 86_400_000;
    const last = rows[rows.length - 1];
    if (last && last[0] === sunday) {
      last[2] = Math.max(last[2]!, c.high[i]!);
      last[3] = Math.min(last[3]!, c.low[i]!);
      last[4] = c.close[i]!;
      last[5]! += c.volume[i]!;
    } else rows.push([sunday, c.open[i]!, c.high[i]!, c.low[i]!, c.close[i]!, c.volume[i]!]);
  }
  const col = (k: number): Float64Array => Float64Array.from(rows, (r) => r[k]!);
  return { timeMs: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}
