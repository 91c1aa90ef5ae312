import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { findGaps, summarizeGaps } from '../../src/market/gaps.js';
import { barOpenMs, isTimeframe, timeframeMs } from '../../src/market/timeframe.js';

describe('timeframes', () => {
  it('parses counts and units into ms', () => {
    expect(['1m', '5m', '15m', '1h', '4h', '1d', '1w', '30s'].map(timeframeMs)).toEqual([
      60_000, 300_000, 900_000, 3_600_000, 14_400_000, 86_400_000, 604_800_000, 30_000,
    ]);
  });

  it('refuses anything else with a UserError and the usage', () => {
    for (const bad of ['', '1', 'm', '0m', '1M', '1 m', '1min', '-1m', '1.5h']) {
      expect(() => timeframeMs(bad)).toThrow(UserError);
      expect(isTimeframe(bad)).toBe(false);
    }
    expect(() => timeframeMs('1M')).toThrow(/Months have no fixed length/);
    try {
      timeframeMs('x');
    } catch (e) {
      expect((e as UserError).usage).toMatch(/1m, 5m/);
    }
  });

  it('rounds a time down to its bar', () => {
    expect(barOpenMs(Date.parse('2021-04-20T01:59:59Z'), 300_000)).toBe(Date.parse('2021-04-20T01:55:00Z'));
  });
});

describe('gap detection', () => {
  it('lists each hole with the bar before it and the bars missing', () => {
    const t = [0, 1, 2, 5, 6, 10].map((i) => i * 60_000);
    expect(findGaps(t, 60_000)).toEqual([
      { afterMs: 120_000, missingBars: 2, firstMissingMs: 180_000, lastMissingMs: 240_000 },
      { afterMs: 360_000, missingBars: 3, firstMissingMs: 420_000, lastMissingMs: 540_000 },
    ]);
    expect(summarizeGaps(findGaps(t, 60_000))).toEqual({ gaps: 2, missingBars: 5 });
  });

  it('finds nothing in a contiguous, single-bar or empty series', () => {
    expect(findGaps([0, 60_000, 120_000], 60_000)).toEqual([]);
    expect(findGaps([5], 60_000)).toEqual([]);
    expect(findGaps(new Float64Array(0), 60_000)).toEqual([]);
  });

  it('counts whole bars skipped for off-grid times and refuses unsorted input', () => {
    expect(findGaps([17, 28_800_012, 86_400_005], 28_800_000)).toEqual([{ afterMs: 28_800_012, missingBars: 1, firstMissingMs: 57_600_012, lastMissingMs: 57_600_012 }]);
    expect(() => findGaps([0, 0], 60_000)).toThrow(RangeError);
    expect(() => findGaps([0, 60_000], 0)).toThrow(RangeError);
  });
});
