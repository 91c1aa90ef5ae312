import { parseArgs } from 'node:util';
import { renderTableText } from '../chat/render-text.js';
import { formatUtc } from '../chat/format.js';
import type { Deps } from '../deps.js';
import { UserError } from '../errors.js';
import { describeCalendar, parseCalendar, type CalendarChoice, type CalendarName } from '../market/calendar.js';
import * as admin from '../market/data-admin.js';
import type { ProcessIo } from '../main.js';
import { openStore } from '../store/open-store.js';
import { UsageError, type Subcommand } from './subcommand.js';
import { withDeps } from './with-deps.js';

const HELP = `Usage: tradeops data <action> [options]

Manages stored candles. Every series belongs to one data source (an exchange id such as binance, an imported
file set such as csv:goog or freqtrade:btc_usdt-1m, or synthetic) and sources are never mixed.

Actions:
  list                                   every series: source, symbol, timeframe, rows, first/last bar, gaps, calendar
  import FILE [--source S] [--symbol X] [--timeframe TF]
                                         import freqtrade JSON, backtesting.py CSV or CSV with a header;
                                         the whole file is validated first (a bad row names its line)
  backfill --symbol X --timeframe TF --since DATE [--until DATE]
                                         fetch from the exchange (EXCHANGE), page by page; re-running never
                                         duplicates; reports the gaps the exchange has
  gaps [--source S] [--symbol X] [--timeframe TF]
                                         missing bars per series, each hole with its dates, on the series'
                                         trading calendar (see --calendar)
  clean --source S --yes                 delete everything one source stored
  migrate --from DATABASE_URL --to DATABASE_URL [--source S] [--symbol X]
                                         copy series between stores (e.g. SQLite → MongoDB), verified after
  compare --source A --target B --symbol X --timeframe TF [--tolerance PCT]
                                         overlap, bars missing on either side, mismatching prices

Options:
  --json    print the result as JSON
  --calendar 24x7|weekdays
            which bars count as missing (list, import, backfill, gaps): 24x7 counts every bar round the clock
            (crypto); weekdays does not count Friday 21:00 to Monday 00:00 UTC (stocks, FX). Default: detected
            per series (weekdays when at least 3 weekends lie inside it and at most 1 in 20 has a bar), and
            the report says which and why. Holidays are not known: a missing weekday is a gap, labelled
            "possibly a holiday" when it is one weekday.
DATE is ISO (2021-04-01, 2021-04-01T12:00, UTC unless it names a zone) or epoch milliseconds.`;

const OPTIONS = {
  source: { type: 'string' },
  target: { type: 'string' },
  symbol: { type: 'string' },
  timeframe: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  tolerance: { type: 'string' },
  calendar: { type: 'string' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Parses a user's date: epoch ms, or ISO read as UTC unless it carries a zone. */
export function parseDate(text: string, name: string): number {
  if (/^\d{10,}$/.test(text)) return Number(text);
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text) || /^\d{4}-\d\d-\d\d$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new UsageError(`--${name} "${text}" is not a date (use 2021-04-01, 2021-04-01T12:00 or epoch ms)`);
  return ms;
}

function need(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** `--calendar` as given, or nothing (each series' own calendar is then detected). */
function calendarOption(v: Values): { calendar?: CalendarName } {
  if (v.calendar === undefined) return {};
  try {
    return { calendar: parseCalendar(v.calendar) };
  } catch (error) {
    throw new UsageError(`--calendar: ${(error as Error).message}`);
  }
}

async function act(action: string, files: string[], v: Values, deps: Deps, io: ProcessIo): Promise<unknown> {
  const repo = deps.store.candles;
  const say = (text: string) => io.stderr.write(`${text}\n`);
  const calendar = calendarOption(v);
  switch (action) {
    case 'list': {
      const series = await admin.listSeries(repo);
      return Promise.all(
        series.map(async (s) => {
          const report = await admin.findGaps(repo, s, calendar);
          return { ...s, gaps: report.summary.gaps, calendar: report.calendar };
        }),
      );
    }
    case 'import':
      if (files.length !== 1) throw new UsageError('import takes one FILE');
      return admin.importFile(repo, files[0]!, {
        ...(v.source ? { source: v.source } : {}),
        ...(v.symbol ? { symbol: v.symbol } : {}),
        ...(v.timeframe ? { timeframe: v.timeframe } : {}),
        ...calendar,
      });
    case 'backfill': {
      const range = {
        symbol: need(v.symbol, 'symbol'),
        timeframe: need(v.timeframe, 'timeframe'),
        fromMs: parseDate(need(v.since, 'since'), 'since'),
        toMs: v.until ? parseDate(v.until, 'until') : deps.clock.now(),
      };
      return admin.backfill(deps.market.exchange, repo, range, { ...calendar, onPage: (n, last) => say(`… ${n} bars, up to ${formatUtc(last)}`) });
    }
    case 'gaps': {
      const series = (await admin.listSeries(repo)).filter(
        (s) => (!v.source || s.source === v.source) && (!v.symbol || s.symbol === v.symbol.toUpperCase()) && (!v.timeframe || s.timeframe === v.timeframe),
      );
      return Promise.all(series.map((s) => admin.findGaps(repo, s, calendar)));
    }
    case 'clean': {
      const source = need(v.source, 'source');
      if (!v.yes) throw new UsageError(`clean deletes every bar of ${source}; add --yes to confirm`);
      return { source, deletedBars: await admin.cleanSource(repo, source) };
    }
    case 'migrate': {
      const timeout = deps.config.mongoServerSelectionTimeoutMs;
      const from = await openStore({ databaseUrl: need(v.from, 'from'), mongoServerSelectionTimeoutMs: timeout });
      try {
        const to = await openStore({ databaseUrl: need(v.to, 'to'), mongoServerSelectionTimeoutMs: timeout });
        try {
          return await admin.migrate(from.candles, to.candles, { ...(v.source ? { source: v.source } : {}), ...(v.symbol ? { symbol: v.symbol } : {}) });
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    }
    case 'compare':
      return admin.compareSources(
        repo,
        { a: need(v.source, 'source'), b: need(v.target, 'target'), symbol: need(v.symbol, 'symbol').toUpperCase(), timeframe: need(v.timeframe, 'timeframe') },
        v.tolerance ? { tolerancePct: Number(v.tolerance) } : {},
      );
    default:
      throw new UsageError(`unknown action "${action}"`);
  }
}

/** Plain-text form of each action's result. */
function render(action: string, result: unknown): string {
  const t = (ms: number) => formatUtc(ms).slice(0, 16);
  if (action === 'list') {
    const rows = result as Array<{ source: string; symbol: string; timeframe: string; rows: number; firstMs: number; lastMs: number; gaps: number; calendar: CalendarChoice }>;
    if (rows.length === 0) return 'No candles stored yet. Import a file (tradeops data import FILE) or backfill from the exchange.';
    const columns = ['source', 'symbol', 'tf', 'rows', 'first', 'last', 'gaps', 'calendar'];
    return renderTableText({ columns, rows: rows.map((r) => [r.source, r.symbol, r.timeframe, String(r.rows), t(r.firstMs), t(r.lastMs), String(r.gaps), r.calendar.name]) }).join('\n');
  }
  if (action === 'gaps') {
    const reports = result as admin.GapReport[];
    if (reports.length === 0) return 'No matching series.';
    return reports.map(renderGapReport).join('\n');
  }
  if (action === 'import' || action === 'backfill') {
    const r = result as admin.GapReport & { firstMs?: number; lastMs?: number; fetched?: number };
    const holidays = r.possibleHolidays ? ` (${r.possibleHolidays} possibly holidays)` : '';
    return `${action === 'import' ? 'Imported' : 'Backfilled'} ${r.source} ${r.symbol} ${r.timeframe}: ${r.fetched ?? r.rows} bars${r.firstMs ? `, ${t(r.firstMs)} → ${t(r.lastMs!)}` : ''}; ${r.summary.gaps} gaps${holidays}, ${r.summary.missingBars} missing bars; calendar ${describeCalendar(r.calendar)}.`;
  }
  if (action === 'migrate') {
    const rows = result as Awaited<ReturnType<typeof admin.migrate>>;
    return rows.length === 0 ? 'Nothing to migrate.' : rows.map((r) => `${r.series.source} ${r.series.symbol} ${r.series.timeframe}: ${r.rows} bars copied, ${r.verified ? 'verified' : 'VERIFICATION FAILED'}`).join('\n');
  }
  if (action === 'compare') {
    const c = result as admin.SourceComparison;
    if (!c.overlap) return `${c.a} and ${c.b} do not overlap for ${c.symbol} ${c.timeframe}.`;
    return [`${c.a} vs ${c.b}, ${c.symbol} ${c.timeframe}, overlap ${t(c.overlap.fromMs)} → ${t(c.overlap.toMs)}:`, `  in both ${c.inBoth}, only in ${c.a} ${c.onlyInA}, only in ${c.b} ${c.onlyInB}, mismatched bars ${c.mismatchedBars}`, ...c.examples.map((e) => `  ${t(e.timeMs)} ${e.field}: ${e.a} vs ${e.b}`)].join('\n');
  }
  const r = result as { source: string; deletedBars: number };
  return `Deleted ${r.deletedBars} bars of ${r.source}.`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A bar time with its UTC weekday: `Mon 2004-09-06 00:00`. */
function dayAndTime(ms: number): string {
  return `${WEEKDAYS[new Date(ms).getUTCDay()]} ${formatUtc(ms).slice(0, 16)}`;
}

/** One series' gaps: totals, the calendar used and why, each hole (the first 20) with the bars it lacks, then the possible holidays. */
function renderGapReport(r: admin.GapReport): string {
  const holidays = r.gaps.filter((g) => g.possibleHoliday);
  const holes = r.gaps.filter((g) => !g.possibleHoliday);
  const lines = [`${r.source} ${r.symbol} ${r.timeframe}: ${r.rows} bars, ${r.summary.gaps} gaps${holidays.length ? ` (${holidays.length} possibly holidays)` : ''}, ${r.summary.missingBars} missing bars`, `  calendar: ${describeCalendar(r.calendar)}`];
  for (const g of holes.slice(0, 20)) {
    const span = g.missingBars === 1 ? dayAndTime(g.firstMissingMs) : `${dayAndTime(g.firstMissingMs)} → ${dayAndTime(g.lastMissingMs)}`;
    lines.push(`  after ${dayAndTime(g.afterMs)}: ${g.missingBars} bar${g.missingBars === 1 ? '' : 's'} missing (${span})`);
  }
  if (holes.length > 20) lines.push(`  … ${holes.length - 20} more (use --json for all)`);
  if (holidays.length > 0) {
    // Listed apart, so the holes nobody can explain are not buried under a stock's ten holidays a year.
    const days = holidays.slice(0, 20).map((g) => `${dayAndTime(g.firstMissingMs).slice(0, 14)}${g.missingBars > 1 ? ` (${g.missingBars} bars)` : ''}`);
    const more = holidays.length > 20 ? `, … ${holidays.length - 20} more (use --json for all)` : '';
    lines.push(`  possibly holidays (one weekday each, no holiday list is known): ${days.join(', ')}${more}`);
  }
  return lines.join('\n');
}

/** `tradeops data`: list, import, backfill, gaps, clean, migrate and compare stored candles. */
export const data: Subcommand = {
  name: 'data',
  summary: 'manage stored candles: list, import, backfill, gaps, clean, migrate, compare',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
    const [action, ...files] = positionals;
    if (action === undefined) throw new UsageError('which action? list, import, backfill, gaps, clean, migrate or compare');
    return withDeps(io, `data ${action}`, async (deps) => {
      const result = await act(action, files, values, deps, io);
      io.stdout.write(`${values.json ? JSON.stringify(result, null, 2) : render(action, result)}\n`);
      return 0;
    });
  },
};
