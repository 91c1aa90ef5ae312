const DAY_MS = 86_400_000;

/** How backtesting.py reads a time index: its period, rounding resolution and annualisation (pandas semantics). */
export interface Calendar {
  /** Median spacing of the last 100 timestamps (bt.py `_data_period`). */
  readonly periodMs: number;
  /** Unit that durations are rounded up to: the period's finest non-zero component (Timedelta.resolution_string). */
  readonly resolutionMs: number;
  /** Periods per year: 252, 365 (over 60 % of 2/7 of bars on weekends), 52, 12 or 1. */
  readonly annualPeriods: number;
  /** The resample rule for annualised returns: D, W, ME or YE. */
  readonly rule: 'D' | 'W' | 'ME' | 'YE';
  /** Index of the last bar of each non-empty resample period, in order. */
  readonly periodEnds: Int32Array;
}

const cache = new WeakMap<Float64Array, Calendar>();

/** The calendar of a time column, computed once per array. */
export function calendarOf(timeMs: Float64Array): Calendar {
  let cal = cache.get(timeMs);
  if (!cal) {
    cal = buildCalendar(timeMs);
    cache.set(timeMs, cal);
  }
  return cal;
}

function buildCalendar(timeMs: Float64Array): Calendar {
  const periodMs = dataPeriodMs(timeMs);
  const freqDays = Math.floor(periodMs / DAY_MS);
  let weekendBars = 0;
  for (let i = 0; i < timeMs.length; i++) if (weekday(timeMs[i]!) >= 5) weekendBars++;
  const haveWeekends = weekendBars / timeMs.length > (2 / 7) * 0.6;
  const rule = freqDays === 7 ? 'W' : freqDays === 31 ? 'ME' : freqDays === 365 ? 'YE' : 'D';
  const annualPeriods = rule === 'W' ? 52 : rule === 'ME' ? 12 : rule === 'YE' ? 1 : haveWeekends ? 365 : 252;
  return { periodMs, resolutionMs: resolutionMs(periodMs), annualPeriods, rule, periodEnds: periodEnds(timeMs, rule) };
}

/** Median of the differences of the last 100 timestamps (pandas median: mean of the two middle values). */
export function dataPeriodMs(timeMs: Float64Array): number {
  const tail = timeMs.subarray(Math.max(0, timeMs.length - 100));
  if (tail.length < 2) return NaN;
  const diffs = new Float64Array(tail.length - 1);
  for (let i = 1; i < tail.length; i++) diffs[i - 1] = tail[i]! - tail[i - 1]!;
  diffs.sort();
  const mid = diffs.length >> 1;
  return diffs.length % 2 ? diffs[mid]! : (diffs[mid - 1]! + diffs[mid]!) / 2;
}

/** pandas `Timedelta.resolution_string` as a length in ms: D, h, min, s, ms or finer. */
export function resolutionMs(periodMs: number): number {
  for (const unit of [DAY_MS, 3_600_000, 60_000, 1000, 1]) if (periodMs % unit === 0) return unit;
  return periodMs * 1000 % 1 === 0 ? 0.001 : 0.000001;
}

/** pandas `Timedelta.ceil(resolution)` on a duration in ms. */
export function ceilDuration(ms: number, resolution: number): number {
  return ms === ms ? Math.ceil(ms / resolution) * resolution : NaN;
}

/** pandas' mean of a Timedelta series: the float mean in ns, truncated to whole ns, here in ms. */
export function meanDuration(sumMs: number, count: number): number {
  return count ? Math.trunc((sumMs * 1e6) / count) / 1e6 : NaN;
}

function periodEnds(timeMs: Float64Array, rule: Calendar['rule']): Int32Array {
  const ends: number[] = [];
  let last = NaN;
  for (let i = 0; i < timeMs.length; i++) {
    const key = periodKey(timeMs[i]!, rule);
    if (key !== last && i > 0) ends.push(i - 1);
    last = key;
  }
  if (timeMs.length) ends.push(timeMs.length - 1);
  return Int32Array.from(ends);
}

function periodKey(t: number, rule: Calendar['rule']): number {
  const day = Math.floor(t / DAY_MS);
  if (rule === 'D') return day;
  if (rule === 'W') return Math.floor((day + 3) / 7);
  const { year, month } = civilFromDays(day);
  return rule === 'ME' ? year * 12 + month : year;
}

/** Day of week with Monday = 0 … Sunday = 6 (pandas `dayofweek`); 1970-01-01 was a Thursday. */
export function weekday(t: number): number {
  return (((Math.floor(t / DAY_MS) + 3) % 7) + 7) % 7;
}

/** Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** A timestamp the way pandas prints it: `2004-08-19 00:00:00` (UTC). */
export function formatTimestamp(ms: number): string {
  if (ms !== ms) return 'NaT';
  const day = Math.floor(ms / DAY_MS);
  const { year, month, day: dom } = civilFromDays(day);
  return `${year}-${pad(month)}-${pad(dom)} ${clock(ms - day * DAY_MS)}`;
}

/** A duration the way pandas prints a Timedelta: `3116 days 00:00:00`, `-1 days +23:00:00`, `NaT`. */
export function formatTimedelta(ms: number): string {
  if (ms !== ms) return 'NaT';
  const days = Math.floor(ms / DAY_MS);
  return `${days} days ${days < 0 ? '+' : ''}${clock(ms - days * DAY_MS)}`;
}

function clock(msOfDay: number): string {
  const ns = Math.round(msOfDay * 1e6);
  const secs = Math.floor(ns / 1e9);
  const frac = ns - secs * 1e9;
  const hms = `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`;
  if (frac === 0) return hms;
  return frac % 1000 === 0 ? `${hms}.${String(frac / 1000).padStart(6, '0')}` : `${hms}.${String(frac).padStart(9, '0')}`;
}

function pad(v: number): string {
  return String(v).padStart(2, '0');
}
