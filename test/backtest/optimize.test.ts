import { afterAll, describe, expect, it } from 'vitest';
import { optimize, type OptimizeProgress } from '../../src/backtest/optimize.js';
import { gridCombinations, paramValues, randomCombinations } from '../../src/backtest/param-space.js';
import { OptimizerPool } from '../../src/backtest/worker-pool.js';
import { walkForward, walkForwardSplits } from '../../src/backtest/walk-forward.js';
import { DATA_DIR, readOhlcCsv } from './data.js';

const GOOG = readOhlcCsv(`${DATA_DIR}/GOOG.csv`);
const SIGNAL = { module: new URL('../../src/backtest/reference-signals.ts', import.meta.url).href, export: 'smaCrossTargets' };
const SPACE = { fast: { min: 5, max: 30, step: 5 }, slow: { values: [20, 30, 40, 60, 80] } };
const fastBelowSlow = (p: Record<string, number>): boolean => p.fast! < p.slow!;
const pool = new OptimizerPool(2);
afterAll(() => pool.close());

describe('parameter space', () => {
  it('ranges step without drift and grids follow the key order, filtered by the constraint', () => {
    expect(paramValues({ min: 0.1, max: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    const grid = gridCombinations(SPACE, fastBelowSlow);
    expect(grid.slice(0, 3)).toEqual([{ fast: 5, slow: 20 }, { fast: 5, slow: 30 }, { fast: 5, slow: 40 }]);
    expect(grid.every(fastBelowSlow)).toBe(true);
    expect(grid).toHaveLength(6 * 5 - 4);
  });
  it('random search is deterministic for a seed, distinct, and within the space', () => {
    const a = randomCombinations(SPACE, 10, 7, fastBelowSlow);
    expect(randomCombinations(SPACE, 10, 7, fastBelowSlow)).toEqual(a);
    expect(randomCombinations(SPACE, 10, 8, fastBelowSlow)).not.toEqual(a);
    expect(new Set(a.map((p) => JSON.stringify(p))).size).toBe(10);
    const grid = gridCombinations(SPACE, fastBelowSlow).map((p) => JSON.stringify(p));
    expect(a.every((p) => grid.includes(JSON.stringify(p)))).toBe(true);
  });
});

describe('optimize', () => {
  const request = { candles: GOOG, signal: SIGNAL, space: SPACE, constraint: fastBelowSlow, objective: 'sharpeRatio' as const,
    backtest: { commission: 0.002 } };

  it('ranks identically with 1 worker, 2 workers and on this thread, reports progress monotonically', async () => {
    const progress: OptimizeProgress[] = [];
    const two = await optimize({ ...request, pool, onProgress: (p) => progress.push(p) });
    const one = await optimize({ ...request, workers: 1 });
    const here = await optimize({ ...request, workers: 0 });
    const ranking = (r: typeof two) => r.ranked.map((row) => [row.index, row.params, row.score, row.stats.equityFinal]);
    expect(ranking(one)).toEqual(ranking(two));
    expect(ranking(here)).toEqual(ranking(two));
    expect(two.ranked).toHaveLength(26);
    expect(two.ranked[0]!.score).toBeGreaterThanOrEqual(two.ranked[1]!.score);
    expect(progress.at(-1)).toEqual({ done: 26, total: 26 });
    for (let k = 1; k < progress.length; k++) expect(progress[k]!.done).toBeGreaterThan(progress[k - 1]!.done);
  });

  it('builds a heatmap of the best score per pair of the two parameters', async () => {
    const result = await optimize({ ...request, pool });
    const { heatmap } = result;
    expect(heatmap!.x.values).toEqual([5, 10, 15, 20, 25, 30]);
    expect(heatmap!.y.values).toEqual([20, 30, 40, 60, 80]);
    const row = result.ranked.find((r) => r.params.fast === 10 && r.params.slow === 40)!;
    expect(heatmap!.scores[2 * 6 + 1]).toBe(row.score);
    expect(heatmap!.scores[0 * 6 + 4]).toBeNaN(); // fast 25 ≥ slow 20: excluded by the constraint
  });

  it('random search with a seed gives the same result on any worker count', async () => {
    const search = { kind: 'random', samples: 12, seed: 99 } as const;
    const a = await optimize({ ...request, search, pool });
    const b = await optimize({ ...request, search, workers: 0 });
    expect(a.ranked.map((r) => [r.params, r.score])).toEqual(b.ranked.map((r) => [r.params, r.score]));
    expect(a.ranked).toHaveLength(12);
  });

  it('stops early when aborted and rejects with the abort reason', async () => {
    const controller = new AbortController();
    let seen = 0;
    const big = { fast: { min: 2, max: 60 }, slow: { min: 10, max: 200, step: 2 } };
    const run = optimize({ ...request, space: big, pool, abortSignal: controller.signal, onProgress: (p) => { seen = p.done; controller.abort(new Error('stop')); } });
    await expect(run).rejects.toThrow('stop');
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(gridCombinations(big, fastBelowSlow).length);
    const after = await optimize({ ...request, pool });
    expect(after.ranked).toHaveLength(26);
  });

  it('reports a signal export that does not exist, on workers and on this thread', async () => {
    const missing = { ...SIGNAL, export: 'noSuchSignal' };
    await expect(optimize({ ...request, signal: missing, pool })).rejects.toThrow(/noSuchSignal/);
    await expect(optimize({ ...request, signal: missing, workers: 0 })).rejects.toThrow(/noSuchSignal/);
    expect((await optimize({ ...request, pool })).ranked).toHaveLength(26);
  });

  it('refuses a commission function with workers', async () => {
    await expect(optimize({ ...request, pool, backtest: { commission: () => 1 } })).rejects.toThrow(RangeError);
  });
});

describe('walk-forward', () => {
  it('splits into rolling train/test windows that never overlap inside a window', () => {
    for (const anchored of [false, true]) {
      const splits = walkForwardSplits(2148, { trainBars: 500, testBars: 200, anchored });
      expect(splits).toHaveLength(9);
      for (const s of splits) {
        expect(s.train.to).toBeLessThanOrEqual(s.test.from);
        expect(s.train.from).toBeLessThan(s.train.to);
        expect(s.test.to).toBeLessThanOrEqual(2148);
        expect(s.test.to - s.test.from).toBeGreaterThanOrEqual(2);
      }
      expect(splits[1]!.test.from).toBe(splits[0]!.test.to);
      expect(splits[3]!.train.from).toBe(anchored ? 0 : 600);
    }
  });

  it('optimises in-sample, evaluates the winner out-of-sample, and warns when out-of-sample collapses', async () => {
    const result = await walkForward({
      candles: GOOG, signal: SIGNAL, space: SPACE, constraint: fastBelowSlow, objective: 'returnPct', pool,
      windows: { trainBars: 600, testBars: 300 },
    });
    expect(result.windows).toHaveLength(6);
    for (const w of result.windows) {
      expect(w.params).toBeDefined();
      expect(w.inSample!.stats.startMs).toBe(GOOG.timeMs[w.split.train.from]);
      expect(w.outOfSample!.stats.startMs).toBe(GOOG.timeMs[w.split.test.from]);
      expect(w.outOfSample!.stats.endMs).toBe(GOOG.timeMs[w.split.test.to - 1]);
    }
    expect(result.efficiency).toBeCloseTo(result.meanOutOfSample / result.meanInSample, 12);
    const collapsed = result.windows.filter((w) => w.inSample!.score > 0 && !(w.outOfSample!.score > 0));
    expect(result.warnings.filter((m) => m.includes('out-of-sample returnPct'))).toHaveLength(collapsed.length);
    if (result.efficiency < 0.5) expect(result.warnings.at(-1)).toMatch(/collapses/);
  });
});
