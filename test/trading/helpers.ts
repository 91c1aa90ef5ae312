import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { Quote } from '../../src/market/types.js';
import { openSqliteDatabase } from '../../src/store/sqlite.js';
import { createMongoTradingRepository, ensureTradingSchema } from '../../src/store/trading-mongo.js';
import { createSqliteTradingRepository } from '../../src/store/trading-sqlite.js';
import { dec } from '../../src/trading/decimal.js';
import type { MarketRule, MarketRules, QuoteSource } from '../../src/trading/ports.js';
import type { TradingRepository } from '../../src/trading/repository.js';
import type { Fill, NewOrder } from '../../src/trading/types.js';

/** Start of the test day: 2026-01-05 12:00 UTC. */
export const T0 = Date.UTC(2026, 0, 5, 12);

/** A settable clock. */
export function testClock(startMs = T0): { now(): number; set(ms: number): void; advance(ms: number): void } {
  let now = startMs;
  return { now: () => now, set: (ms) => void (now = ms), advance: (ms) => void (now += ms) };
}

/** A new order with test values. */
export function newOrder(over: Partial<NewOrder> = {}): NewOrder {
  return {
    clientOrderId: 'o-1', mode: 'paper', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', side: 'buy', type: 'market',
    amount: dec('0.5'), limitPrice: undefined, stopPrice: undefined, expiresAtMs: undefined, requestedBy: 'u1', createdAtMs: T0,
    ...over,
  };
}

/** A fill with test values. */
export function testFill(over: Partial<Fill> = {}): Fill {
  return {
    clientOrderId: 'o-1', fillId: 'f-1', mode: 'paper', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', side: 'buy',
    amount: dec('0.5'), price: dec('40000'), feeAmount: dec('20'), feeAsset: 'USDT', atMs: T0, ...over,
  };
}

/** A TEST QUOTE built in the test (not market data): provenance `test-exchange` unless told. */
export function testQuote(symbol: string, bid: number | undefined, ask: number | undefined, atMs: number, source = 'test-exchange'): Quote {
  const last = bid !== undefined && ask !== undefined ? (bid + ask) / 2 : (bid ?? ask ?? 0);
  return {
    symbol, last, bid, ask, change24hPct: undefined, baseVolume24h: undefined, quoteVolume24h: undefined,
    provenance: { source, sourceTimeMs: atMs, receivedAtMs: atMs },
  };
}

/** A quote source over quotes the test sets, per symbol. */
export function testQuotes(): QuoteSource & { set(q: Quote): void } {
  const quotes = new Map<string, Quote>();
  return {
    set: (q) => void quotes.set(q.symbol, q),
    async getQuote(symbol) {
      const q = quotes.get(symbol);
      if (!q) throw new Error(`no test quote for ${symbol}`);
      return q;
    },
  };
}

/** Test market rules: BTC/USDT (lot 0.0001, tick 0.01, min notional 10) and ETH/USDT (lot 0.001, tick 0.01, min 0.01 ETH). */
export const TEST_RULES: Record<string, MarketRule> = {
  'BTC/USDT': {
    symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: dec('0.0001'), priceStep: dec('0.01'), minAmount: dec('0.0001'),
    minNotional: dec('10'), takerFeeRate: dec('0.001'), makerFeeRate: dec('0.0008'),
  },
  'ETH/USDT': {
    symbol: 'ETH/USDT', base: 'ETH', quote: 'USDT', amountStep: dec('0.001'), priceStep: dec('0.01'), minAmount: dec('0.01'),
    minNotional: dec('5'), takerFeeRate: undefined, makerFeeRate: undefined,
  },
};

/** Market rules over {@link TEST_RULES}. */
export const testRules: MarketRules = { getRule: async (symbol) => TEST_RULES[symbol] };

const dir = mkdtempSync(join(tmpdir(), 'tradeops-trading-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A TradingRepository on a fresh SQLite file. */
export function openSqliteRepo(): TradingRepository {
  return openSqliteShared(1)[0]!;
}

/** `count` TradingRepositories on one fresh SQLite file, each with its own connection (as separate processes). */
export function openSqliteShared(count: number): TradingRepository[] {
  const path = join(dir, `t-${process.pid}-${n++}.db`);
  return Array.from({ length: count }, () => createSqliteTradingRepository(openSqliteDatabase(path)));
}

const uri = process.env.MONGODB_URI;
const prefix = `tradeops_trading_${process.pid}_${Date.now().toString(36)}`;
let client: MongoClient | undefined;

/** A TradingRepository on a fresh MongoDB database of MONGODB_URI's server. */
export async function openMongoRepo(): Promise<TradingRepository> {
  return (await openMongoShared(1))[0]!;
}

/** `count` TradingRepositories on one fresh MongoDB database, each with its own connection and caches (as separate processes). */
export async function openMongoShared(count: number): Promise<TradingRepository[]> {
  client ??= await new MongoClient(uri!).connect();
  const name = `${prefix}_${n++}`;
  await ensureTradingSchema(client.db(name));
  const repos = [createMongoTradingRepository(client.db(name))];
  for (let i = 1; i < count; i++) {
    const other = await new MongoClient(uri!).connect();
    others.push(other);
    repos.push(createMongoTradingRepository(other.db(name)));
  }
  return repos;
}

const others: MongoClient[] = [];

/** Drops the databases the tests created and closes the client. */
export async function dropMongoRepos(): Promise<void> {
  if (!client) return;
  const { databases } = await client.db().admin().listDatabases();
  for (const db of databases) if (db.name.startsWith(prefix)) await client.db(db.name).dropDatabase();
  await client.close();
  client = undefined;
  for (const other of others.splice(0)) await other.close();
}

/** The backends to run a suite on: SQLite always, MongoDB when MONGODB_URI is set. */
export const BACKENDS: Array<{
  name: string;
  open: () => Promise<TradingRepository>;
  /** Several repositories on one fresh database, as separate processes would have. */
  openShared: (count: number) => Promise<TradingRepository[]>;
}> = [
  { name: 'SQLite', open: async () => openSqliteRepo(), openShared: async (count) => openSqliteShared(count) },
  ...(uri ? [{ name: 'MongoDB', open: openMongoRepo, openShared: openMongoShared }] : []),
];
