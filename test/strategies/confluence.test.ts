import { describe, expect, it } from 'vitest';
import { CONFLUENCE_COMPONENTS, confluence, explainConfluence } from '../../src/strategies/index.js';
import { readFreqtradeJson, sharedDataPath } from '../support/shared-data.js';

const btc = readFreqtradeJson(
  sharedDataPath('crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json'),
);

describe('confluence score on real BTC 1m data', () => {
  const params = confluence.defaults;
  const result = confluence.compute(btc, params);
  const score = result.indicators.score!;

  it('stays within 0–100 once defined, and is NaN before every weighted component exists', () => {
    const first = score.findIndex((s) => !Number.isNaN(s));
    expect(first).toBe(params.macdSlow + params.macdSignal - 2);
    for (let i = first; i < score.length; i++) {
      if (!(score[i]! >= 0 && score[i]! <= 100)) expect.fail(`score[${i}] = ${score[i]}`);
    }
    expect(Array.from(result.targets.subarray(0, first)).every((t) => t === 0)).toBe(true);
  });

  it('uses both thresholds on real data', () => {
    expect(result.targets.includes(1)).toBe(true);
    expect(result.targets.includes(-1)).toBe(true);
  });

  it('explains a bar: weights, raw values and sub-scores that add up to the score and the target', () => {
    for (const index of [40, 1000, 12_345, btc.close.length - 1]) {
      const e = explainConfluence(result, params, index);
      expect(e.components.map((c) => c.name)).toEqual(CONFLUENCE_COMPONENTS.map((c) => c.name));
      expect(e.components.reduce((sum, c) => sum + c.share, 0)).toBeCloseTo(1, 12);
      expect(e.components.reduce((sum, c) => sum + c.contribution, 0)).toBeCloseTo(e.score, 9);
      const rsi = e.components.find((c) => c.name === 'rsi')!;
      expect(rsi.raw).toBe(result.indicators.rsi![index]);
      expect(rsi.subScore).toBe(100 - rsi.raw);
      expect(rsi.weight).toBe(params.rsiWeight);
      expect(e.target).toBe(e.score >= e.longAbove ? 1 : e.score <= e.shortBelow ? -1 : 0);
    }
  });

  it('ignores a component whose weight is 0, even while it is undefined', () => {
    const noVolume = confluence.schema.parse({ volumeWeight: 0, volumePeriod: 200 });
    const r = confluence.compute(btc, noVolume);
    expect(Number.isNaN(r.indicators.volumeScore![100])).toBe(true);
    expect(Number.isNaN(r.indicators.score![100])).toBe(false);
    const e = explainConfluence(r, noVolume, 100);
    expect(e.components.find((c) => c.name === 'volume')).toMatchObject({ weight: 0, share: 0, contribution: 0 });
  });

  it('rejects a bar index outside the result', () => {
    expect(() => explainConfluence(result, params, btc.close.length)).toThrow(RangeError);
  });
});
