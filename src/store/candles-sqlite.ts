import type Database from 'better-sqlite3';
import { asColumns, allocateColumns, sliceColumns, type CandleInput } from '../market/candle-columns.js';
import { ALL_TIME, type CandleRepository } from '../market/candle-repository.js';
import { isTimeframe, timeframeMs } from '../market/timeframe.js';
import type { CandleColumns, SeriesInfo } from '../market/types.js';

type Db = Database.Database;

/** Options of {@link SqliteCandleRepository}. */
export interface SqliteCandleOptions {
  /** Table name; `candles` by default. */
  readonly table?: string;
}

/**
 * Where a load writes its rows. SQLite hands each row to a registered aggregate function, which is about twice
 * as fast as iterating rows in JavaScript (no per-row array), so loads fill typed arrays through this sink.
 */
interface Sink {
  columns: CandleColumns | undefined;
  times: Float64Array | undefined;
  index: number;
}

const sinks = new WeakMap<Db, Sink>();

function sinkFor(db: Db): Sink {
  let sink = sinks.get(db);
  if (sink) return sink;
  const fresh: Sink = { columns: undefined, times: undefined, index: 0 };
  // better-sqlite3 takes the SQL arity from step.length; its typings only describe one-argument steps.
  const step = (_acc: number, t: number, o: number, h: number, l: number, c: number, v: number): number => {
    const i = fresh.index++;
    if (i >= fresh.columns!.timeMs.length) fresh.columns = grown(fresh.columns!);
    const cols = fresh.columns!;
    cols.timeMs[i] = t;
    cols.open[i] = o;
    cols.high[i] = h;
    cols.low[i] = l;
    cols.close[i] = c;
    cols.volume[i] = v;
    return 0;
  };
  db.aggregate('tradeops_candle_sink', {
    start: 0,
    step: step as unknown as (total: number, next: number) => number,
    result: () => fresh.index,
  });
  db.aggregate('tradeops_time_sink', {
    start: 0,
    step: (_acc: number, t: number) => {
      const i = fresh.index++;
      if (i >= fresh.times!.length) {
        const bigger = new Float64Array(Math.max(1024, fresh.times!.length * 2));
        bigger.set(fresh.times!);
        fresh.times = bigger;
      }
      fresh.times![i] = t;
      return 0;
    },
    result: () => fresh.index,
  });
  sinks.set(db, fresh);
  return fresh;
}

function grown(columns: CandleColumns): CandleColumns {
  const bigger = allocateColumns(Math.max(1024, columns.timeMs.length * 2));
  for (const key of Object.keys(bigger) as (keyof CandleColumns)[]) bigger[key].set(columns[key]);
  return bigger;
}

function trimmed(columns: CandleColumns, n: number): CandleColumns {
  if (columns.timeMs.length === n) return columns;
  return sliceColumns(columns, 0, n, true);
}

/** Largest capacity guessed from the first and last time; beyond it the rows are counted instead. */
const MAX_GUESSED_ROWS = 2_000_000;

function prepareStatements(db: Db, t: string) {
  const range = 'source = ? AND symbol = ? AND timeframe = ? AND time_ms BETWEEN ? AND ?';
  return {
    upsert: db.prepare(
      `INSERT INTO ${t} (source, symbol, timeframe, time_ms, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, symbol, timeframe, time_ms) DO UPDATE SET
         open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume`,
    ),
    count: db.prepare(`SELECT COUNT(*) FROM ${t} WHERE ${range}`).pluck(),
    first: db.prepare(`SELECT time_ms FROM ${t} WHERE ${range} ORDER BY time_ms LIMIT 1`).pluck(),
    last: db.prepare(`SELECT time_ms FROM ${t} WHERE ${range} ORDER BY time_ms DESC LIMIT 1`).pluck(),
    loadColumns: db
      .prepare(
        `SELECT tradeops_candle_sink(time_ms, open, high, low, close, volume) FROM
         (SELECT time_ms, open, high, low, close, volume FROM ${t} WHERE ${range} ORDER BY time_ms)`,
      )
      .pluck(),
    loadTimes: db.prepare(`SELECT tradeops_time_sink(time_ms) FROM (SELECT time_ms FROM ${t} WHERE ${range} ORDER BY time_ms)`).pluck(),
    list: db.prepare(
      `SELECT source, symbol, timeframe, COUNT(*) AS rows, MIN(time_ms) AS firstMs, MAX(time_ms) AS lastMs
       FROM ${t} GROUP BY source, symbol, timeframe ORDER BY source, symbol, timeframe`,
    ),
    deleteSeries: db.prepare(`DELETE FROM ${t} WHERE source = ? AND symbol = ? AND timeframe = ?`),
    deleteSource: db.prepare(`DELETE FROM ${t} WHERE source = ?`),
  };
}

/**
 * Candles in SQLite: one table keyed by (source, symbol, timeframe, time_ms) WITHOUT ROWID, so a series is
 * stored contiguously in key order. Registers two aggregate functions (`tradeops_*_sink`) on the connection.
 */
export class SqliteCandleRepository implements CandleRepository {
  private readonly table: string;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly sink: Sink;

  constructor(
    private readonly db: Db,
    options: SqliteCandleOptions = {},
  ) {
    this.table = options.table ?? 'candles';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(this.table)) throw new RangeError(`bad table name "${this.table}"`);
    const t = this.table;
    db.exec(`CREATE TABLE IF NOT EXISTS ${t} (
      source TEXT NOT NULL, symbol TEXT NOT NULL, timeframe TEXT NOT NULL, time_ms INTEGER NOT NULL,
      open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
      PRIMARY KEY (source, symbol, timeframe, time_ms)
    ) WITHOUT ROWID`);
    this.sink = sinkFor(db);
    this.statements = prepareStatements(db, t);
  }

  /** Upserts all bars in one transaction through one prepared statement. */
  async upsert(source: string, symbol: string, timeframe: string, candles: CandleInput): Promise<number> {
    const c = asColumns(candles);
    const statement = this.statements.upsert;
    this.db.transaction(() => {
      for (let i = 0; i < c.timeMs.length; i++) {
        statement.run(source, symbol, timeframe, c.timeMs[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]);
      }
    })();
    return c.timeMs.length;
  }

  async loadColumns(source: string, symbol: string, timeframe: string, fromMs?: number, toMs?: number): Promise<CandleColumns> {
    const args = [source, symbol, timeframe, fromMs ?? ALL_TIME.fromMs, toMs ?? ALL_TIME.toMs];
    // One read transaction, so the size guess and the rows come from the same snapshot.
    return this.db.transaction(() => {
      this.sink.columns = allocateColumns(this.capacityFor(timeframe, args));
      this.sink.index = 0;
      try {
        this.statements.loadColumns.get(...args);
        return trimmed(this.sink.columns, this.sink.index);
      } finally {
        this.sink.columns = undefined;
      }
    })();
  }

  async loadTimes(source: string, symbol: string, timeframe: string, fromMs?: number, toMs?: number): Promise<Float64Array> {
    const args = [source, symbol, timeframe, fromMs ?? ALL_TIME.fromMs, toMs ?? ALL_TIME.toMs];
    return this.db.transaction(() => {
      this.sink.times = new Float64Array(this.capacityFor(timeframe, args));
      this.sink.index = 0;
      try {
        this.statements.loadTimes.get(...args);
        const times = this.sink.times;
        return times.length === this.sink.index ? times : times.slice(0, this.sink.index);
      } finally {
        this.sink.times = undefined;
      }
    })();
  }

  /**
   * How many rows a range holds at most: (last − first) / bar + 1, from two index look-ups, which for a
   * series without gaps is exact and saves a counting scan; counted when the guess would be huge (sparse data).
   */
  private capacityFor(timeframe: string, args: unknown[]): number {
    const first = this.statements.first.get(...args) as number | undefined;
    if (first === undefined) return 0;
    const last = this.statements.last.get(...args) as number;
    const guess = isTimeframe(timeframe) ? Math.floor((last - first) / timeframeMs(timeframe)) + 1 : Infinity;
    return guess <= MAX_GUESSED_ROWS ? guess : (this.statements.count.get(...args) as number);
  }

  async listSeries(): Promise<SeriesInfo[]> {
    return this.statements.list.all() as SeriesInfo[];
  }

  async deleteSeries(source: string, symbol: string, timeframe: string): Promise<number> {
    return this.statements.deleteSeries.run(source, symbol, timeframe).changes;
  }

  async deleteSource(source: string): Promise<number> {
    return this.statements.deleteSource.run(source).changes;
  }
}
