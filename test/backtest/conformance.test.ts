import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/backtest.js';
import { formatTimestamp } from '../../src/backtest/calendar.js';
import { btpySmaCrossTargets, smaCrossTargets } from '../../src/backtest/reference-signals.js';
import { toBacktestingPyStats } from '../../src/backtest/report.js';
import { DATA_DIR, GOLDEN_DIR, readCsvRecords, readOhlcCsv } from './data.js';

const golden = JSON.parse(readFileSync(`${GOLDEN_DIR}/golden_stats.json`, 'utf8')) as Record<string, { stats: Record<string, number | string> }>;

// Both bt.py strategies (README's buy()/sell() with exclusive_orders, and _test.py's position.close() then buy()/sell())
// reverse on each SMA crossover, which is what a target series that changes at each cross expresses.
const RUNS = [
  { name: 'goog_sma10_30_test_compute_stats', file: 'GOOG.csv', fast: 10, slow: 30 },
  { name: 'goog_sma10_20_nocomm_exclusive_finalize', file: 'GOOG.csv', fast: 10, slow: 20 },
  { name: 'eurusd_sma10_30_finalize', file: 'EURUSD.csv', fast: 10, slow: 30 },
] as const;

function relErr(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

describe.each(RUNS)('backtesting.py golden run $name', ({ name, file, fast, slow }) => {
  const candles = readOhlcCsv(`${DATA_DIR}/${file}`);
  const signal = btpySmaCrossTargets(candles, { fast, slow });
  const result = runBacktest(candles, signal.targets, { cash: 10_000, finalize: true, warmupBars: signal.warmupBars });

  it('reproduces every statistic (numbers to 1e-9 relative, timestamps and durations exactly)', () => {
    const ours = toBacktestingPyStats(result.stats);
    const expected = golden[name]!.stats;
    expect(Object.keys(ours)).toEqual(Object.keys(expected));
    for (const [key, want] of Object.entries(expected)) {
      const got = ours[key];
      if (typeof want === 'string') expect(got, key).toBe(want);
      else expect(relErr(got as number, want), `${key}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-9);
    }
  });

  it('reproduces the trade list', () => {
    const rows = readCsvRecords(`${GOLDEN_DIR}/${name}_trades.csv`);
    const t = result.trades;
    expect(t.count).toBe(rows.length);
    rows.forEach((row, k) => {
      expect(t.size[k]).toBe(Number(row.Size));
      expect(t.entryBar[k]).toBe(Number(row.EntryBar));
      expect(t.exitBar[k]).toBe(Number(row.ExitBar));
      expect(t.entryPrice[k]).toBe(Number(row.EntryPrice));
      expect(t.exitPrice[k]).toBe(Number(row.ExitPrice));
      expect(relErr(t.pnl[k]!, Number(row.PnL))).toBeLessThan(1e-9);
      expect(t.commission[k]).toBe(Number(row.Commission));
      expect(relErr(t.returnPct[k]!, Number(row.ReturnPct))).toBeLessThan(1e-9);
      expect(formatTimestamp(t.entryTimeMs[k]!).startsWith(row.EntryTime!)).toBe(true);
      expect(formatTimestamp(t.exitTimeMs[k]!).startsWith(row.ExitTime!)).toBe(true);
    });
  });

  it('gives the same trades with TA-Lib SMAs (no near-ties on these runs)', () => {
    const talib = smaCrossTargets(candles, { fast, slow });
    expect(Array.from(talib.targets)).toEqual(Array.from(signal.targets));
  });

  it('reproduces the equity and drawdown curves', () => {
    const rows = readCsvRecords(`${GOLDEN_DIR}/${name}_equity.csv`);
    expect(result.equity.length).toBe(rows.length);
    let worst = 0;
    rows.forEach((row, i) => {
      worst = Math.max(worst, relErr(result.equity[i]!, Number(row.Equity)));
      expect(Math.abs(result.drawdown[i]! - Number(row.DrawdownPct))).toBeLessThan(1e-9);
    });
    expect(worst).toBeLessThan(1e-9);
  });
});

describe('reference SMA cross signal', () => {
  it('its register-only crossing loop matches crossovers of sma() arrays on real data', async () => {
    const { crossoverTargets, smaCrossings } = await import('../../src/backtest/reference-signals.js');
    const { sma } = await import('../../src/indicators/sma.js');
    const { readFreqtradeJson } = await import('./data.js');
    const btc = readFreqtradeJson(`${DATA_DIR}/crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json`);
    for (const close of [readOhlcCsv(`${DATA_DIR}/GOOG.csv`).close, readOhlcCsv(`${DATA_DIR}/EURUSD.csv`).close, btc.close]) {
      for (const [f, s] of [[10, 30], [2, 3], [12, 26], [50, 20]] as const) {
        const viaArrays = crossoverTargets(sma(close, f), sma(close, s), new Int8Array(close.length));
        expect(smaCrossings(close, f, s, new Int8Array(close.length))).toEqual(viaArrays);
      }
    }
  });
});
