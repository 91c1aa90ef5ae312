import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { sharedDataPath } from '../support/shared-data.js';

const tradeops = runCli;

describe('tradeops data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeops-data-'));
  let exchange: ExchangeServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: utc('2021-04-20T06:00') });
    env = { DATABASE_URL: `sqlite:${join(dir, 'a.db')}`, EXCHANGE_API_URL: exchange.url };
  });
  afterAll(async () => exchange.close());

  it('imports a file all-or-nothing into its own source, lists it with its gaps, and reports the gaps', async () => {
    const imported = await tradeops(['data', 'import', sharedDataPath('crypto/freqtrade_testdata/UNITTEST_BTC-1m.json')], env);
    expect(imported).toMatchObject({ code: 0 });
    expect(imported.out).toBe('Imported freqtrade:unittest_btc-1m UNITTEST/BTC 1m: 13681 bars, 2017-11-04 23:02 → 2017-11-14 22:59; 538 gaps, 717 missing bars; calendar 24x7 (detected: bars on 2 of 2 weekends).\n');
    const again = await tradeops(['data', 'import', sharedDataPath('crypto/freqtrade_testdata/UNITTEST_BTC-1m.json')], env);
    expect(again.code).toBe(0);
    const list = JSON.parse((await tradeops(['data', 'list', '--json'], env)).out);
    expect(list).toEqual([expect.objectContaining({ source: 'freqtrade:unittest_btc-1m', symbol: 'UNITTEST/BTC', timeframe: '1m', rows: 13681, gaps: 538, calendar: expect.objectContaining({ name: '24x7' }) })]);
    const gaps = JSON.parse((await tradeops(['data', 'gaps', '--symbol', 'unittest/btc', '--json'], env)).out);
    expect(gaps[0].summary).toEqual({ gaps: 538, missingBars: 717 });
  });

  it('refuses a bad file naming the entry, and stores nothing of it', async () => {
    const bad = await tradeops(['data', 'import', sharedDataPath('crypto/freqtrade_testdata/futures/XRP_USDT_USDT-8h-funding_rate.json')], env);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/entry 1: high 0 is below max\(open 0.0001, close 0\)\. Nothing was imported\./);
    const list = JSON.parse((await tradeops(['data', 'list', '--json'], env)).out);
    expect(list.map((s: { source: string }) => s.source)).not.toContain('freqtrade:xrp_usdt_usdt-8h-funding_rate');
  });

  it('backfills from the exchange through ccxt with pagination, idempotently, reporting the real outage', async () => {
    const args = ['data', 'backfill', '--symbol', 'BTC/USDT', '--timeframe', '1m', '--since', '2021-04-20T00:00', '--until', '2021-04-20T05:59'];
    const first = await tradeops(args, env);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^Backfilled binance BTC\/USDT 1m: \d+ bars; 1 gaps, 150 missing bars; calendar 24x7 \(detected: too short to tell: 0 weekends between the first and last bar, 3 needed; assumed round the clock\)\.\n$/);
    expect(first.err).toMatch(/… \d+ bars, up to/);
    await tradeops(args, env);
    const list = JSON.parse((await tradeops(['data', 'list', '--json'], env)).out);
    expect(list.find((s: { source: string }) => s.source === 'binance')).toMatchObject({ rows: 360 - 150, gaps: 1 });
  });

  it('compares two sources over their overlap', async () => {
    await tradeops(['data', 'import', sharedDataPath('crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json'), '--source', 'freqtrade:selskas'], env);
    const cmp = JSON.parse((await tradeops(['data', 'compare', '--source', 'binance', '--target', 'freqtrade:selskas', '--symbol', 'BTC/USDT', '--timeframe', '1m', '--json'], env)).out);
    expect(cmp).toMatchObject({ inBoth: 210, onlyInA: 0, onlyInB: 0, mismatchedBars: 0 });
  });

  it('migrates series to another store and verifies them; clean needs --yes', async () => {
    const to = `sqlite:${join(dir, 'b.db')}`;
    const migrated = await tradeops(['data', 'migrate', '--from', env.DATABASE_URL!, '--to', to, '--source', 'binance'], env);
    expect(migrated.out).toBe('binance BTC/USDT 1m: 210 bars copied, verified\n');
    const refused = await tradeops(['data', 'clean', '--source', 'binance'], env);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/add --yes to confirm/);
    expect((await tradeops(['data', 'clean', '--source', 'binance', '--yes'], env)).out).toBe('Deleted 210 bars of binance.\n');
    const left = JSON.parse((await tradeops(['data', 'list', '--json'], { ...env, DATABASE_URL: to })).out);
    expect(left).toEqual([expect.objectContaining({ source: 'binance', rows: 210 })]);
  });

  it('reports a stock on its weekdays calendar, says which and why, and counts round the clock when told', async () => {
    const stocks = { ...env, DATABASE_URL: `sqlite:${join(dir, 'stocks.db')}` };
    const imported = await tradeops(['data', 'import', sharedDataPath('GOOG.csv')], stocks);
    expect(imported.out).toBe(
      'Imported csv:goog GOOG 1d: 2148 bars, 2004-08-19 00:00 → 2013-03-01 00:00; 77 gaps (75 possibly holidays), 79 missing bars; ' +
        'calendar weekdays (detected: no bars on any of the 445 weekends; Friday 21:00 to Monday 00:00 UTC is not a gap).\n',
    );
    const text = (await tradeops(['data', 'gaps', '--symbol', 'goog'], stocks)).out.split('\n');
    expect(text).toEqual([
      'csv:goog GOOG 1d: 2148 bars, 77 gaps (75 possibly holidays), 79 missing bars',
      '  calendar: weekdays (detected: no bars on any of the 445 weekends; Friday 21:00 to Monday 00:00 UTC is not a gap)',
      '  after Fri 2006-12-29 00:00: 2 bars missing (Mon 2007-01-01 00:00 → Tue 2007-01-02 00:00)',
      '  after Fri 2012-10-26 00:00: 2 bars missing (Mon 2012-10-29 00:00 → Tue 2012-10-30 00:00)',
      expect.stringMatching(/^  possibly holidays \(one weekday each, no holiday list is known\): Mon 2004-09-06, Thu 2004-11-25, Fri 2004-12-24, Mon 2005-01-17, .*, … 55 more \(use --json for all\)$/),
      '',
    ]);
    expect(text.join('\n')).not.toMatch(/\((Sat|Sun) /);

    const [json] = JSON.parse((await tradeops(['data', 'gaps', '--symbol', 'GOOG', '--json'], stocks)).out);
    expect(json).toMatchObject({ calendar: { name: 'weekdays', chosenBy: 'detected' }, summary: { gaps: 77, missingBars: 79 }, possibleHolidays: 75 });
    expect(json.gaps).toHaveLength(77);
    expect(json.gaps.at(-1)).toEqual({ afterMs: Date.parse('2013-02-15'), missingBars: 1, possibleHoliday: true, firstMissingMs: Date.parse('2013-02-18'), lastMissingMs: Date.parse('2013-02-18') });

    const forced = await tradeops(['data', 'gaps', '--symbol', 'GOOG', '--calendar', '24x7'], stocks);
    expect(forced.out.split('\n').slice(0, 3)).toEqual([
      'csv:goog GOOG 1d: 2148 bars, 463 gaps, 969 missing bars',
      '  calendar: 24x7 (given)',
      '  after Fri 2004-08-20 00:00: 2 bars missing (Sat 2004-08-21 00:00 → Sun 2004-08-22 00:00)',
    ]);
    expect(forced.out).not.toMatch(/possibly/);
    const list = (await tradeops(['data', 'list'], stocks)).out.split('\n');
    expect(list[0]).toMatch(/gaps +calendar$/);
    expect(list[2]).toMatch(/^csv:goog +GOOG +1d +2148 .* 77 +weekdays$/);
    expect(JSON.parse((await tradeops(['data', 'list', '--json', '--calendar', '24x7'], stocks)).out)[0]).toMatchObject({ gaps: 463, calendar: { name: '24x7', chosenBy: 'given' } });

    const bad = await tradeops(['data', 'gaps', '--calendar', 'nyse'], stocks);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--calendar: "nyse" is not a calendar: use 24x7 \(round the clock, crypto\) or weekdays/);
  });

  it('fails a backfill during an exchange outage with exit code 1 and the reason, not as an internal error', async () => {
    const down = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: utc('2021-04-20T06:00') });
    try {
      down.setOutage(true);
      const args = ['data', 'backfill', '--symbol', 'BTC/USDT', '--timeframe', '1m', '--since', '2021-04-20T00:00', '--until', '2021-04-20T05:59'];
      const failed = await tradeops(args, { ...env, EXCHANGE_API_URL: down.url });
      expect(failed.code).toBe(1);
      expect(failed.err).not.toMatch(/internal error/);
      expect(failed.err).toMatch(/tradeops: cannot reach binance; try again in \d+ s\.\n$/);
    } finally {
      await down.close();
    }
  });

  it('explains usage mistakes with exit code 2', async () => {
    expect((await tradeops(['data'], env)).code).toBe(2);
    expect((await tradeops(['data', 'backfill', '--symbol', 'BTC/USDT'], env)).err).toMatch(/--timeframe is required/);
    expect((await tradeops(['data', 'backfill', '--symbol', 'BTC/USDT', '--timeframe', '1m', '--since', 'yesterday'], env)).err).toMatch(/--since "yesterday" is not a date/);
    expect((await tradeops(['data', 'frob'], env)).err).toMatch(/unknown action "frob"/);
  });
});
