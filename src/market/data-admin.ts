import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { fetchCandlePages, type CandleRange, type PageOptions } from './backfill.js';
import { sliceColumns } from './candle-columns.js';
import { chooseCalendar, type CalendarChoice, type CalendarName } from './calendar.js';
import type { CandleRepository } from './candle-repository.js';
import type { ExchangeClient } from './exchange-client.js';
import { findGaps as gapsIn, summarizeGaps, type CalendarGap, type GapSummary } from './gaps.js';
import { importCandleFile, type CandleFileFormat } from './importers.js';
import { assertImportSource, sourceKind } from './sources.js';
import { resolveSymbol } from './symbols.js';
import { timeframeMs } from './timeframe.js';
import type { CandleColumns, SeriesInfo } from './types.js';

/** Names one stored series. */
export interface SeriesRef {
  readonly source: string;
  readonly symbol: string;
  readonly timeframe: string;
}

/** A gap report over one stored series, counted on the calendar it names. */
export interface GapReport extends SeriesRef {
  readonly rows: number;
  readonly calendar: CalendarChoice;
  readonly gaps: readonly CalendarGap[];
  readonly summary: GapSummary;
  /** Gaps of a single weekday (weekdays calendar): likely exchange holidays, which no holiday list here confirms. */
  readonly possibleHolidays: number;
}

/** The gaps in some bar open times at a timeframe, on the given calendar or the one the bars show. */
export function gapReportOf(series: SeriesRef, timesMs: ArrayLike<number>, calendar?: CalendarName): GapReport {
  const barMs = timeframeMs(series.timeframe);
  const choice = chooseCalendar(timesMs, barMs, calendar);
  const gaps = gapsIn(timesMs, barMs, choice.name);
  const possibleHolidays = gaps.filter((gap) => gap.possibleHoliday).length;
  return { ...series, rows: timesMs.length, calendar: choice, gaps, summary: summarizeGaps(gaps), possibleHolidays };
}

/** What an import stored. */
export interface ImportReport extends GapReport {
  readonly file: string;
  readonly format: CandleFileFormat;
  readonly firstMs: number;
  readonly lastMs: number;
}

/** Every stored series with its extent. */
export function listSeries(repo: CandleRepository): Promise<SeriesInfo[]> {
  return repo.listSeries();
}

/**
 * Imports one file all-or-nothing: the whole file is validated before anything is written. Symbol and timeframe
 * default to what the file name and bar spacing say; the source defaults to `csv:<name>` or `freqtrade:<name>`.
 */
export async function importFile(
  repo: CandleRepository,
  path: string,
  options: { source?: string; symbol?: string; timeframe?: string; calendar?: CalendarName } = {},
): Promise<ImportReport> {
  const imported = await importCandleFile(path);
  const stem = basename(path).replace(/\.[^.]+$/, '');
  const timeframe = options.timeframe ?? imported.nameHints.timeframe ?? imported.inferredTimeframe;
  if (timeframe === undefined) {
    throw new UserError(`${imported.file}: its bars are not evenly spaced in a supported timeframe (1m … 1w); give the timeframe explicitly.`);
  }
  timeframeMs(timeframe);
  if (imported.inferredTimeframe !== undefined && imported.inferredTimeframe !== timeframe) {
    throw new UserError(`${imported.file}: its bars are ${imported.inferredTimeframe} apart, not ${timeframe}. Nothing was imported.`);
  }
  const symbol = (options.symbol ?? imported.nameHints.symbol ?? stem.replace(/[_-]\d+[smhdw]$/, '')).toUpperCase();
  const kind = imported.format === 'freqtrade-json' ? 'freqtrade' : 'csv';
  const source = options.source ?? `${kind}:${stem.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}`;
  assertImportSource(source);
  const { columns } = imported;
  await repo.upsert(source, symbol, timeframe, columns);
  return {
    ...gapReportOf({ source, symbol, timeframe }, columns.timeMs, options.calendar),
    file: imported.file,
    format: imported.format,
    firstMs: columns.timeMs[0]!,
    lastMs: columns.timeMs[columns.timeMs.length - 1]!,
  };
}

/** Fetches a range from an exchange into the repository under the exchange's id, then reports the gaps in it. */
export async function backfill(
  client: ExchangeClient,
  repo: CandleRepository,
  range: CandleRange,
  options: PageOptions & { onPage?: (fetched: number, lastMs: number) => void; calendar?: CalendarName } = {},
): Promise<GapReport & { fetched: number; pages: number }> {
  if (sourceKind(client.id) !== 'exchange') throw new UserError(`"${client.id}" is not an exchange; backfill fetches from exchanges only.`);
  const symbol = resolveSymbol(range.symbol, await client.listMarkets(), client.id).symbol;
  let fetched = 0;
  let pages = 0;
  for await (const page of fetchCandlePages(client, { ...range, symbol }, options)) {
    await repo.upsert(client.id, symbol, range.timeframe, page);
    fetched += page.length;
    pages++;
    options.onPage?.(fetched, page[page.length - 1]!.timeMs);
  }
  const series = { source: client.id, symbol, timeframe: range.timeframe };
  const report = await findGaps(repo, series, { fromMs: range.fromMs, toMs: range.toMs, ...(options.calendar ? { calendar: options.calendar } : {}) });
  return { ...report, fetched, pages };
}

/** The gaps in a stored series (within `[fromMs, toMs]` when given), on the given calendar or the one its bars show. */
export async function findGaps(
  repo: CandleRepository,
  series: SeriesRef,
  options: { fromMs?: number; toMs?: number; calendar?: CalendarName } = {},
): Promise<GapReport> {
  const times = await repo.loadTimes(series.source, series.symbol, series.timeframe, options.fromMs, options.toMs);
  return gapReportOf({ source: series.source, symbol: series.symbol, timeframe: series.timeframe }, times, options.calendar);
}

/** Deletes everything one source stored; returns the bars deleted. */
export async function cleanSource(repo: CandleRepository, source: string): Promise<number> {
  if (source.trim() === '') throw new UserError('Name the source to delete.');
  return repo.deleteSource(source);
}

/** Copies series (all, or one source's or symbol's) between repositories in chunks, then checks each copy's times. */
export async function migrate(
  from: CandleRepository,
  to: CandleRepository,
  options: { source?: string; symbol?: string; chunkBars?: number } = {},
): Promise<{ series: SeriesRef; rows: number; verified: boolean }[]> {
  const chunk = options.chunkBars ?? 100_000;
  const report: { series: SeriesRef; rows: number; verified: boolean }[] = [];
  for (const s of await from.listSeries()) {
    if (options.source !== undefined && s.source !== options.source) continue;
    if (options.symbol !== undefined && s.symbol !== options.symbol.toUpperCase()) continue;
    const columns = await from.loadColumns(s.source, s.symbol, s.timeframe);
    for (let i = 0; i < columns.timeMs.length; i += chunk) {
      await to.upsert(s.source, s.symbol, s.timeframe, sliceColumns(columns, i, Math.min(i + chunk, columns.timeMs.length)));
    }
    const copied = await to.loadColumns(s.source, s.symbol, s.timeframe, s.firstMs, s.lastMs);
    const series = { source: s.source, symbol: s.symbol, timeframe: s.timeframe };
    report.push({ series, rows: columns.timeMs.length, verified: sameColumns(columns, copied) });
  }
  return report;
}

function sameColumns(a: CandleColumns, b: CandleColumns): boolean {
  if (a.timeMs.length !== b.timeMs.length) return false;
  for (const key of Object.keys(a) as (keyof CandleColumns)[]) {
    const x = a[key];
    const y = b[key];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** Field-level differences between two sources for the same market, over the range both cover. */
export interface SourceComparison {
  readonly a: string;
  readonly b: string;
  readonly symbol: string;
  readonly timeframe: string;
  /** The range both sources cover; undefined when they do not overlap. */
  readonly overlap: { readonly fromMs: number; readonly toMs: number } | undefined;
  readonly inBoth: number;
  readonly onlyInA: number;
  readonly onlyInB: number;
  /** Bars present in both where some compared field differs by more than the tolerance. */
  readonly mismatchedBars: number;
  readonly examples: readonly { timeMs: number; field: string; a: number; b: number }[];
}

type Field = 'open' | 'high' | 'low' | 'close' | 'volume';

/** Compares two sources' bars for one market: overlap, bars missing on either side, and mismatching fields. */
export async function compareSources(
  repo: CandleRepository,
  query: { a: string; b: string; symbol: string; timeframe: string; fromMs?: number; toMs?: number },
  options: { fields?: readonly Field[]; tolerancePct?: number; maxExamples?: number } = {},
): Promise<SourceComparison> {
  const { a, b, symbol, timeframe } = query;
  if (a === b) throw new UserError('Compare two different sources.');
  const [ca, cb] = await Promise.all([
    repo.loadColumns(a, symbol, timeframe, query.fromMs, query.toMs),
    repo.loadColumns(b, symbol, timeframe, query.fromMs, query.toMs),
  ]);
  const empty = { a, b, symbol, timeframe, inBoth: 0, onlyInA: 0, onlyInB: 0, mismatchedBars: 0, examples: [] };
  if (ca.timeMs.length === 0 || cb.timeMs.length === 0) return { ...empty, overlap: undefined };
  const fromMs = Math.max(ca.timeMs[0]!, cb.timeMs[0]!);
  const toMs = Math.min(ca.timeMs[ca.timeMs.length - 1]!, cb.timeMs[cb.timeMs.length - 1]!);
  if (fromMs > toMs) return { ...empty, overlap: undefined };
  const fields = options.fields ?? ['open', 'high', 'low', 'close'];
  const tolerance = (options.tolerancePct ?? 0) / 100;
  const examples: { timeMs: number; field: string; a: number; b: number }[] = [];
  let i = 0;
  let j = 0;
  let inBoth = 0;
  let onlyInA = 0;
  let onlyInB = 0;
  let mismatchedBars = 0;
  while (i < ca.timeMs.length && ca.timeMs[i]! < fromMs) i++;
  while (j < cb.timeMs.length && cb.timeMs[j]! < fromMs) j++;
  while ((i < ca.timeMs.length && ca.timeMs[i]! <= toMs) || (j < cb.timeMs.length && cb.timeMs[j]! <= toMs)) {
    const ta = i < ca.timeMs.length && ca.timeMs[i]! <= toMs ? ca.timeMs[i]! : Infinity;
    const tb = j < cb.timeMs.length && cb.timeMs[j]! <= toMs ? cb.timeMs[j]! : Infinity;
    if (ta < tb) {
      onlyInA++;
      i++;
    } else if (tb < ta) {
      onlyInB++;
      j++;
    } else {
      inBoth++;
      let mismatched = false;
      for (const field of fields) {
        const x = ca[field][i]!;
        const y = cb[field][j]!;
        if (Math.abs(x - y) > tolerance * Math.max(Math.abs(x), Math.abs(y))) {
          mismatched = true;
          if (examples.length < (options.maxExamples ?? 10)) examples.push({ timeMs: ta, field, a: x, b: y });
        }
      }
      if (mismatched) mismatchedBars++;
      i++;
      j++;
    }
  }
  return { a, b, symbol, timeframe, overlap: { fromMs, toMs }, inBoth, onlyInA, onlyInB, mismatchedBars, examples };
}
