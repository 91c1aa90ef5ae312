/**
 * Order throughput: market orders per second through the whole paper flow (risk snapshot and every risk rule,
 * breaker check, order written `new`, paper fill, fill recorded, position and balances updated, order
 * transition), on SQLite (a WAL file in a temp folder) and, when MONGODB_URI is set, on MongoDB.
 * Quotes: real BTC/USDT 1m closes from ../shared/data (bid/ask = close ∓ 0.01), one bar per order, stamped with
 * the bench clock; if the data is absent, a fixed price labelled `bench-fixed`.
 * Run: node --import tsx bench/trading.ts   (prints figures, never fails on slow results)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import type { Quote } from '../src/market/types.js';
import { openSqliteDatabase } from '../src/store/sqlite.js';
import { createMongoTradingRepository, ensureTradingSchema } from '../src/store/trading-mongo.js';
import { createSqliteTradingRepository } from '../src/store/trading-sqlite.js';
import { TradingBreaker } from '../src/trading/breaker.js';
import { dec } from '../src/trading/decimal.js';
import { createOrderService } from '../src/trading/order-service.js';
import { createPaperBroker } from '../src/trading/paper-broker.js';
import type { TradingRepository } from '../src/trading/repository.js';

const DATA = process.env.TRADEOPS_SHARED_DATA ?? fileURLToPath(new URL('../../shared/data/', import.meta.url));
const CANDLES = join(DATA, 'crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json');

function loadCloses(): { closes: number[]; source: string } {
  try {
    return { closes: (JSON.parse(readFileSync(CANDLES, 'utf8')) as number[][]).map((bar) => bar[4]!), source: 'binance-1m-close' };
  } catch {
    return { closes: [40_000], source: 'bench-fixed' };
  }
}

const { closes, source } = loadCloses();
const RULE = {
  symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: dec('0.00001'), priceStep: dec('0.01'), minAmount: dec('0.00001'),
  minNotional: dec('5'), takerFeeRate: dec('0.001'), makerFeeRate: dec('0.001'),
};
const LIMITS = {
  allowedSymbols: ['BTC/USDT'], maxOrderNotional: dec('1000000'), maxPositionNotional: dec('1000000'), maxOpenPositions: 10,
  maxTotalExposure: dec('1000000'), maxDailyLoss: dec('1000000'), maxDrawdownPct: 99, cooldown: { losses: 1000, durationMs: 60_000 },
};

async function run(label: string, repo: TradingRepository, orders: number): Promise<void> {
  let now = Date.UTC(2026, 0, 5);
  let bar = 0;
  const clock = { now: () => now };
  const quote = (): Quote => {
    const close = closes[bar % closes.length]!;
    return { symbol: 'BTC/USDT', last: close, bid: close - 0.01, ask: close + 0.01, change24hPct: undefined, baseVolume24h: undefined, quoteVolume24h: undefined, provenance: { source, sourceTimeMs: now, receivedAtMs: now } };
  };
  const quotes = { getQuote: async () => quote() };
  const rules = { getRule: async (s: string) => (s === 'BTC/USDT' ? RULE : undefined) };
  const startingBalances = { USDT: '1000000' };
  const broker = await createPaperBroker({ quotes, rules, clock, store: repo, startingBalances });
  const breaker = await TradingBreaker.open(repo, 'paper', { maxDailyLoss: dec('1000000'), maxDrawdownPct: 99, maxLossStreak: 1000 });
  const service = createOrderService({ repo, broker, quotes, rules, breaker, clock, limits: LIMITS, quoteAsset: 'USDT', startingBalances });
  await service.start();
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < orders; i++) {
    now += 1_000;
    bar++;
    const t0 = performance.now();
    const result = await service.placeOrder({ symbol: 'BTC/USDT', side: i % 2 === 0 ? 'buy' : 'sell', type: 'market', amount: '0.01', requestedBy: 'bench' });
    latencies.push(performance.now() - t0);
    if (result.kind !== 'placed') throw new Error(`refused: ${result.refusal.message}`);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2);
  const portfolio = await service.portfolio(now);
  console.log(
    `${label.padEnd(8)} ${String(orders).padStart(5)} orders  ${(orders / seconds).toFixed(0).padStart(5)} orders/s  ` +
      `p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms  (realized P&L ${portfolio.realizedPnl.toFixed(2)} USDT, fills ${(await repo.listFills({ limit: 1e9 })).length})`,
  );
}

async function main(): Promise<void> {
  console.log(`paper market orders, all risk rules + breaker + ledger writes; quotes: ${source} (${closes.length} bars)`);
  const dir = mkdtempSync(join(tmpdir(), 'tradeops-bench-trading-'));
  try {
    await run('sqlite', createSqliteTradingRepository(openSqliteDatabase(join(dir, 'bench.db'))), Number(process.env.BENCH_ORDERS ?? 2_000));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const uri = process.env.MONGODB_URI;
  if (!uri) return console.log('mongodb  skipped (set MONGODB_URI to include it)');
  const client = await new MongoClient(uri).connect();
  const db = client.db(`tradeops_bench_trading_${process.pid}`);
  try {
    await ensureTradingSchema(db);
    await run('mongodb', createMongoTradingRepository(db), Number(process.env.BENCH_MONGO_ORDERS ?? 300));
  } finally {
    await db.dropDatabase();
    await client.close();
  }
}

main().catch((error: unknown) => console.log(`bench/trading.ts stopped: ${(error as Error).message}`));
