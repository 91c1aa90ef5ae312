import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { UserError } from '../errors.js';
import { CandleCollector, parseDecimal } from './candle-validation.js';
import { parseCsvHeader, splitCsvLine } from './csv.js';
import { detectTimeEncoding, parseTime, type TimeEncoding } from './timestamps.js';
import type { CandleColumns } from './types.js';

/** The file formats the importers read. */
export type CandleFileFormat = 'freqtrade-json' | 'backtesting-csv' | 'generic-csv';

/** A fully validated file's bars, with what its name and spacing suggest about it. */
export interface ImportedCandles {
  readonly file: string;
  readonly format: CandleFileFormat;
  readonly columns: CandleColumns;
  /** The timeframe the most common step between bars matches, when it is a usual one. */
  readonly inferredTimeframe: string | undefined;
  /** Symbol and timeframe read from a freqtrade-style name such as `BTC_USDT-1m.json`. */
  readonly nameHints: { readonly symbol: string | undefined; readonly timeframe: string | undefined };
  readonly timeEncoding: TimeEncoding;
}

const USUAL_TIMEFRAMES: readonly [string, number][] = [
  ['1m', 60_000], ['3m', 180_000], ['5m', 300_000], ['15m', 900_000], ['30m', 1_800_000],
  ['1h', 3_600_000], ['2h', 7_200_000], ['4h', 14_400_000], ['6h', 21_600_000], ['8h', 28_800_000],
  ['12h', 43_200_000], ['1d', 86_400_000], ['3d', 259_200_000], ['1w', 604_800_000],
];

/** Reads and validates a candle file (`.json` freqtrade, `.csv` backtesting.py or generic); all rows or none. */
export async function importCandleFile(path: string): Promise<ImportedCandles> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return parseFreqtradeJson(text, basename(path));
  if (ext === '.csv' || ext === '.txt') return parseCandleCsv(text, basename(path));
  throw new UserError(`${basename(path)}: unknown file type "${ext}"; import .json (freqtrade) or .csv files.`);
}

/** Parses freqtrade's JSON candles `[[ms, open, high, low, close, volume], …]`; a UserError names the bad entry. */
export function parseFreqtradeJson(text: string, file: string): ImportedCandles {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${(error as Error).message}). Nothing was imported.`);
  }
  if (!Array.isArray(rows)) throw new UserError(`${file}: expected a JSON array of [time_ms, open, high, low, close, volume] rows.`);
  const collector = new CandleCollector(file);
  rows.forEach((row: unknown, i) => {
    const where = `entry ${i + 1}`;
    if (!Array.isArray(row) || row.length < 6) throw collector.reject(where, 'expected [time_ms, open, high, low, close, volume]');
    const values = row.slice(0, 6) as unknown[];
    if (!values.every((v) => typeof v === 'number' && Number.isFinite(v))) throw collector.reject(where, 'every field must be a number');
    const [t, o, h, l, c, v] = values as number[];
    if (!Number.isInteger(t)) throw collector.reject(where, `time ${t} is not whole epoch milliseconds`);
    collector.add(where, t!, o!, h!, l!, c!, v!);
  });
  return finish(collector, file, 'freqtrade-json', 'milliseconds');
}

const TIME_NAMES = ['timestamp', 'time', 'date', 'open_time', 'datetime'];
const VALUE_NAMES = ['open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Parses a CSV of bars with a header: backtesting.py's `,Open,High,Low,Close,Volume` (the unnamed first column
 * is the date) or any header naming timestamp/time/date/open_time and open, high, low, close, volume in any
 * case and order. Times may be ISO (no zone = UTC), epoch seconds or epoch ms; the first row decides.
 */
export function parseCandleCsv(text: string, file: string): ImportedCandles {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new UserError(`${file}: the file is empty. Nothing was imported.`);
  const header = parseCsvHeader(lines[0]!, file);
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const backtesting = names[0] === '';
  const timeIndex = backtesting ? 0 : names.findIndex((n) => TIME_NAMES.includes(n));
  if (timeIndex < 0) throw new UserError(`${file}, line 1: no time column; name one ${TIME_NAMES.join(', ')}. Nothing was imported.`);
  const at = VALUE_NAMES.map((name) => {
    const index = names.indexOf(name);
    if (index < 0) throw new UserError(`${file}, line 1: no "${name}" column (found: ${header.fields.join(', ')}). Nothing was imported.`);
    return index;
  });
  const collector = new CandleCollector(file);
  let encoding: TimeEncoding | undefined;
  for (let n = 1; n < lines.length; n++) {
    const where = `line ${n + 1}`;
    const fields = splitCsvLine(lines[n]!, header.delimiter);
    if (fields === undefined) throw collector.reject(where, 'a quoted field is not closed');
    if (fields.length !== header.fields.length) throw collector.reject(where, `${fields.length} fields where the header has ${header.fields.length}`);
    const timeText = fields[timeIndex]!;
    encoding ??= detectTimeEncoding(timeText);
    if (encoding === undefined) throw collector.reject(where, `"${timeText.slice(0, 40)}" is not a date, epoch seconds or epoch milliseconds`);
    const timeMs = parseTime(timeText, encoding);
    if (timeMs === undefined) throw collector.reject(where, `"${timeText.slice(0, 40)}" is not a valid time like the first row's (${encoding})`);
    const values = at.map((i) => parseDecimal(fields[i]!));
    const bad = values.findIndex((v) => v === undefined);
    if (bad >= 0) throw collector.reject(where, `${VALUE_NAMES[bad]} "${fields[at[bad]!]!.slice(0, 40)}" is not a number`);
    const [o, h, l, c, v] = values as number[];
    collector.add(where, timeMs, o!, h!, l!, c!, v!);
  }
  return finish(collector, file, backtesting ? 'backtesting-csv' : 'generic-csv', encoding ?? 'iso');
}

function finish(collector: CandleCollector, file: string, format: CandleFileFormat, timeEncoding: TimeEncoding): ImportedCandles {
  const columns = collector.finish();
  if (columns.timeMs.length === 0) throw new UserError(`${file}: no rows. Nothing was imported.`);
  return { file, format, columns, inferredTimeframe: inferTimeframe(columns.timeMs), nameHints: hintsFromName(file), timeEncoding };
}

/** The usual timeframe matching the most common step between consecutive times; undefined if none does. */
export function inferTimeframe(timesMs: ArrayLike<number>): string | undefined {
  const counts = new Map<number, number>();
  for (let i = 1; i < timesMs.length; i++) {
    const step = timesMs[i]! - timesMs[i - 1]!;
    counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best: number | undefined;
  for (const [step, count] of counts) if (best === undefined || count > counts.get(best)!) best = step;
  return USUAL_TIMEFRAMES.find(([, ms]) => ms === best)?.[0];
}

/** Symbol and timeframe from a freqtrade-style file name: `BTC_USDT-1m.json`, `XRP_USDT_USDT-5m-futures.json`. */
export function hintsFromName(file: string): { symbol: string | undefined; timeframe: string | undefined } {
  const stem = file.replace(/\.[^.]+$/, '');
  const freqtrade = /^([A-Z0-9]+)_([A-Z0-9]+)(?:_([A-Z0-9]+))?-(\d+[smhdwM])(?:-[a-z_]+)?$/.exec(stem);
  if (freqtrade) {
    const [, base, quote, settle, timeframe] = freqtrade;
    return { symbol: `${base}/${quote}${settle ? `:${settle}` : ''}`, timeframe };
  }
  return { symbol: undefined, timeframe: /[_-](\d+[smhdw])$/.exec(stem)?.[1] };
}
