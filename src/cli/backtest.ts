import { parseArgs } from 'node:util';
import type { BacktestOptions } from '../backtest/types.js';
import { tradeRecords } from '../backtest/trades.js';
import { formatUtc } from '../chat/format.js';
import { renderTableText } from '../chat/render-text.js';
import type { Deps } from '../deps.js';
import { UserError } from '../errors.js';
import type { ProcessIo } from '../main.js';
import { runBacktestJob, type BacktestOutcome } from '../research/backtest-job.js';
import { loadFileCandles, loadStoredCandles, type CandleSet } from '../research/candle-set.js';
import { loadRunRecord, saveRunRecord, type RunRecord } from '../research/run-record.js';
import { listStrategies, strategyUsage } from '../strategies/registry.js';
import { parseDate } from './data.js';
import { UsageError, type Subcommand } from './subcommand.js';
import { withDeps } from './with-deps.js';

/** Command-line options shared by `backtest` and `optimize`: where the candles come from and the engine settings. */
export const DATA_AND_ENGINE_OPTIONS = {
  source: { type: 'string' },
  symbol: { type: 'string' },
  timeframe: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  data: { type: 'string' },
  strategy: { type: 'string' },
  params: { type: 'string' },
  cash: { type: 'string' },
  commission: { type: 'string' },
  spread: { type: 'string' },
  exclusive: { type: 'boolean' },
  finalize: { type: 'boolean' },
  'trade-on-close': { type: 'boolean' },
  fractional: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: tradeops backtest --strategy NAME [--params k=v,…] DATA [ENGINE] [--json]
       tradeops backtest --rerun RUN_ID [--json]

Backtests a strategy on real candles and prints backtesting.py's statistics (same names and definitions).
Every run is stored with its parameters, data source, range, a hash of the candles and the code version;
--rerun reproduces it and says whether the figures match.

DATA, one of:
  --source S --symbol X --timeframe TF [--from DATE] [--to DATE]   stored candles (tradeops data list)
  --data FILE [--symbol X]                                         a freqtrade JSON or CSV file, validated
ENGINE (backtesting.py's defaults):
  --cash N            starting cash (10000)
  --commission R      rate charged at entry and at exit, e.g. 0.001; or FIXED+RATE, e.g. 1+0.001
  --spread R          relative spread paid on entry, e.g. 0.0002
  --exclusive         a reversal closes the open trade before opening (always on: targets are exclusive)
  --finalize          close a trade still open at the end, at the last bar's open
  --trade-on-close    fill at the signal bar's close instead of the next bar's open
  --fractional UNIT   trade in multiples of UNIT (e.g. 0.00000001 for BTC) instead of whole units
Strategies: ${listStrategies().map((s) => strategyUsage(s)).join('; ')}`;

type Values = Partial<Record<keyof typeof DATA_AND_ENGINE_OPTIONS | 'rerun', string | boolean>>;

/** Parses `k=v,k=v` into a record of strings. */
export function parseParams(text: string | undefined): Record<string, string> {
  if (!text) return {};
  const out: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!key || value === undefined) throw new UsageError(`--params "${pair}" is not key=value`);
    out[key.trim()] = value.trim();
  }
  return out;
}

function number(v: string | boolean | undefined, name: string, min = 0): number | undefined {
  if (v === undefined || typeof v === 'boolean') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} "${v}" must be a number ≥ ${min}`);
  return n;
}

/** Engine settings from the command line, as plain JSON-storable values. */
export function engineOptions(v: Values): BacktestOptions {
  const commissionText = typeof v.commission === 'string' ? v.commission : undefined;
  const fixedRate = commissionText?.includes('+') ? commissionText.split('+').map(Number) : undefined;
  if (fixedRate && fixedRate.some((x) => !Number.isFinite(x) || x < 0)) throw new UsageError(`--commission "${commissionText}" must be RATE or FIXED+RATE`);
  const cash = number(v.cash, 'cash', 1);
  const commission = fixedRate ? { fixed: fixedRate[0]!, rate: fixedRate[1]! } : number(v.commission, 'commission');
  const spread = number(v.spread, 'spread');
  const unitSize = number(v.fractional, 'fractional', Number.MIN_VALUE);
  return {
    ...(cash === undefined ? {} : { cash }),
    ...(commission === undefined ? {} : { commission }),
    ...(spread === undefined ? {} : { spread }),
    ...(unitSize === undefined ? {} : { unitSize }),
    ...(v.finalize ? { finalize: true } : {}),
    ...(v['trade-on-close'] ? { tradeOnClose: true } : {}),
  };
}

/** The candles a command line names: a file, or a stored series. */
export async function candlesFor(v: Values, deps: Deps): Promise<CandleSet> {
  if (typeof v.data === 'string') return loadFileCandles(v.data, typeof v.symbol === 'string' ? v.symbol : undefined);
  const need = (k: 'source' | 'symbol' | 'timeframe') => {
    const value = v[k];
    if (typeof value !== 'string' || value === '') throw new UsageError(`--${k} is required (or --data FILE)`);
    return value;
  };
  return loadStoredCandles(deps.store.candles, {
    source: need('source'),
    symbol: need('symbol'),
    timeframe: need('timeframe'),
    ...(typeof v.from === 'string' ? { fromMs: parseDate(v.from, 'from') } : {}),
    ...(typeof v.to === 'string' ? { toMs: parseDate(v.to, 'to') } : {}),
  });
}

/** A run's provenance in one line. */
export function describeData(record: RunRecord): string {
  const d = record.data;
  return `${d.source} ${d.symbol} ${d.timeframe}, ${d.rows} bars ${formatUtc(d.fromMs)} → ${formatUtc(d.toMs)}, sha256 ${d.contentHash.slice(0, 12)}…`;
}

function printOutcome(outcome: BacktestOutcome, json: boolean, io: ProcessIo, note?: string): void {
  const { record, stats, result } = outcome;
  if (json) {
    const equity = Array.from(result.equity);
    io.stdout.write(`${JSON.stringify({ ...stats, run: record, badges: outcome.badges, warnings: outcome.warnings, trades: tradeRecords(result.trades), equity, drawdownPct: Array.from(result.drawdown, (d) => d * 100) })}\n`);
    return;
  }
  const badge = outcome.badges.length ? `[${outcome.badges.join('] [')}] ` : '';
  const rows = Object.entries(stats).map(([k, v]) => [k, typeof v === 'number' ? String(Number(v.toPrecision(10))) : v]);
  io.stdout.write(
    [
      `${badge}${record.strategy} ${Object.entries(record.params).map(([k, v]) => `${k}=${v}`).join(' ')} on ${describeData(record)}`,
      '',
      ...renderTableText({ columns: ['statistic', 'value'], rows, align: ['left', 'right'] }),
      '',
      `Run ${record.id} (code ${record.codeVersion}); reproduce with: tradeops backtest --rerun ${record.id}`,
      ...outcome.warnings,
      ...(note ? [note] : []),
    ].join('\n') + '\n',
  );
}

async function rerun(id: string, deps: Deps, json: boolean, io: ProcessIo): Promise<number> {
  const original = await loadRunRecord(deps.store.settings, id);
  const d = original.data;
  const set = d.file
    ? await loadFileCandles(d.file, d.symbol)
    : await loadStoredCandles(deps.store.candles, { source: d.source, symbol: d.symbol, timeframe: d.timeframe, fromMs: d.fromMs, toMs: d.toMs });
  if (set.provenance.contentHash !== d.contentHash) {
    throw new UserError(`The candles of run ${id} changed since it ran (hash ${d.contentHash.slice(0, 12)}… then, ${set.provenance.contentHash.slice(0, 12)}… now); the figures would not be comparable.`);
  }
  const outcome = runBacktestJob(set, { strategy: original.strategy, params: original.params, options: original.settings as BacktestOptions, requestedBy: original.requestedBy, nowMs: deps.clock.now() });
  const same = JSON.stringify(outcome.record.summary) === JSON.stringify(original.summary);
  printOutcome({ ...outcome, record: { ...outcome.record, id: original.id } }, json, io, same ? `Identical to run ${id} as recorded.` : `DIFFERS from run ${id} as recorded (recorded ${JSON.stringify(original.summary)}, code ${original.codeVersion}).`);
  return same ? 0 : 1;
}

/** `tradeops backtest`: one backtest on stored candles or a file, stored as a reproducible run. */
export const backtest: Subcommand = {
  name: 'backtest',
  summary: 'backtest a strategy on stored candles or a file (backtesting.py figures)',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({ args: [...argv], options: { ...DATA_AND_ENGINE_OPTIONS, rerun: { type: 'string' } } });
    return withDeps(io, 'backtest', async (deps) => {
      if (values.rerun) return await rerun(values.rerun, deps, values.json === true, io);
      if (!values.strategy) throw new UsageError('--strategy is required');
      const set = await candlesFor(values, deps);
      const outcome = runBacktestJob(set, {
        strategy: values.strategy,
        params: parseParams(values.params),
        options: engineOptions(values),
        requestedBy: 'cli',
        nowMs: deps.clock.now(),
      });
      await saveRunRecord(deps.store.settings, outcome.record);
      printOutcome(outcome, values.json === true, io);
      return 0;
    });
  },
};
