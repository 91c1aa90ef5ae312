import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as ind from '../../src/indicators/index.js';
import { fastK, rangeOscillator, willrOf } from '../../src/indicators/range-oscillator.js';
import { EXTREMES_CHUNK } from '../../src/indicators/rolling-extremes.js';

/**
 * The reference: a full scan of every window. Of the elements ≥ (or ≤) all others it keeps the latest, NaNs skipped,
 * except TA-Lib's one quirk the tracking scan has always had: when the previous bar's extreme has just left the
 * window and the window's first bar is NaN, that bar's extreme is NaN.
 */
function naiveExtremes(x: Float64Array, period: number, highest: boolean): Float64Array {
  const out = new Float64Array(x.length).fill(12345);
  const better = (a: number, b: number): boolean => (highest ? a >= b : a <= b);
  let prev = -1;
  for (let i = 0; i < x.length; i++) {
    const s = i - period + 1;
    let best = -1;
    for (let j = Math.max(0, s); j <= i; j++) {
      if (!Number.isNaN(x[j]!) && (best < 0 || better(x[j]!, x[best]!))) best = j;
    }
    if (s >= 0 && prev < s && Number.isNaN(x[s]!)) {
      out[i] = NaN;
      prev = s;
    } else {
      prev = best;
      if (s >= 0) out[i] = x[best]!;
    }
  }
  return out;
}

const same = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** Values with many ties, both zeros and infinities; NaN only when asked. */
const value = (withNaN: boolean): fc.Arbitrary<number> =>
  fc.oneof(
    fc.double({ min: -1000, max: 1000, noNaN: true }),
    fc.constantFrom(1, 2, 2, 3, 0, -0, Infinity, -Infinity, ...(withNaN ? [NaN, NaN] : [])),
  );
/** Short series, and long ones that span several chunks of the batch path. */
const series = (withNaN: boolean): fc.Arbitrary<number[]> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.array(value(withNaN), { maxLength: 200 }) },
    { weight: 1, arbitrary: fc.array(value(withNaN), { minLength: EXTREMES_CHUNK, maxLength: 2 * EXTREMES_CHUNK + 300 }) },
  );
const period = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 40 }) }, { weight: 1, arbitrary: fc.integer({ min: 41, max: 3000 }) });

/** Checks rollingExtremes, the stream, Williams %R and fast %K (the stochastic before smoothing) against the reference. */
function checkAgainstNaive(highs: number[], lows: number[], p: number): void {
  const n = Math.min(highs.length, lows.length);
  const high = Float64Array.from(highs.slice(0, n));
  const low = Float64Array.from(lows.slice(0, n));
  const close = Float64Array.from(high, (h, i) => (i % 2 === 0 ? h : low[i]!));
  const wantHigh = naiveExtremes(high, p, true);
  const wantLow = naiveExtremes(low, p, false);
  const gotHigh = new Float64Array(n).fill(12345);
  const gotLow = new Float64Array(n).fill(12345);
  ind.rollingExtremes(high, low, p, gotHigh, gotLow);
  expect(same(gotHigh, wantHigh)).toBe(true);
  expect(same(gotLow, wantLow)).toBe(true);

  const stream = new ind.RollingExtremesStream(p);
  for (let i = 0; i < n; i++) {
    if (!stream.update(high[i]!, low[i]!)) continue;
    if (!Object.is(stream.highest, wantHigh[i]) || !Object.is(stream.lowest, wantLow[i])) expect.fail(`stream differs at ${i}`);
  }

  const willr = ind.willr(high, low, close, p);
  const k = rangeOscillator('Stochastic', high, low, close, p, false);
  for (let i = p - 1; i < n; i++) {
    const [hh, ll, c] = [wantHigh[i]!, wantLow[i]!, close[i]!];
    if (!Object.is(willr[i], willrOf(c, hh, ll))) expect.fail(`willr differs at ${i}`);
    if (!Object.is(k[i], fastK(c, hh, ll))) expect.fail(`fast %K differs at ${i}`);
  }
}

describe('rolling highest/lowest equal a full scan of every window (fast-check)', () => {
  it('without NaN (the batch fast path): the latest of equal extremes, so −0 and +0 come out as the scan keeps them', () => {
    fc.assert(fc.property(series(false), series(false), period, checkAgainstNaive), { numRuns: 300 });
  });

  it('−0 and +0 as the extremes, everywhere in the window', () => {
    const zeros = fc.array(fc.constantFrom(0, -0, 0, -0, -1, 1), { maxLength: 300 });
    fc.assert(fc.property(zeros, zeros, fc.integer({ min: 1, max: 12 }), checkAgainstNaive), { numRuns: 300 });
  });

  it('with NaN: skipped, except a NaN first bar right after the extreme left the window gives NaN (TA-Lib)', () => {
    fc.assert(fc.property(series(true), series(true), period, checkAgainstNaive), { numRuns: 300 });
  });

  it('a NaN after several clean chunks still gives the tracking result everywhere', () => {
    const n = 3 * EXTREMES_CHUNK + 50;
    const high = Float64Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 7) * 10 + (i % 5));
    const low = Float64Array.from(high, (h, i) => h - 1 - (i % 3));
    high[n - 20] = NaN;
    low[n - 40] = NaN;
    checkAgainstNaive(Array.from(high), Array.from(low), 14);
  });
});
