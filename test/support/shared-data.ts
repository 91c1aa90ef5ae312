import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocateColumns } from '../../src/market/candle-columns.js';
import type { CandleColumns } from '../../src/market/types.js';

/** The shared read-only data folder: $TRADEOPS_SHARED_DATA, else ../shared/data next to the repository. */
export const SHARED_DATA_DIR = process.env.TRADEOPS_SHARED_DATA ?? fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/** Absolute path of a file under the shared data folder, e.g. `sharedDataPath('GOOG.csv')`. */
export function sharedDataPath(relative: string): string {
  return join(SHARED_DATA_DIR, relative);
}

/** Reads a freqtrade OHLCV JSON file (`[[openTimeMs, open, high, low, close, volume], ...]`) into columns. */
export function readFreqtradeJson(path: string): CandleColumns {
  const rows = JSON.parse(readFileSync(path, 'utf8')) as number[][];
  const cols = allocateColumns(rows.length);
  rows.forEach((row, i) => {
    if (row.length < 6) throw new Error(`${path}: row ${i} has ${row.length} fields, expected 6`);
    [cols.timeMs[i], cols.open[i], cols.high[i], cols.low[i], cols.close[i], cols.volume[i]] = row as [number, number, number, number, number, number];
  });
  return cols;
}

/** A parsed CSV file: the header cells and the data rows as strings (no quoting support: the shared files need none). */
export interface Csv {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** Reads a simple comma-separated file with a header row. */
export function readCsv(path: string): Csv {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((line) => line !== '');
  const [head, ...body] = lines;
  if (head === undefined) throw new Error(`${path}: empty CSV`);
  return { header: head.split(','), rows: body.map((line) => line.split(',')) };
}

/** One CSV column as numbers; an empty cell becomes NaN. Throws if the column does not exist. */
export function csvColumn(csv: Csv, name: string): Float64Array {
  const index = csv.header.indexOf(name);
  if (index < 0) throw new Error(`CSV has no column "${name}" (columns: ${csv.header.join(', ')})`);
  return Float64Array.from(csv.rows, (row) => {
    const cell = row[index] ?? '';
    return cell === '' ? NaN : Number(cell);
  });
}
