import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { backfill, cleanSource, compareSources, findGaps, importFile, listSeries, migrate } from '../../src/market/data-admin.js';
import { MongoCandleRepository } from '../../src/store/candles-mongo.js';
import { SqliteCandleRepository } from '../../src/store/candles-sqlite.js';
import { startHarness } from './harness.js';
import { DATA_DIR, SELSKAS_DIR, utc } from './shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'tradeops-data-admin-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sqliteRepo(): SqliteCandleRepository {
  return new SqliteCandleRepository(new Database(join(dir, `repo-${n++}.db`)));
}

const BTC_1M = join(SELSKAS_DIR, 'BTC_USDT-1m.json');

describe('data admin over a SQLite repository', () => {
  it('imports real files under their own sources with symbol and timeframe from the name or spacing', async () => {
    const repo = sqliteRepo();
    const goog = await importFile(repo, join(DATA_DIR, 'GOOG.csv'));
    expect(goog).toMatchObject({ source: 'csv:goog', symbol: 'GOOG', timeframe: '1d', rows: 2_148, format: 'backtesting-csv' });
    const btc = await importFile(repo, BTC_1M);
    expect(btc).toMatchObject({ source: 'freqtrade:btc_usdt-1m', symbol: 'BTC/USDT', timeframe: '1m', rows: 61_272, summary: { gaps: 2, missingBars: 434 } });
    expect(btc.gaps[0]).toEqual({ afterMs: utc('2021-04-20T01:59'), missingBars: 150, firstMissingMs: utc('2021-04-20T02:00'), lastMissingMs: utc('2021-04-20T04:29') });
    expect(btc.calendar).toEqual({ name: '24x7', chosenBy: 'detected', reason: 'bars on 6 of 6 weekends' });
    expect(goog).toMatchObject({ calendar: { name: 'weekdays', chosenBy: 'detected' }, summary: { gaps: 77, missingBars: 79 }, possibleHolidays: 75 });
    expect((await listSeries(repo)).map((s) => [s.source, s.symbol, s.timeframe, s.rows])).toEqual([
      ['csv:goog', 'GOOG', '1d', 2_148],
      ['freqtrade:btc_usdt-1m', 'BTC/USDT', '1m', 61_272],
    ]);
  });

  it('reports a stock series on its weekdays calendar, or round the clock when told, with the dates of each hole', async () => {
    const repo = sqliteRepo();
    await importFile(repo, join(DATA_DIR, 'GOOG.csv'));
    const series = { source: 'csv:goog', symbol: 'GOOG', timeframe: '1d' };
    const report = await findGaps(repo, series);
    expect(report.calendar).toEqual({ name: 'weekdays', chosenBy: 'detected', reason: 'no bars on any of the 445 weekends' });
    expect(report.gaps.find((g) => !g.possibleHoliday)).toEqual({
      afterMs: utc('2006-12-29T00:00'),
      missingBars: 2,
      firstMissingMs: utc('2007-01-01T00:00'),
      lastMissingMs: utc('2007-01-02T00:00'),
    });
    const roundTheClock = await findGaps(repo, series, { calendar: '24x7' });
    expect(roundTheClock).toMatchObject({ calendar: { name: '24x7', chosenBy: 'given' }, summary: { gaps: 463, missingBars: 969 }, possibleHolidays: 0 });
    expect(roundTheClock.gaps[0]).toEqual({ afterMs: utc('2004-08-20T00:00'), missingBars: 2, firstMissingMs: utc('2004-08-21T00:00'), lastMissingMs: utc('2004-08-22T00:00') });
    const month = await findGaps(repo, series, { fromMs: utc('2012-10-01T00:00'), toMs: utc('2012-10-31T00:00') });
    expect(month).toMatchObject({ rows: 21, calendar: { name: 'weekdays' }, summary: { gaps: 1, missingBars: 2 }, possibleHolidays: 0 }); // Hurricane Sandy
    const forced = await importFile(repo, join(DATA_DIR, 'GOOG.csv'), { source: 'csv:goog2', calendar: '24x7' });
    expect(forced.summary).toEqual({ gaps: 463, missingBars: 969 });
  });

  it('imports nothing from a file with one bad row, and names the line', async () => {
    const repo = sqliteRepo();
    const lines = readFileSync(join(DATA_DIR, 'EURUSD.csv'), 'utf8').split('\n').slice(0, 200);
    lines[150] = lines[150]!.replace(/,([\d.]+),([\d.]+),([\d.]+),([\d.]+),/, ',$1,0.5,$3,$4,');
    const path = join(dir, 'eurusd-broken.csv');
    writeFileSync(path, lines.join('\n'));
    const error = await importFile(repo, path, { source: 'csv:eurusd' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^eurusd-broken\.csv, line 151: high 0\.5 is below max/);
    expect(await listSeries(repo)).toEqual([]);
  });

  it('refuses a source that could mix with exchange data, a wrong timeframe, and monthly bars', async () => {
    const repo = sqliteRepo();
    await expect(importFile(repo, BTC_1M, { source: 'binance' })).rejects.toThrow(/cannot hold imported data/);
    await expect(importFile(repo, BTC_1M, { source: 'synthetic' })).rejects.toThrow(UserError);
    await expect(importFile(repo, join(DATA_DIR, 'GOOG.csv'), { timeframe: '1h' })).rejects.toThrow('GOOG.csv: its bars are 1d apart, not 1h');
    await expect(importFile(repo, join(DATA_DIR, 'BTCUSD.csv'))).rejects.toThrow(/not evenly spaced/);
    await expect(importFile(repo, join(DATA_DIR, 'crypto/freqtrade_testdata/futures/XRP_USDT_USDT-8h-funding_rate.json'))).rejects.toThrow(/entry 1/);
    expect(await listSeries(repo)).toEqual([]);
  });

  it('backfills from the exchange under its id, reports the real gaps, and matches the imported file exactly', async () => {
    const h = await startHarness({ atIso: '2021-04-26T00:00' });
    const repo = sqliteRepo();
    const pages: number[] = [];
    const report = await backfill(h.guard(), repo, { symbol: 'btcusdt', timeframe: '1m', fromMs: utc('2021-04-19T00:00'), toMs: utc('2021-04-25T23:59') }, {
      now: h.now,
      onPage: (fetched) => pages.push(fetched),
    });
    expect(report).toMatchObject({ source: 'binance', symbol: 'BTC/USDT', timeframe: '1m', fetched: 9_646, pages: 10, rows: 9_646, summary: { gaps: 2, missingBars: 434 } });
    expect(report.calendar).toEqual({ name: '24x7', chosenBy: 'detected', reason: 'bars on 1 of 1 weekend' });
    expect(pages[pages.length - 1]).toBe(9_646);
    await importFile(repo, BTC_1M, { source: 'freqtrade:selskas' });
    const same = await compareSources(repo, { a: 'binance', b: 'freqtrade:selskas', symbol: 'BTC/USDT', timeframe: '1m' });
    expect(same).toMatchObject({
      overlap: { fromMs: utc('2021-04-19T00:00'), toMs: utc('2021-04-25T23:59') },
      inBoth: 9_646,
      onlyInA: 0,
      onlyInB: 0,
      mismatchedBars: 0,
      examples: [],
    });
    expect(await findGaps(repo, { source: 'binance', symbol: 'BTC/USDT', timeframe: '1m' })).toMatchObject({ rows: 9_646, summary: { gaps: 2, missingBars: 434 } });
  });

  it('compares two sources: bars missing on either side and mismatching fields', async () => {
    const repo = sqliteRepo();
    const rows = JSON.parse(readFileSync(BTC_1M, 'utf8')) as number[][];
    const copy = rows.slice(100, 1_100).map((r) => [...r]);
    copy[10]![4] = copy[10]![4]! + 1;
    copy[20]![4] = copy[20]![4]! * 1.000001;
    copy.splice(500, 1);
    const path = join(dir, 'BTC_USDT-1m.json');
    writeFileSync(path, JSON.stringify(copy));
    await importFile(repo, BTC_1M, { source: 'freqtrade:a' });
    await importFile(repo, path, { source: 'freqtrade:b' });
    const diff = await compareSources(repo, { a: 'freqtrade:a', b: 'freqtrade:b', symbol: 'BTC/USDT', timeframe: '1m' });
    expect(diff).toMatchObject({ overlap: { fromMs: rows[100]![0], toMs: rows[1_099]![0] }, inBoth: 999, onlyInA: 1, onlyInB: 0, mismatchedBars: 2 });
    expect(diff.examples[0]).toEqual({ timeMs: rows[110]![0], field: 'close', a: rows[110]![4], b: rows[110]![4]! + 1 });
    const tolerant = await compareSources(repo, { a: 'freqtrade:a', b: 'freqtrade:b', symbol: 'BTC/USDT', timeframe: '1m' }, { tolerancePct: 0.001 });
    expect(tolerant.mismatchedBars).toBe(1);
    const apart = await compareSources(repo, { a: 'freqtrade:a', b: 'csv:none', symbol: 'BTC/USDT', timeframe: '1m' });
    expect(apart.overlap).toBeUndefined();
  });

  it('cleans one source only', async () => {
    const repo = sqliteRepo();
    await importFile(repo, join(DATA_DIR, 'crypto/freqtrade_testdata/XRP_ETH-1m.json'));
    await importFile(repo, join(DATA_DIR, 'crypto/freqtrade_testdata/XRP_ETH-5m.json'));
    expect(await cleanSource(repo, 'freqtrade:xrp_eth-1m')).toBe(3_560);
    expect((await listSeries(repo)).map((s) => s.source)).toEqual(['freqtrade:xrp_eth-5m']);
    await expect(cleanSource(repo, ' ')).rejects.toThrow(UserError);
  });

  it('migrates every series to another repository and verifies the copy', async () => {
    const from = sqliteRepo();
    await importFile(from, join(DATA_DIR, 'crypto/freqtrade_testdata/UNITTEST_BTC-1m.json'));
    await importFile(from, join(DATA_DIR, 'GOOG.csv'));
    const to = sqliteRepo();
    const report = await migrate(from, to, { chunkBars: 5_000 });
    expect(report.map((r) => [r.series.source, r.rows, r.verified])).toEqual([
      ['csv:goog', 2_148, true],
      ['freqtrade:unittest_btc-1m', 13_681, true],
    ]);
    expect(await listSeries(to)).toEqual(await listSeries(from));
  });
});

describe.skipIf(!process.env.MONGODB_URI)('data admin: SQLite → MongoDB (MONGODB_URI)', () => {
  it('migrates a real series with gaps into bucketed documents, verified', async () => {
    const client = await new MongoClient(process.env.MONGODB_URI!).connect();
    const collection = `data_admin_${process.pid}_${Date.now().toString(36)}`;
    try {
      const from = sqliteRepo();
      await importFile(from, join(DATA_DIR, 'crypto/freqtrade_testdata/UNITTEST_BTC-1m.json'));
      const to = new MongoCandleRepository(client.db(), { collection });
      await to.init();
      const [result] = await migrate(from, to);
      expect(result).toMatchObject({ rows: 13_681, verified: true });
      expect(await findGaps(to, result!.series)).toMatchObject({ rows: 13_681, summary: { gaps: 538, missingBars: 717 } });
    } finally {
      await client.db().dropCollection(collection).catch(() => undefined);
      await client.close();
    }
  });
});
