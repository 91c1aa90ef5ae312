import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteCandleRepository } from '../../src/store/candles-sqlite.js';
import { describeCandleRepositoryContract, realBtc } from './candle-repository-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'tradeops-candles-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openSqlite() {
  const db = new Database(join(dir, `candles-${n++}.db`));
  db.pragma('journal_mode = WAL');
  return { db, repo: new SqliteCandleRepository(db) };
}

describeCandleRepositoryContract('SQLite', async () => {
  const { db, repo } = openSqlite();
  return { repo, close: async () => void db.close() };
});

describe('SQLite candle storage', () => {
  it('keys the table by (source, symbol, timeframe, time_ms) WITHOUT ROWID', () => {
    const { db } = openSqlite();
    const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'candles'").pluck().get() as string;
    expect(sql).toMatch(/PRIMARY KEY \(source, symbol, timeframe, time_ms\)/);
    expect(sql).toMatch(/WITHOUT ROWID$/);
    db.close();
  });

  it('shares one connection between two repositories on different tables', async () => {
    const { db, repo } = openSqlite();
    const other = new SqliteCandleRepository(db, { table: 'candles_archive' });
    await repo.upsert('binance', 'BTC/USDT', '1m', realBtc());
    await other.upsert('binance', 'BTC/USDT', '1m', [{ timeMs: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 }]);
    expect((await repo.loadColumns('binance', 'BTC/USDT', '1m')).timeMs.length).toBe(61_272);
    expect((await other.loadColumns('binance', 'BTC/USDT', '1m')).timeMs.length).toBe(1);
    db.close();
  });
});
