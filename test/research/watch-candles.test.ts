import { afterAll, describe, expect, it } from 'vitest';
import { closeDeps } from '../../src/deps.js';
import { missingSpans } from '../../src/research/watch-candles.js';
import { listWatches, putWatchState, watchKey, watchStates } from '../../src/research/watches.js';
import { testDeps } from '../support/test-deps.js';

const H = 3_600_000;
const T = Date.UTC(2024, 0, 1);
const hours = (...ks: number[]) => ks.map((k) => T + k * H);

describe('missingSpans: the closed bars of a range the store lacks', () => {
  const range = { fromMs: T, toMs: T + 9 * H };
  it('nothing when the range is stored complete (up to the last closed bar)', () => {
    expect(missingSpans(hours(0, 1, 2, 3, 4, 5), range, H, T + 6 * H)).toEqual([]);
  });
  it('the whole range, up to the last closed bar, when nothing is stored', () => {
    // Bars that open up to one bar before now have closed.
    expect(missingSpans([], range, H, T + 6 * H + 1)).toEqual([{ fromMs: T, toMs: T + 5 * H + 1 }]);
    expect(missingSpans([], range, H, T + H - 1)).toEqual([]);
  });
  it('depth, holes and new bars, merged into one span when less than a page apart', () => {
    expect(missingSpans(hours(2, 3, 6, 7), range, H, T + 20 * H)).toEqual([{ fromMs: T, toMs: T + 9 * H }]);
  });
  it('spans a page or more apart stay apart', () => {
    const long = { fromMs: T, toMs: T + 3000 * H };
    const stored = hours(...Array.from({ length: 3001 }, (_, k) => k).filter((k) => k !== 5 && k !== 2500));
    expect(missingSpans(stored, long, H, T + 4000 * H)).toEqual([{ fromMs: T + 5 * H, toMs: T + 5 * H }, { fromMs: T + 2500 * H, toMs: T + 2500 * H }]);
  });
});

describe('watch keys and states', () => {
  const deps = testDeps();
  afterAll(() => closeDeps(deps));
  it('watchKey writes the key listWatches parses; watchStates reads valid states and drops orphans', async () => {
    const settings = deps.store.settings;
    const key = watchKey({ platform: 'discord', chatId: '42' }, 'BTC/USDT', '1h', 'sma_cross');
    expect(key).toBe('watch:discord:42:BTC/USDT|1h|sma_cross');
    await settings.set(key, { by: 'discord:1', atMs: 5 }, 5);
    const [watch, ...more] = await listWatches(settings);
    expect(more).toEqual([]);
    expect(watch).toMatchObject({ key, target: { platform: 'discord', chatId: '42' }, symbol: 'BTC/USDT', timeframe: '1h', strategy: 'sma_cross', atMs: 5 });
    await putWatchState(settings, watch!, { stance: 1, barTimeMs: 100, watchAtMs: 5 }, 6);
    await settings.set('watch-state:watch:discord:42:ETH/USDT|1h|sma_cross', { stance: 1, barTimeMs: 100, watchAtMs: 5 }, 6);
    expect(await watchStates(settings, [watch!])).toEqual(new Map([[key, { stance: 1, barTimeMs: 100, watchAtMs: 5 }]]));
    expect((await settings.list('watch-state:')).map((r) => r.key)).toEqual([`watch-state:${key}`]);
    // A state recorded for an earlier watch of the same key is not this watch's.
    expect(await watchStates(settings, [{ ...watch!, atMs: 9 }])).toEqual(new Map());
  });
});
