import type { Gap } from './types.js';

/** Totals over a gap list: how many holes and how many bars are missing in all. */
export interface GapSummary {
  readonly gaps: number;
  readonly missingBars: number;
}

/**
 * The holes in a series of bar open times (ascending), for bars of `barMs`: each place where the next bar is more
 * than one step away. A step that is not a whole number of bars (an off-grid time) counts the whole bars skipped.
 */
export function findGaps(timesMs: ArrayLike<number>, barMs: number): Gap[] {
  if (!(barMs > 0)) throw new RangeError(`bar length must be positive, got ${barMs}`);
  const gaps: Gap[] = [];
  for (let i = 1; i < timesMs.length; i++) {
    const previous = timesMs[i - 1]!;
    const step = timesMs[i]! - previous;
    if (!(step > 0)) throw new RangeError(`times must be strictly increasing (index ${i}: ${previous} then ${timesMs[i]})`);
    const missingBars = Math.round(step / barMs) - 1;
    if (missingBars >= 1) gaps.push({ afterMs: previous, missingBars });
  }
  return gaps;
}

/** Counts the gaps and missing bars in a gap list. */
export function summarizeGaps(gaps: readonly Gap[]): GapSummary {
  let missingBars = 0;
  for (const gap of gaps) missingBars += gap.missingBars;
  return { gaps: gaps.length, missingBars };
}
