import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { CandleRepository } from '../market/candle-repository.js';
import { importCandleFile, inferTimeframe } from '../market/importers.js';
import { SYNTHETIC_SOURCE } from '../market/sources.js';
import type { CandleColumns } from '../market/types.js';

/** Where a backtest's candles came from, exactly enough to load them again. */
export interface CandleProvenance {
  readonly source: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly rows: number;
  /** The file they were read from, when they came straight from one. */
  readonly file?: string;
  /** SHA-256 over the candles' bytes (time, open, high, low, close, volume): proves a rerun used the same data. */
  readonly contentHash: string;
}

/** Candles plus their provenance. */
export interface CandleSet {
  readonly candles: CandleColumns;
  readonly provenance: CandleProvenance;
}

/** SHA-256 of the candle columns' bytes, in a fixed column order. */
export function hashCandles(candles: CandleColumns): string {
  const hash = createHash('sha256');
  for (const column of [candles.timeMs, candles.open, candles.high, candles.low, candles.close, candles.volume]) {
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest('hex');
}

function provenanceOf(candles: CandleColumns, fields: Omit<CandleProvenance, 'fromMs' | 'toMs' | 'rows' | 'contentHash'>): CandleProvenance {
  const n = candles.timeMs.length;
  return { ...fields, fromMs: candles.timeMs[0]!, toMs: candles.timeMs[n - 1]!, rows: n, contentHash: hashCandles(candles) };
}

/** Loads a stored series (optionally a range); a clear error when there is nothing to test on. */
export async function loadStoredCandles(
  repo: CandleRepository,
  query: { source: string; symbol: string; timeframe: string; fromMs?: number; toMs?: number },
): Promise<CandleSet> {
  const symbol = query.symbol.toUpperCase();
  const candles = await repo.loadColumns(query.source, symbol, query.timeframe, query.fromMs, query.toMs);
  if (candles.timeMs.length < 2) {
    const series = (await repo.listSeries()).filter((s) => s.symbol === symbol).map((s) => `${s.source} ${s.timeframe}`);
    const hint = series.length ? ` Stored for ${symbol}: ${series.join(', ')}.` : ` Import or backfill it first (tradeops data import / backfill).`;
    throw new UserError(`No ${query.timeframe} candles of ${symbol} from ${query.source} in that range.${hint}`);
  }
  return { candles, provenance: provenanceOf(candles, { source: query.source, symbol, timeframe: query.timeframe }) };
}

/** Reads candles straight from a file any importer reads (validated, all or nothing). */
export async function loadFileCandles(path: string, symbol?: string): Promise<CandleSet> {
  const imported = await importCandleFile(path);
  const { columns } = imported;
  const timeframe = imported.nameHints.timeframe ?? imported.inferredTimeframe ?? inferTimeframe(columns.timeMs) ?? 'irregular';
  const name = (symbol ?? imported.nameHints.symbol ?? imported.file.replace(/\.[^.]+$/, '')).toUpperCase();
  return { candles: columns, provenance: provenanceOf(columns, { source: `file:${imported.file}`, symbol: name, timeframe, file: path }) };
}

/** True when the candles are the explicitly labelled synthetic source; results built on them must say SYNTHETIC. */
export function isSynthetic(provenance: CandleProvenance): boolean {
  return provenance.source === SYNTHETIC_SOURCE;
}
