import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimedelta, formatTimestamp, resolutionMs } from '../../src/backtest/calendar.js';
import { drawdownStats, forEachDrawdownPeriod } from '../../src/backtest/drawdown.js';
import { simulate } from '../../src/backtest/engine.js';
import { smaCrossTargets } from '../../src/backtest/reference-signals.js';
import { DATA_DIR, readOhlcCsv } from './data.js';

const EURUSD = readOhlcCsv(`${DATA_DIR}/EURUSD.csv`);

describe('drawdown summary', () => {
  it('the one-pass summary equals the per-bar curve walked period by period (real equity curves)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 3, max: 120 }), fc.boolean(), (fast, slow, short) => {
        const signal = smaCrossTargets(EURUSD, { fast, slow });
        const targets = short ? signal.targets : signal.targets.map((t) => Math.max(0, t));
        const { equity } = simulate(EURUSD, targets, { warmupBars: signal.warmupBars, commission: 0.0002, finalize: true });
        const curve = new Float64Array(equity.length);
        const summary = drawdownStats(equity, EURUSD.timeMs, curve);
        const periods: number[][] = [];
        forEachDrawdownPeriod(curve, EURUSD.timeMs, (end, dur, peak) => periods.push([end, dur, peak]));
        expect(summary.count).toBe(periods.length);
        expect(summary.maxDrawdown).toBe(Math.max(0, ...curve));
        if (periods.length) {
          expect(summary.maxDurationMs).toBe(Math.max(...periods.map((p) => p[1]!)));
          expect(summary.sumDurationMs).toBe(periods.reduce((a, p) => a + p[1]!, 0));
          expect(summary.avgPeak).toBeCloseTo(periods.reduce((a, p) => a + p[2]!, 0) / periods.length, 15);
        }
        expect(drawdownStats(equity, EURUSD.timeMs)).toEqual(summary);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});

describe('pandas formatting', () => {
  it('prints timestamps and Timedeltas like pandas', () => {
    expect(formatTimestamp(Date.UTC(2004, 7, 19))).toBe('2004-08-19 00:00:00');
    expect(formatTimedelta(3116 * 86_400_000)).toBe('3116 days 00:00:00');
    expect(formatTimedelta(86_400_000 + 19 * 3_600_000)).toBe('1 days 19:00:00');
    expect(formatTimedelta(500)).toBe('0 days 00:00:00.500000');
    expect(formatTimedelta(-3_600_000)).toBe('-1 days +23:00:00');
    expect(formatTimedelta(NaN)).toBe('NaT');
  });
  it('rounds durations to the resolution of the bar spacing', () => {
    expect(resolutionMs(86_400_000)).toBe(86_400_000);
    expect(resolutionMs(3 * 86_400_000)).toBe(86_400_000);
    expect(resolutionMs(3_600_000)).toBe(3_600_000);
    expect(resolutionMs(36 * 3_600_000)).toBe(3_600_000);
    expect(resolutionMs(90_000)).toBe(1000);
  });
});
