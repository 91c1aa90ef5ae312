import { readFileSync } from 'node:fs';
import type { CandleColumns } from '../../src/market/types.js';
import { SHARED_DATA_DIR } from '../support/shared-data.js';

/** Reads a freqtrade JSON candle file `[[ms, o, h, l, c, v], ...]`. */
export { readFreqtradeJson } from '../support/shared-data.js';
/** Slices every column to bars [from, to), sharing memory. */
export { sliceColumns as sliceCandles } from '../../src/market/candle-columns.js';

/** Root of the shared, read-only market data (beside the repository; see test/support/shared-data.ts). */
export const DATA_DIR = SHARED_DATA_DIR.replace(/\/$/, '');
/** backtesting.py 0.6.6 golden outputs. */
export const GOLDEN_DIR = `${DATA_DIR}/golden/backtesting_py`;

/** Parses `YYYY-MM-DD[ HH:MM:SS]` as UTC epoch ms. */
export function parseUtc(text: string): number {
  return Date.parse(`${text.length === 10 ? `${text}T00:00:00` : text.replace(' ', 'T')}Z`);
}

/** Reads one of backtesting.py's test CSVs (`,Open,High,Low,Close,Volume`). */
export function readOhlcCsv(path: string): CandleColumns {
  const rows = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const cols = { timeMs: new Float64Array(rows.length), open: new Float64Array(rows.length), high: new Float64Array(rows.length),
    low: new Float64Array(rows.length), close: new Float64Array(rows.length), volume: new Float64Array(rows.length) };
  rows.forEach((row, i) => {
    const [t, o, h, l, c, v] = row.split(',');
    cols.timeMs[i] = parseUtc(t!);
    cols.open[i] = Number(o);
    cols.high[i] = Number(h);
    cols.low[i] = Number(l);
    cols.close[i] = Number(c);
    cols.volume[i] = Number(v);
  });
  return cols;
}

/** A CSV file with a header row as records of strings. */
export function readCsvRecords(path: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const keys = header!.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [keys[i]!, v])));
}

/** Builds candles from a compact table of `[open, high, low, close]` rows, one day apart from 2024-01-01. */
export function candleTable(rows: ReadonlyArray<readonly [number, number, number, number]>, stepMs = 86_400_000): CandleColumns {
  const start = Date.UTC(2024, 0, 1);
  return {
    timeMs: Float64Array.from(rows, (_, i) => start + i * stepMs),
    open: Float64Array.from(rows, (r) => r[0]),
    high: Float64Array.from(rows, (r) => r[1]),
    low: Float64Array.from(rows, (r) => r[2]),
    close: Float64Array.from(rows, (r) => r[3]),
    volume: new Float64Array(rows.length),
  };
}
