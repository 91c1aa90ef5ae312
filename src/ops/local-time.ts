/** A wall-clock reading in one time zone: `YYYY-MM-DD` and `HH:MM`. */
export interface LocalTime {
  readonly date: string;
  readonly time: string;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local wall-clock time of an instant, read as if it were UTC (epoch ms, whole seconds). */
function wallClockMs(ms: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** The local date and HH:MM of an instant in an IANA time zone. */
export function localTimeOf(ms: number, timeZone: string): LocalTime {
  const iso = new Date(wallClockMs(ms, timeZone)).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

/** The date `days` after a `YYYY-MM-DD` date (negative: before). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The instant a local date and HH:MM happen in a time zone. A time skipped by a spring-forward change gives the
 * first instant after the gap (the change itself: 02:30 on a 02:00→03:00 day is 03:00); a time repeated by a
 * fall-back change gives its first occurrence.
 */
export function instantOf(date: string, time: string, timeZone: string): number {
  const wanted = Date.parse(`${date}T${time}:00Z`);
  if (!Number.isFinite(wanted)) throw new Error(`not a local date and time: ${date} ${time}`);
  const offsets = new Set([-DAY_MS, 0, DAY_MS].map((d) => wallClockMs(wanted + d, timeZone) - (wanted + d)));
  const candidates = [...offsets].map((o) => wanted - o).filter((ms) => wallClockMs(ms, timeZone) === wanted);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: the local clock jumps over `wanted`; find the first instant whose local time is at or after it.
  let lo = wanted - Math.max(...offsets);
  let hi = wanted - Math.min(...offsets);
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (wallClockMs(mid, timeZone) >= wanted) hi = mid;
    else lo = mid;
  }
  return hi;
}
