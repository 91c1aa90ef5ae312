import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { findGaps, summarizeGaps } from '../../src/market/gaps.js';
import { hintsFromName, importCandleFile, inferTimeframe, parseCandleCsv, parseFreqtradeJson } from '../../src/market/importers.js';
import { timeframeMs } from '../../src/market/timeframe.js';
import { DATA_DIR } from './shared-data.js';

/** Every OHLC file in shared/data with the row count, gaps and missing bars its README states. */
const EXPECTED: [path: string, rows: number, gaps: number | undefined, missing: number | undefined][] = [
  ['GOOG.csv', 2_148, undefined, undefined],
  ['EURUSD.csv', 5_000, undefined, undefined],
  ['BTCUSD.csv', 156, undefined, undefined],
  ['crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json', 61_272, 2, 434],
  ['crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/ETH_USDT-1m.json', 61_273, 2, 434],
  ['crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-5m.json', 38_059, 4, 119],
  ['crypto/binance_spot_1m_freqtrade_userdata/justinbomber_freq_stgy/BTC_USDT-1m.json', 43_199, 0, 0],
  ['crypto/binance_spot_1m_freqtrade_userdata/XyloTech_TF.bk/BTC_USDT-1m.json', 43_208, 0, 0],
  ['crypto/nautilus_trader/btc-perp-20211231-20220201_1m.csv', 45_031, 0, 0],
  ['crypto/freqtrade_testdata/ETH_BTC-5m.json', 5_760, 0, 0],
  ['crypto/freqtrade_testdata/ADA_BTC-5m.json', 5_720, 5, 40],
  ['crypto/freqtrade_testdata/UNITTEST_BTC-1m.json', 13_681, 538, 717],
  ['crypto/freqtrade_testdata/XRP_ETH-1m.json', 3_560, 0, 0],
  ['crypto/freqtrade_testdata/XRP_ETH-5m.json', 712, 0, 0],
  ['crypto/freqtrade_testdata/futures/XRP_USDT_USDT-5m-futures.json', 1_999, 0, 0],
  ['crypto/freqtrade_testdata/futures/XRP_USDT_USDT-1h-futures.json', 100, 0, 0],
  ['crypto/freqtrade_testdata/futures/XRP_USDT_USDT-8h-mark.json', 91, 0, 0],
];

describe('importing every real data file', () => {
  for (const [path, rows, gaps, missing] of EXPECTED) {
    it(`${path}: ${rows} rows${gaps === undefined ? '' : `, ${gaps} gaps, ${missing} missing bars`}`, async () => {
      const imported = await importCandleFile(join(DATA_DIR, path));
      expect(imported.columns.timeMs.length).toBe(rows);
      if (gaps !== undefined) {
        const timeframe = imported.nameHints.timeframe ?? imported.inferredTimeframe!;
        expect(imported.inferredTimeframe).toBe(timeframe);
        expect(summarizeGaps(findGaps(imported.columns.timeMs, timeframeMs(timeframe)))).toEqual({ gaps, missingBars: missing });
      }
    });
  }

  it('reads the README spot checks and first/last bars exactly (UTC, no zone shift)', async () => {
    const btc = await importCandleFile(join(DATA_DIR, 'crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json'));
    expect(btc.columns.open[0]).toBe(58720.45);
    expect(new Date(btc.columns.timeMs[0]!).toISOString()).toBe('2021-04-02T00:00:00.000Z');
    expect(new Date(btc.columns.timeMs[btc.columns.timeMs.length - 1]!).toISOString()).toBe('2021-05-14T20:25:00.000Z');
    const goog = await importCandleFile(join(DATA_DIR, 'GOOG.csv'));
    expect(goog.format).toBe('backtesting-csv');
    expect(new Date(goog.columns.timeMs[0]!).toISOString()).toBe('2004-08-19T00:00:00.000Z');
    expect([goog.columns.open[0], goog.columns.close[goog.columns.close.length - 1]]).toEqual([100, 806.19]);
    expect(goog.inferredTimeframe).toBe('1d');
    const eurusd = await importCandleFile(join(DATA_DIR, 'EURUSD.csv'));
    expect(new Date(eurusd.columns.timeMs[eurusd.columns.timeMs.length - 1]!).toISOString()).toBe('2018-02-07T15:00:00.000Z');
    expect(eurusd.inferredTimeframe).toBe('1h');
    const nautilus = await importCandleFile(join(DATA_DIR, 'crypto/nautilus_trader/btc-perp-20211231-20220201_1m.csv'));
    expect(nautilus.format).toBe('generic-csv');
    expect(new Date(nautilus.columns.timeMs[0]!).toISOString()).toBe('2021-12-31T23:01:00.000Z');
    expect(nautilus.columns.close[0]).toBe(46377);
    const monthly = await importCandleFile(join(DATA_DIR, 'BTCUSD.csv'));
    expect(monthly.inferredTimeframe).toBeUndefined();
  });

  it('rejects the funding-rate file (not OHLC) naming its first bad entry', async () => {
    const error = await importCandleFile(join(DATA_DIR, 'crypto/freqtrade_testdata/futures/XRP_USDT_USDT-8h-funding_rate.json')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe('XRP_USDT_USDT-8h-funding_rate.json, entry 1: high 0 is below max(open 0.0001, close 0). Nothing was imported.');
  });
});

describe('row validation', () => {
  const header = 'timestamp,open,high,low,close,volume';
  const good = ['1617321600000,1,2,0.5,1.5,10', '1617321660000,1.5,2,1,1.8,11'];
  const bad: [string, RegExp][] = [
    ['1617321720000,1.8,1.7,1,1.6,5', /line 4: high 1.7 is below max\(open 1.8, close 1.6\)/],
    ['1617321720000,1.8,2,1.9,1.95,5', /line 4: low 1.9 is above min\(open 1.8, close 1.95\)/],
    ['1617321660000,1.8,2,1,1.9,5', /line 4: the time 2021-04-02T00:01:00.000Z repeats the previous row's/],
    ['1617321600000,1.8,2,1,1.9,5', /line 4: the time .* is before the previous row's/],
    ['1617321720000,,2,1,1.9,5', /line 4: open "" is not a number/],
    ['1617321720000,NaN,2,1,1.9,5', /line 4: open "NaN" is not a number/],
    ['1617321720000,1.8,2,1,1.9', /line 4: 5 fields where the header has 6/],
    ['1617321720000,1.8,2,1,1.9,-1', /line 4: volume -1 is negative/],
    ['2021-04-02 00:02,1.8,2,1,1.9,1', /line 4: "2021-04-02 00:02" is not a valid time like the first row's \(milliseconds\)/],
  ];
  for (const [row, message] of bad) {
    it(`reports "${row}" with the file and line number, and imports nothing`, () => {
      const error = (() => {
        try {
          return parseCandleCsv([header, ...good, row, '1617321780000,1,1,1,1,1'].join('\n'), 'prices.csv');
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(/^prices\.csv, /);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/Nothing was imported\.$/);
    });
  }

  it('detects seconds, milliseconds and ISO times, with case-insensitive column names in any order', () => {
    const ms = parseCandleCsv('Close,OPEN,Time,high,Low,volume\n1.5,1,1617321600000,2,0.5,10', 'a.csv');
    const seconds = parseCandleCsv('close,open,date,high,low,volume\n1.5,1,1617321600,2,0.5,10', 'b.csv');
    const iso = parseCandleCsv('open_time;open;high;low;close;volume\n2021-04-02T00:00:00Z;1;2;0.5;1.5;10', 'c.csv');
    const offset = parseCandleCsv('timestamp,open,high,low,close,volume\n"2021-04-02T02:00:00+02:00","1","2","0.5","1.5","10"', 'd.csv');
    for (const r of [ms, seconds, iso, offset]) {
      expect(r.columns.timeMs[0]).toBe(1617321600000);
      expect([r.columns.open[0], r.columns.high[0], r.columns.low[0], r.columns.close[0], r.columns.volume[0]]).toEqual([1, 2, 0.5, 1.5, 10]);
    }
    expect([ms.timeEncoding, seconds.timeEncoding, iso.timeEncoding]).toEqual(['milliseconds', 'seconds', 'iso']);
  });

  it('rejects impossible dates instead of rolling them over', () => {
    expect(() => parseCandleCsv(',Open,High,Low,Close,Volume\n2021-02-30,1,2,0.5,1.5,10', 'x.csv')).toThrow(/line 2: "2021-02-30" is not a valid time/);
  });

  it('names a missing column', () => {
    expect(() => parseCandleCsv('timestamp,open,high,low,close\n1,1,1,1,1', 'fx.csv')).toThrow('fx.csv, line 1: no "volume" column');
  });

  it('rejects malformed freqtrade JSON with the entry number', () => {
    expect(() => parseFreqtradeJson('[[1,1,1,1,1,1],[2,1,1,1,"1",1]]', 'x.json')).toThrow('x.json, entry 2: every field must be a number');
    expect(() => parseFreqtradeJson('[[1,1,1,1,1,1]', 'x.json')).toThrow(/x\.json: not valid JSON/);
    expect(() => parseFreqtradeJson('{"a":1}', 'x.json')).toThrow(UserError);
  });

  it('never throws anything but a UserError, whatever the text (property)', () => {
    const csvish = fc.array(
      fc.oneof(
        fc.constantFrom('timestamp,open,high,low,close,volume', ',Open,High,Low,Close,Volume', '1617321600000,1,2,0.5,1.5,10', '2021-04-02,1,2,0.5,1.5,10', '"a,b', '', ';', '\t'),
        fc.string(),
        fc.string({ unit: 'binary' }),
      ),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(csvish, (lines) => {
        try {
          const r = parseCandleCsv(lines.join('\n'), 'fuzz.csv');
          expect(r.columns.timeMs.length).toBeGreaterThan(0);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
        }
      }),
      { numRuns: 3_000, seed: 42 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        try {
          parseFreqtradeJson(text, 'fuzz.json');
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
        }
      }),
      { numRuns: 1_000, seed: 42 },
    );
  });
});

describe('file-name hints and timeframe inference', () => {
  it('reads symbol and timeframe from freqtrade names', () => {
    expect(hintsFromName('BTC_USDT-1m.json')).toEqual({ symbol: 'BTC/USDT', timeframe: '1m' });
    expect(hintsFromName('XRP_USDT_USDT-5m-futures.json')).toEqual({ symbol: 'XRP/USDT:USDT', timeframe: '5m' });
    expect(hintsFromName('btc-perp-20211231-20220201_1m.csv')).toEqual({ symbol: undefined, timeframe: '1m' });
    expect(hintsFromName('GOOG.csv')).toEqual({ symbol: undefined, timeframe: undefined });
  });

  it('infers the most common usual step', () => {
    expect(inferTimeframe([0, 60_000, 120_000, 300_000])).toBe('1m');
    expect(inferTimeframe([0, 31 * 86_400_000])).toBeUndefined();
    expect(inferTimeframe([0])).toBeUndefined();
  });
});
