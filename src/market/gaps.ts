import { isWeekendBar, type CalendarName } from './calendar.js';
import type { Gap } from './types.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** A gap as a calendar counts it: on `weekdays`, only bars expected outside the weekend are missing. */
export interface CalendarGap extends Gap {
  /** Open times of the first and last bar the calendar expected in the hole (for a report that names the days). */
  readonly firstMissingMs: number;
  readonly lastMissingMs: number;
  /** Weekdays only: the missing bars are one weekday's (that whole day, or at least half of it), as an exchange holiday would leave. */
  readonly possibleHoliday?: true;
}

/** Totals over a gap list: how many holes and how many bars are missing in all. */
export interface GapSummary {
  readonly gaps: number;
  readonly missingBars: number;
}

/**
 * The holes in a series of bar open times (ascending), for bars of `barMs`: each place where the next bar is more
 * than one step away. A step that is not a whole number of bars (an off-grid time) counts the whole bars skipped.
 * On the `weekdays` calendar, bars the weekend explains (see {@link isWeekendBar}) are not missing.
 */
export function findGaps(timesMs: ArrayLike<number>, barMs: number, calendar: CalendarName = '24x7'): CalendarGap[] {
  if (!(barMs > 0)) throw new RangeError(`bar length must be positive, got ${barMs}`);
  const gaps: CalendarGap[] = [];
  for (let i = 1; i < timesMs.length; i++) {
    const previous = timesMs[i - 1]!;
    const step = timesMs[i]! - previous;
    if (!(step > 0)) throw new RangeError(`times must be strictly increasing (index ${i}: ${previous} then ${timesMs[i]})`);
    const skipped = Math.round(step / barMs) - 1;
    if (skipped < 1) continue;
    if (calendar === '24x7') {
      gaps.push({ afterMs: previous, missingBars: skipped, firstMissingMs: previous + barMs, lastMissingMs: previous + skipped * barMs });
      continue;
    }
    const missing = weekdayBarsIn(previous, skipped, barMs);
    if (missing.count < 1) continue;
    const holiday = looksLikeHoliday(missing, barMs) ? { possibleHoliday: true as const } : {};
    gaps.push({ afterMs: previous, missingBars: missing.count, ...holiday, firstMissingMs: missing.firstMs, lastMissingMs: missing.lastMs });
  }
  return gaps;
}

interface Missing {
  readonly count: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

/**
 * Of the `skipped` bars after `afterMs`, those outside the weekend. Long holes are counted a week at a time when
 * whole weeks hold whole bars, so a years-long hole in 1m bars costs one week's walk.
 */
function weekdayBarsIn(afterMs: number, skipped: number, barMs: number): Missing {
  const perWeek = WEEK_MS % barMs === 0 ? WEEK_MS / barMs : Infinity;
  let count = 0;
  let firstMs = NaN;
  let lastMs = NaN;
  const visit = (k: number): void => {
    const t = afterMs + k * barMs;
    if (isWeekendBar(t, barMs)) return;
    count++;
    if (count === 1) firstMs = t;
    lastMs = t;
  };
  if (skipped <= 2 * perWeek) {
    for (let k = 1; k <= skipped; k++) visit(k);
    return { count, firstMs, lastMs };
  }
  for (let k = 1; k <= perWeek; k++) visit(k);
  const weeks = Math.floor(skipped / perWeek);
  const perWeekCount = count;
  count = perWeekCount * weeks;
  if (perWeekCount > 0) lastMs += (weeks - 1) * WEEK_MS;
  for (let k = weeks * perWeek + 1; k <= skipped; k++) visit(k);
  return { count, firstMs, lastMs };
}

/** One weekday's bars and no other: the whole day for daily bars, at least half of it for shorter ones. */
function looksLikeHoliday(missing: Missing, barMs: number): boolean {
  const sameDay = Math.floor(missing.firstMs / DAY_MS) === Math.floor(missing.lastMs / DAY_MS);
  return barMs >= DAY_MS ? missing.count === 1 : sameDay && missing.count * barMs * 2 >= DAY_MS;
}

/** Counts the gaps and missing bars in a gap list. */
export function summarizeGaps(gaps: readonly Gap[]): GapSummary {
  let missingBars = 0;
  for (const gap of gaps) missingBars += gap.missingBars;
  return { gaps: gaps.length, missingBars };
}
