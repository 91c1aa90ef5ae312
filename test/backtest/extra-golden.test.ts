import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/backtest.js';
import { btpySmaCrossTargets, rollingMean } from '../../src/backtest/reference-signals.js';
import { toBacktestingPyStats } from '../../src/backtest/report.js';
import type { BacktestOptions } from '../../src/backtest/types.js';
import { DATA_DIR, readOhlcCsv } from './data.js';

// Produced by ./fixtures/generate_btpy_fixtures.py: backtesting.py 0.6.6 run unmodified on the shared data,
// covering commission + spread + margin + trade_on_close, a (fixed, rate) commission with a trade left open,
// monthly data with fractional units, and a run without trades.
interface Run {
  data: string;
  params: { fast: number; slow: number };
  kwargs: Record<string, number | boolean | number[]>;
  stats: Record<string, number | string | null>;
  trades: number[][];
  equityLast: number;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/btpy_extra.json', import.meta.url), 'utf8')) as { runs: Record<string, Run> };

function options(kwargs: Run['kwargs']): BacktestOptions {
  const k = kwargs as Record<string, never>;
  const commission = kwargs.commission;
  return {
    cash: k.cash,
    commission: Array.isArray(commission) ? { fixed: commission[0]!, rate: commission[1]! } : (commission as number | undefined),
    spread: k.spread,
    margin: k.margin,
    tradeOnClose: k.trade_on_close,
    finalize: k.finalize_trades,
    unitSize: k.fractional_unit,
  };
}

const close = (a: number, b: number, tol: number): boolean => a === b || Math.abs(a - b) <= tol * Math.abs(b);

describe.each(Object.entries(fixture.runs))('backtesting.py run %s', (_name, run) => {
  const candles = readOhlcCsv(`${DATA_DIR}/${run.data}.csv`);
  const signal = btpySmaCrossTargets(candles, run.params);
  const result = runBacktest(candles, signal.targets, { ...options(run.kwargs), warmupBars: signal.warmupBars });

  it('reproduces every statistic', () => {
    const ours = toBacktestingPyStats(result.stats);
    expect(Object.keys(ours)).toEqual(Object.keys(run.stats));
    for (const [key, want] of Object.entries(run.stats)) {
      const got = ours[key];
      if (want === null) expect(got === 'NaT' || Number.isNaN(got), key).toBe(true);
      else if (typeof want === 'string') expect(got, key).toBe(want);
      else expect(close(got as number, want, 1e-9), `${key}: ${got} vs ${want}`).toBe(true);
    }
  });

  it('reproduces the trades and the final equity', () => {
    const t = result.trades;
    expect(t.count).toBe(run.trades.length);
    run.trades.forEach(([size, entryBar, exitBar, entryPrice, exitPrice, pnl, commission, ret], k) => {
      expect([t.entryBar[k], t.exitBar[k]]).toEqual([entryBar, exitBar]);
      for (const [got, want] of [[t.size[k]!, size!], [t.entryPrice[k]!, entryPrice!], [t.exitPrice[k]!, exitPrice!],
        [t.pnl[k]!, pnl!], [t.commission[k]!, commission!], [t.returnPct[k]!, ret!]] as const) {
        expect(close(got, want, 1e-12), `trade ${k}: ${got} vs ${want}`).toBe(true);
      }
    });
    expect(close(result.equity.at(-1)!, run.equityLast, 1e-12)).toBe(true);
  });
});

it("pandas' rolling mean breaks EURUSD's SMA 12/26 tie at bar 1410 the way bt.py does (TA-Lib's running sum does not)", () => {
  const close = readOhlcCsv(`${DATA_DIR}/EURUSD.csv`).close;
  // pandas 3.1.1: EURUSD.Close.rolling(12).mean()[1410] and .rolling(26).mean()[1410]
  expect(rollingMean(close, 12)[1410]).toBe(1.1397549999999999);
  expect(rollingMean(close, 26)[1410]).toBe(1.139755);
});
