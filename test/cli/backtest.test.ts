import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { sharedDataPath } from '../support/shared-data.js';

const tradeops = runCli;

const golden = JSON.parse(readFileSync(sharedDataPath('golden/backtesting_py/golden_stats.json'), 'utf8')) as Record<string, { stats: Record<string, number | string> }>;

describe('tradeops backtest', () => {
  const env = { DATABASE_URL: `sqlite:${join(mkdtempSync(join(tmpdir(), 'tradeops-bt-')), 'bt.db')}` };

  it('reproduces backtesting.py figure for figure from a file, in --json with backtesting.py names', async () => {
    const run = await tradeops(['backtest', '--strategy', 'sma_cross', '--params', 'fast=10,slow=20', '--data', sharedDataPath('GOOG.csv'), '--symbol', 'GOOG', '--finalize', '--json'], env);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.out);
    const expected = golden.goog_sma10_20_nocomm_exclusive_finalize!.stats;
    for (const [key, value] of Object.entries(expected)) {
      if (typeof value === 'number') expect(result[key], key).toBeCloseTo(value, 6);
      else if (!key.startsWith('_')) expect(result[key], key).toBe(value);
    }
    expect(result.trades).toHaveLength(94);
    expect(result.equity).toHaveLength(2148);
    expect(result.run).toMatchObject({ strategy: 'sma_cross', params: { fast: 10, slow: 20 }, data: { symbol: 'GOOG', rows: 2148, timeframe: '1d' } });
    expect(result.run.data.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores every run so --rerun reproduces it from the same data and says so', async () => {
    await tradeops(['data', 'import', sharedDataPath('EURUSD.csv'), '--symbol', 'EUR/USD'], env);
    const first = await tradeops(['backtest', '--strategy', 'sma_cross', '--params', 'fast=10,slow=30', '--source', 'csv:eurusd', '--symbol', 'EUR/USD', '--timeframe', '1h', '--commission', '0.0002', '--finalize'], env);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^sma_cross fast=10 slow=30 mode=long_short on csv:eurusd EUR\/USD 1h, 5000 bars/);
    const id = /--rerun ([0-9a-f]{10})/.exec(first.out)![1]!;
    const again = await tradeops(['backtest', '--rerun', id], env);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`Identical to run ${id} as recorded.`);
    expect(again.out.split('Run ')[0]).toBe(first.out.split('Run ')[0]);
  });

  it('explains mistakes: unknown strategy, bad parameters, missing data, unknown run', async () => {
    const unknown = await tradeops(['backtest', '--strategy', 'moon', '--data', sharedDataPath('GOOG.csv')], env);
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.err).toMatch(/Unknown strategy "moon"\. Available strategies: sma_cross, ema_cross/);
    const bad = await tradeops(['backtest', '--strategy', 'sma_cross', '--params', 'fast=30,slow=10', '--data', sharedDataPath('GOOG.csv')], env);
    expect(bad.err).toMatch(/Invalid parameters for sma_cross/);
    const none = await tradeops(['backtest', '--strategy', 'sma_cross', '--source', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1m'], env);
    expect(none.err).toMatch(/No 1m candles of BTC\/USDT from binance in that range/);
    expect((await tradeops(['backtest', '--rerun', 'ffffffffff'], env)).err).toMatch(/There is no stored run "ffffffffff"/);
    expect((await tradeops(['backtest', '--data', 'x'], env)).code).toBe(2);
  });
});

describe('tradeops optimize', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradeops-opt-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'opt.db')}` };
  const base = ['optimize', '--strategy', 'sma_cross', '--ranges', 'fast=5:20:5,slow=10:40:10', '--data', sharedDataPath('GOOG.csv'), '--symbol', 'GOOG', '--objective', 'sharpe', '--json'];

  it('ranks the combinations that pass the strategy rules, the same on one thread as on two workers', async () => {
    const one = JSON.parse((await tradeops([...base, '--workers', '0', '--top', '100'], env)).out);
    const two = JSON.parse((await tradeops([...base, '--workers', '2', '--top', '100'], env)).out);
    expect(one.ranked.every((r: { params: { fast: number; slow: number } }) => r.params.fast < r.params.slow)).toBe(true);
    expect(one.ranked).toHaveLength(12);
    expect(two.ranked.map((r: { params: unknown; score: number }) => [r.params, r.score])).toEqual(one.ranked.map((r: { params: unknown; score: number }) => [r.params, r.score]));
    expect(one.ranked[0].params).toEqual({ fast: 10, slow: 20, mode: 'long_short' });
    expect(one.run).toMatchObject({ kind: 'optimize', strategy: 'sma_cross', params: { fast: 10, slow: 20 } });
  }, 60_000);

  it('draws the heatmap and warns when walk-forward results collapse out of sample', async () => {
    const png = join(dir, 'heat.png');
    const run = await tradeops(['optimize', '--strategy', 'sma_cross', '--ranges', 'fast=5:30:5,slow=10:60:10', '--data', sharedDataPath('GOOG.csv'), '--objective', 'sharpe', '--walk-forward', '800:300', '--heatmap', png, '--workers', '0'], env);
    expect(run.code).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(run.out).toMatch(/Walk-forward: mean in-sample [\d.]+, out-of-sample [\d.-]+, efficiency/);
    expect(run.out).toMatch(/WARNING: out-of-sample collapses/);
  }, 60_000);

  it('refuses ranges it cannot search, and unknown parameters', async () => {
    expect((await tradeops(['optimize', '--strategy', 'sma_cross', '--ranges', 'speed=1:2', '--data', sharedDataPath('GOOG.csv')], env)).err).toMatch(/sma_cross has no parameter "speed"/);
    expect((await tradeops(['optimize', '--strategy', 'sma_cross', '--ranges', 'fast=30:5', '--data', sharedDataPath('GOOG.csv')], env)).err).toMatch(/fast=30:5 is not MIN:MAX\[:STEP\]/);
    expect((await tradeops(['optimize', '--strategy', 'sma_cross', '--objective', 'luck', '--data', sharedDataPath('GOOG.csv')], env)).code).toBe(2);
  });
});
