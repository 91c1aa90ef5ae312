/**
 * Market-data benchmark: candle import and load throughput (SQLite, and MongoDB when MONGODB_URI is set), warm-cache
 * quote latency, and exchange calls per 1,000 concurrent quote requests. Prints figures; never fails.
 *   node --import tsx bench/market.ts
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { MongoClient } from 'mongodb';
import { allocateColumns } from '../src/market/candle-columns.js';
import type { CandleRepository } from '../src/market/candle-repository.js';
import { createCcxtClient } from '../src/market/ccxt.js';
import { guardExchangeClient } from '../src/market/guarded-client.js';
import { parseFreqtradeJson } from '../src/market/importers.js';
import { QuoteService } from '../src/market/quote-service.js';
import { LatencyWindow } from '../src/market/source-stats.js';
import type { CandleColumns } from '../src/market/types.js';
import { MongoCandleRepository } from '../src/store/candles-mongo.js';
import { SqliteCandleRepository } from '../src/store/candles-sqlite.js';
import { startExchangeServer } from '../test/fakes/exchange-server.js';

const DATA = process.env.TRADEOPS_SHARED_DATA ?? fileURLToPath(new URL('../../shared/data', import.meta.url));
const WINDOWS = ['selskas_Freqtrade-configs', 'justinbomber_freq_stgy', 'XyloTech_TF.bk'].map((d) =>
  join(DATA, 'crypto/binance_spot_1m_freqtrade_userdata', d, 'BTC_USDT-1m.json'),
);
const ROWS = 1_000_000;

const rate = (n: number, ms: number): string => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} candles/s`;
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

async function section(name: string, run: () => Promise<void>): Promise<void> {
  console.log(`\n## ${name}`);
  try {
    await run();
  } catch (error) {
    console.log(`  (skipped: ${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The three real BTC/USDT 1m windows, repeated to `rows` bars with contiguous rewritten 1m timestamps. */
function millionCandles(windows: CandleColumns[], rows: number): CandleColumns {
  const out = allocateColumns(rows);
  const start = windows[0]!.timeMs[0]!;
  for (let i = 0, w = 0, k = 0; i < rows; i++, k++) {
    if (k === windows[w]!.timeMs.length) (w = (w + 1) % windows.length), (k = 0);
    const src = windows[w]!;
    out.timeMs[i] = start + i * 60_000;
    out.open[i] = src.open[k]!;
    out.high[i] = src.high[k]!;
    out.low[i] = src.low[k]!;
    out.close[i] = src.close[k]!;
    out.volume[i] = src.volume[k]!;
  }
  return out;
}

async function storeFigures(label: string, repo: CandleRepository, candles: CandleColumns): Promise<void> {
  let t = performance.now();
  await repo.upsert('bench', 'BTC/USDT', '1m', candles);
  const upsertMs = performance.now() - t;
  console.log(`  ${label} upsert ${candles.timeMs.length.toLocaleString('en-US')}: ${fmt(upsertMs)} (${rate(candles.timeMs.length, upsertMs)})`);
  const loads: number[] = [];
  for (let run = 0; run < 3; run++) {
    t = performance.now();
    const back = await repo.loadColumns('bench', 'BTC/USDT', '1m');
    loads.push(performance.now() - t);
    if (back.timeMs.length !== candles.timeMs.length) throw new Error(`loaded ${back.timeMs.length} rows, stored ${candles.timeMs.length}`);
  }
  const best = Math.min(...loads);
  console.log(`  ${label} load into typed arrays: best ${fmt(best)} of ${loads.map(fmt).join(', ')} (${rate(candles.timeMs.length, best)})`);
  t = performance.now();
  const times = await repo.loadTimes('bench', 'BTC/USDT', '1m');
  console.log(`  ${label} load times only (gap reports): ${fmt(performance.now() - t)} for ${times.length.toLocaleString('en-US')}`);
}

let candles: CandleColumns | undefined;

await section('Import (parse + validate) of the real BTC/USDT 1m files', async () => {
  const windows: CandleColumns[] = [];
  const t = performance.now();
  for (const file of WINDOWS) windows.push(parseFreqtradeJson(readFileSync(file, 'utf8'), file).columns);
  const ms = performance.now() - t;
  const n = windows.reduce((sum, w) => sum + w.timeMs.length, 0);
  console.log(`  ${n.toLocaleString('en-US')} bars from 3 files: ${fmt(ms)} (${rate(n, ms)})`);
  candles = millionCandles(windows, ROWS);
  console.log(`  built ${ROWS.toLocaleString('en-US')} bars: the 3 windows repeated, timestamps rewritten to a contiguous 1m series`);
});

await section('SQLite (temp file, WAL)', async () => {
  if (!candles) throw new Error('no candles');
  const dir = mkdtempSync(join(tmpdir(), 'tradeops-bench-'));
  try {
    const db = new Database(join(dir, 'bench.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    await storeFigures('SQLite', new SqliteCandleRepository(db), candles);
    console.log('  target: load 1M in < 500 ms');
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

await section('MongoDB (MONGODB_URI)', async () => {
  if (!candles) throw new Error('no candles');
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set');
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 }).connect();
  const collection = `bench_candles_${process.pid}`;
  try {
    const repo = new MongoCandleRepository(client.db(), { collection });
    await repo.init();
    await storeFigures('MongoDB', repo, candles);
  } finally {
    await client.db().dropCollection(collection).catch(() => undefined);
    await client.close();
  }
});

await section('Quotes against the fake Binance (ccxt, 127.0.0.1)', async () => {
  const bars = JSON.parse(readFileSync(WINDOWS[0]!, 'utf8')) as number[][];
  const exchange = await startExchangeServer({
    markets: [{ id: 'BTCUSDT', base: 'BTC', quote: 'USDT', bars: { '1m': bars } }],
    currentTimeMs: Date.parse('2021-04-20T01:00Z'),
  });
  const clock = { nowMs: Date.parse('2021-04-20T01:00Z') };
  const now = (): number => clock.nowMs;
  const client = createCcxtClient({ apiUrl: exchange.url, now });
  try {
    const quotes = new QuoteService(guardExchangeClient(client, { now }), { now, ttlMs: 5_000 });
    await client.listMarkets();
    exchange.clearLog();
    await Promise.all(Array.from({ length: 1_000 }, () => quotes.getQuote('BTC/USDT')));
    console.log(`  exchange calls for 1,000 concurrent requests (cold cache): ${exchange.count('/api/v3/ticker/24hr')} (target: 1)`);
    const window = new LatencyWindow(100_000);
    for (let i = 0; i < 100_000; i++) {
      const t = performance.now();
      await quotes.getQuote('BTC/USDT');
      window.add(performance.now() - t);
    }
    const us = (ms: number | undefined): string => `${((ms ?? 0) * 1000).toFixed(2)} µs`;
    console.log(`  warm-cache getQuote latency over 100,000 calls: p50 ${us(window.percentile(50))}, p99 ${us(window.percentile(99))}`);
    clock.nowMs += 5_000;
    exchange.clearLog();
    const t = performance.now();
    await quotes.getQuote('BTC/USDT');
    console.log(`  one cache miss through ccxt → fake exchange → back: ${fmt(performance.now() - t)} (${exchange.count('/api/v3/ticker/24hr')} call)`);
  } finally {
    await client.close();
    await exchange.close();
  }
});
