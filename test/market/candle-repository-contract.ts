import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sliceColumns } from '../../src/market/candle-columns.js';
import type { CandleRepository } from '../../src/market/candle-repository.js';
import { findGaps, summarizeGaps } from '../../src/market/gaps.js';
import { parseFreqtradeJson } from '../../src/market/importers.js';
import type { Candle, CandleColumns } from '../../src/market/types.js';
import { SELSKAS_DIR } from './shared-data.js';
import { readFileSync } from 'node:fs';

/** A repository under test and how to dispose of it. */
export interface OpenedRepository {
  readonly repo: CandleRepository;
  close(): Promise<void>;
}

let btc: CandleColumns | undefined;
/** The real Binance BTC/USDT 1m file (61,272 bars with two outages), as columns. */
export function realBtc(): CandleColumns {
  btc ??= parseFreqtradeJson(readFileSync(join(SELSKAS_DIR, 'BTC_USDT-1m.json'), 'utf8'), 'BTC_USDT-1m.json').columns;
  return btc;
}

const bar = (timeMs: number, close: number): Candle => ({ timeMs, open: close, high: close + 1, low: close - 1, close, volume: 2 });
const toArrays = (c: CandleColumns) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, Array.from(v as Float64Array)]));

/** The behaviour every CandleRepository must have; run against SQLite always and MongoDB when configured. */
export function describeCandleRepositoryContract(name: string, open: () => Promise<OpenedRepository>): void {
  describe(`CandleRepository contract: ${name}`, () => {
    let opened: OpenedRepository;
    let repo: CandleRepository;
    beforeEach(async () => {
      opened = await open();
      repo = opened.repo;
    });
    afterEach(async () => {
      await opened.close();
    });

    it('stores real bars and loads them back bit for bit, including across the outage gaps', async () => {
      const all = realBtc();
      const part = sliceColumns(all, 25_000, 36_000);
      expect(await repo.upsert('binance', 'BTC/USDT', '1m', part)).toBe(11_000);
      const back = await repo.loadColumns('binance', 'BTC/USDT', '1m');
      expect(toArrays(back)).toEqual(toArrays(part));
      const times = await repo.loadTimes('binance', 'BTC/USDT', '1m');
      expect(Array.from(times)).toEqual(Array.from(part.timeMs));
      expect(summarizeGaps(findGaps(times, 60_000))).toEqual({ gaps: 2, missingBars: 434 });
    });

    it('is idempotent: upserting the same bars again never duplicates', async () => {
      const part = sliceColumns(realBtc(), 0, 3_000);
      await repo.upsert('binance', 'BTC/USDT', '1m', part);
      await repo.upsert('binance', 'BTC/USDT', '1m', part);
      await repo.upsert('binance', 'BTC/USDT', '1m', sliceColumns(part, 1_000, 2_000));
      const series = await repo.listSeries();
      expect(series).toEqual([{ source: 'binance', symbol: 'BTC/USDT', timeframe: '1m', rows: 3_000, firstMs: part.timeMs[0], lastMs: part.timeMs[2_999] }]);
    });

    it('replaces a bar with the same time, and merges unsorted input with repeats (the later row wins)', async () => {
      await repo.upsert('binance', 'ETH/USDT', '1m', [bar(120_000, 3), bar(0, 1), bar(60_000, 2)]);
      await repo.upsert('binance', 'ETH/USDT', '1m', [bar(60_000, 20), bar(180_000, 4), bar(180_000, 40)]);
      const back = await repo.loadColumns('binance', 'ETH/USDT', '1m');
      expect(Array.from(back.timeMs)).toEqual([0, 60_000, 120_000, 180_000]);
      expect(Array.from(back.close)).toEqual([1, 20, 3, 40]);
      expect(Array.from(back.high)).toEqual([2, 21, 4, 41]);
    });

    it('loads an inclusive range, and empty arrays for a range or series with nothing', async () => {
      await repo.upsert('binance', 'BTC/USDT', '1m', sliceColumns(realBtc(), 0, 5_000));
      const t = realBtc().timeMs;
      const range = await repo.loadColumns('binance', 'BTC/USDT', '1m', t[10], t[19]);
      expect(Array.from(range.timeMs)).toEqual(Array.from(t.subarray(10, 20)));
      expect((await repo.loadColumns('binance', 'BTC/USDT', '1m', 0, 1)).timeMs.length).toBe(0);
      expect((await repo.loadColumns('binance', 'BTC/USDT', '5m')).close.length).toBe(0);
      expect((await repo.loadTimes('kraken', 'BTC/USDT', '1m')).length).toBe(0);
      expect(Array.from(await repo.loadTimes('binance', 'BTC/USDT', '1m', t[4_990], undefined))).toEqual(Array.from(t.subarray(4_990, 5_000)));
    });

    it('keeps sources apart: same market, different sources, never mixed', async () => {
      await repo.upsert('binance', 'BTC/USDT', '1m', [bar(0, 100), bar(60_000, 101)]);
      await repo.upsert('csv:btc', 'BTC/USDT', '1m', [bar(60_000, 999), bar(120_000, 998)]);
      expect(Array.from((await repo.loadColumns('binance', 'BTC/USDT', '1m')).close)).toEqual([100, 101]);
      expect(Array.from((await repo.loadColumns('csv:btc', 'BTC/USDT', '1m')).close)).toEqual([999, 998]);
      expect((await repo.listSeries()).map((s) => [s.source, s.rows])).toEqual([
        ['binance', 2],
        ['csv:btc', 2],
      ]);
      expect(await repo.deleteSource('csv:btc')).toBe(2);
      expect((await repo.listSeries()).map((s) => s.source)).toEqual(['binance']);
      expect(Array.from((await repo.loadColumns('binance', 'BTC/USDT', '1m')).close)).toEqual([100, 101]);
    });

    it('lists every series ordered, and deletes one series', async () => {
      await repo.upsert('binance', 'ETH/USDT', '1m', [bar(60_000, 1)]);
      await repo.upsert('binance', 'BTC/USDT', '5m', [bar(0, 1), bar(600_000, 2)]);
      await repo.upsert('binance', 'BTC/USDT', '1m', [bar(0, 1)]);
      expect(await repo.listSeries()).toEqual([
        { source: 'binance', symbol: 'BTC/USDT', timeframe: '1m', rows: 1, firstMs: 0, lastMs: 0 },
        { source: 'binance', symbol: 'BTC/USDT', timeframe: '5m', rows: 2, firstMs: 0, lastMs: 600_000 },
        { source: 'binance', symbol: 'ETH/USDT', timeframe: '1m', rows: 1, firstMs: 60_000, lastMs: 60_000 },
      ]);
      expect(await repo.deleteSeries('binance', 'BTC/USDT', '5m')).toBe(2);
      expect((await repo.listSeries()).map((s) => `${s.symbol} ${s.timeframe}`)).toEqual(['BTC/USDT 1m', 'ETH/USDT 1m']);
    });

    it('survives concurrent overlapping upserts of one series without losing or duplicating bars', async () => {
      const all = sliceColumns(realBtc(), 0, 6_000);
      await Promise.all([
        repo.upsert('binance', 'BTC/USDT', '1m', sliceColumns(all, 0, 4_000)),
        repo.upsert('binance', 'BTC/USDT', '1m', sliceColumns(all, 2_000, 6_000)),
        repo.upsert('binance', 'BTC/USDT', '1m', sliceColumns(all, 1_000, 5_000)),
      ]);
      expect(toArrays(await repo.loadColumns('binance', 'BTC/USDT', '1m'))).toEqual(toArrays(all));
    });

    it('loads every row when times are off the timeframe grid or sparse', async () => {
      const dense = Array.from({ length: 2_500 }, (_, i) => bar(i * 60_000, i));
      await repo.upsert('csv:odd', 'X/Y', '1h', dense);
      expect(Array.from((await repo.loadColumns('csv:odd', 'X/Y', '1h')).close)).toEqual(dense.map((b) => b.close));
      expect((await repo.loadTimes('csv:odd', 'X/Y', '1h')).length).toBe(2_500);
      await repo.upsert('csv:odd', 'X/Y', '1m', [bar(0, 1), bar(5 * 365 * 86_400_000, 2)]);
      expect(Array.from((await repo.loadColumns('csv:odd', 'X/Y', '1m')).close)).toEqual([1, 2]);
    });

    it('refuses a non-finite value and writes nothing', async () => {
      await expect(repo.upsert('binance', 'BTC/USDT', '1m', [bar(0, 1), { ...bar(60_000, 1), close: Number.NaN }])).rejects.toThrow(RangeError);
      expect(await repo.listSeries()).toEqual([]);
    });
  });
}
