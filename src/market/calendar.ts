import { UserError } from '../errors.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-05, the first Monday 00:00 UTC of the epoch: weeks are counted from it. */
const MONDAY_MS = 4 * DAY_MS;
/**
 * The weekend as a weekdays market sees it, as offsets into the UTC week: Friday 21:00 (FX closes 21:00–22:00 UTC,
 * US stocks by 21:00) to Monday 00:00. Expected bars that lie mostly inside it are not missing.
 */
const WEEKEND_FROM_MS = 4 * DAY_MS + 21 * HOUR_MS;
const WEEKEND_TO_MS = WEEK_MS;
/** The hours every weekdays market is shut (Saturday 00:00 to Sunday 21:00 UTC, when FX reopens): detection looks here. */
const CORE_FROM_MS = 5 * DAY_MS;
const CORE_TO_MS = 6 * DAY_MS + 21 * HOUR_MS;
/** Fewer weekends than this between the first and last bar are too few to tell a calendar from. */
export const MIN_WEEKENDS = 3;
/** A weekdays series may still trade on at most this share of its weekends (a special session, a stray bar). */
const MAX_TRADED_WEEKEND_SHARE = 0.05;

/** The trading calendars gap reports know: `24x7` (crypto) and `weekdays` (stocks and FX: no weekend bars). */
export const CALENDARS = ['24x7', 'weekdays'] as const;

/** One of {@link CALENDARS}. */
export type CalendarName = (typeof CALENDARS)[number];

/** The calendar a report used, and why: given by the user, or detected from the bars. */
export interface CalendarChoice {
  readonly name: CalendarName;
  readonly chosenBy: 'given' | 'detected';
  readonly reason: string;
}

/** Reads a calendar name; a UserError naming the choices for anything else. */
export function parseCalendar(text: string): CalendarName {
  const name = text.trim().toLowerCase();
  if ((CALENDARS as readonly string[]).includes(name)) return name as CalendarName;
  throw new UserError(`"${text}" is not a calendar: use 24x7 (round the clock, crypto) or weekdays (Mon–Fri: stocks, FX).`);
}

/** Where `timeMs` falls in its UTC week, in ms since Monday 00:00. */
export function weekOffsetMs(timeMs: number): number {
  return (((timeMs - MONDAY_MS) % WEEK_MS) + WEEK_MS) % WEEK_MS;
}

/** True when more than half of the bar opening at `openMs` lies in the weekend (Friday 21:00 to Monday 00:00 UTC). */
export function isWeekendBar(openMs: number, barMs: number): boolean {
  const start = weekOffsetMs(openMs);
  let insideMs = 0;
  for (let weekMs = -WEEK_MS; weekMs < start + barMs; weekMs += WEEK_MS) {
    insideMs += Math.max(0, Math.min(start + barMs, weekMs + WEEKEND_TO_MS) - Math.max(start, weekMs + WEEKEND_FROM_MS));
  }
  return insideMs * 2 > barMs;
}

/** True when the whole bar lies in hours every weekdays market is shut: such a bar means the market trades weekends. */
function isWeekendOnlyBar(openMs: number, barMs: number): boolean {
  const start = weekOffsetMs(openMs);
  return start >= CORE_FROM_MS && start + barMs <= CORE_TO_MS;
}

/** The calendar the user gave, or the one the bars show (see {@link detectCalendar}). */
export function chooseCalendar(timesMs: ArrayLike<number>, barMs: number, given?: CalendarName): CalendarChoice {
  return given === undefined ? detectCalendar(timesMs, barMs) : { name: given, chosenBy: 'given', reason: 'given with --calendar' };
}

/**
 * Tells a weekdays series from a round-the-clock one: `weekdays` when at least {@link MIN_WEEKENDS} weekends lie between
 * the first and last bar and (almost) none of them has a bar; otherwise `24x7`, with the reason.
 */
export function detectCalendar(timesMs: ArrayLike<number>, barMs: number): CalendarChoice {
  const detected = (name: CalendarName, reason: string): CalendarChoice => ({ name, chosenBy: 'detected', reason });
  if (barMs > DAY_MS) return detected('24x7', 'bars longer than a day span weekends');
  const n = timesMs.length;
  const weekends = n < 2 ? 0 : weekendsBetween(timesMs[0]!, timesMs[n - 1]!);
  // A weekend cut by the first or last bar is not counted, yet its bars are: the larger count is the honest total.
  const traded = tradedWeekends(timesMs, barMs);
  const total = Math.max(weekends, traded);
  if (traded > 0 && traded > total * MAX_TRADED_WEEKEND_SHARE) return detected('24x7', `bars on ${traded} of ${total} weekend${total === 1 ? '' : 's'}`);
  if (weekends < MIN_WEEKENDS) {
    const count = `${weekends} weekend${weekends === 1 ? '' : 's'}`;
    return detected('24x7', `too short to tell: ${count} between the first and last bar, ${MIN_WEEKENDS} needed; assumed round the clock`);
  }
  return detected('weekdays', traded === 0 ? `no bars on any of the ${weekends} weekends` : `no bars on ${total - traded} of the ${total} weekends`);
}

/** Saturday-to-Sunday-21:00 windows lying wholly between two times. */
function weekendsBetween(firstMs: number, lastMs: number): number {
  const firstWeek = Math.ceil((firstMs - MONDAY_MS - CORE_FROM_MS) / WEEK_MS);
  const lastWeek = Math.floor((lastMs - MONDAY_MS - CORE_TO_MS) / WEEK_MS);
  return Math.max(0, lastWeek - firstWeek + 1);
}

/** Distinct weekends with at least one weekend-only bar (times ascending). */
function tradedWeekends(timesMs: ArrayLike<number>, barMs: number): number {
  let count = 0;
  let lastWeek = NaN;
  for (let i = 0; i < timesMs.length; i++) {
    const t = timesMs[i]!;
    if (!isWeekendOnlyBar(t, barMs)) continue;
    const week = Math.floor((t - MONDAY_MS) / WEEK_MS);
    if (week !== lastWeek) count++;
    lastWeek = week;
  }
  return count;
}

/** How a report states its calendar: `weekdays (detected: no bars on any of the 443 weekends)`. */
export function describeCalendar(choice: CalendarChoice): string {
  const scope = choice.name === 'weekdays' ? '; Friday 21:00 to Monday 00:00 UTC is not a gap' : '';
  return `${choice.name} (${choice.chosenBy === 'given' ? 'given' : `detected: ${choice.reason}`}${scope})`;
}
