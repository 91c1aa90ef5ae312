import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { chooseCalendar, detectCalendar, isWeekendBar, parseCalendar } from '../../src/market/calendar.js';
import { findGaps, summarizeGaps } from '../../src/market/gaps.js';
import { importCandleFile } from '../../src/market/importers.js';
import { timeframeMs } from '../../src/market/timeframe.js';
import { DATA_DIR, SELSKAS_DIR, utc } from './shared-data.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const without = (times: Float64Array, ...drop: number[]) => times.filter((t) => !drop.includes(t));

const goog = (await importCandleFile(join(DATA_DIR, 'GOOG.csv'))).columns.timeMs;
const eurusd = (await importCandleFile(join(DATA_DIR, 'EURUSD.csv'))).columns.timeMs;

/**
 * The 79 weekdays without a GOOG bar (2004-08-19 … 2013-03-01), every one a NYSE/NASDAQ closure: New Year, MLK Day,
 * Presidents' Day, Good Friday, Memorial Day, Independence Day, Labor Day, Thanksgiving, Christmas (observed dates
 * when the holiday falls on a weekend), plus 2007-01-02 (national day of mourning for President Ford) and
 * 2012-10-29/30 (Hurricane Sandy). They make 77 gaps: 75 single weekdays and the two two-day closures.
 */
const GOOG_CLOSED: Record<string, string> = {
  2004: '09-06 11-25 12-24',
  2005: '01-17 02-21 03-25 05-30 07-04 09-05 11-24 12-26',
  2006: '01-02 01-16 02-20 04-14 05-29 07-04 09-04 11-23 12-25',
  2007: '01-01 01-02 01-15 02-19 04-06 05-28 07-04 09-03 11-22 12-25',
  2008: '01-01 01-21 02-18 03-21 05-26 07-04 09-01 11-27 12-25',
  2009: '01-01 01-19 02-16 04-10 05-25 07-03 09-07 11-26 12-25',
  2010: '01-01 01-18 02-15 04-02 05-31 07-05 09-06 11-25 12-24',
  2011: '01-17 02-21 04-22 05-30 07-04 09-05 11-24 12-26',
  2012: '01-02 01-16 02-20 04-06 05-28 07-04 09-03 10-29 10-30 11-22 12-25',
  2013: '01-01 01-21 02-18',
};

/** Every weekday a gap list says is missing, as YYYY-MM-DD (daily bars). */
function missingDays(times: ArrayLike<number>): string[] {
  return findGaps(times, DAY, 'weekdays').flatMap((gap) => {
    const days: string[] = [];
    for (let t = gap.firstMissingMs; t <= gap.lastMissingMs; t += DAY) if (!isWeekendBar(t, DAY)) days.push(day(t));
    return days;
  });
}

describe('the weekend as a weekdays market sees it (Friday 21:00 to Monday 00:00 UTC)', () => {
  it('excuses a bar when most of it lies in the weekend', () => {
    expect(isWeekendBar(utc('2021-04-23T20:00'), HOUR)).toBe(false); // Fri 20:00, the last FX hour in summer
    expect(isWeekendBar(utc('2021-04-23T21:00'), HOUR)).toBe(true);
    expect(isWeekendBar(utc('2021-04-25T23:00'), HOUR)).toBe(true); // Sunday evening: FX trades, but a missing bar is not a gap
    expect(isWeekendBar(utc('2021-04-26T00:00'), HOUR)).toBe(false);
    expect([23, 24, 25, 26].map((d) => isWeekendBar(utc(`2021-04-${d}T00:00`), DAY))).toEqual([false, true, true, false]);
    // Daily FX bars opening at 22:00 UTC: Friday's and Saturday's are weekend, Sunday's is Monday's session.
    expect([23, 24, 25].map((d) => isWeekendBar(utc(`2021-04-${d}T22:00`), DAY))).toEqual([true, true, false]);
    expect(isWeekendBar(utc('2021-04-19T00:00'), 7 * DAY)).toBe(false);
  });

  it('reads --calendar values and refuses others with the choices', () => {
    expect(parseCalendar('24x7')).toBe('24x7');
    expect(parseCalendar(' Weekdays ')).toBe('weekdays');
    expect(() => parseCalendar('stocks')).toThrow(UserError);
    expect(() => parseCalendar('stocks')).toThrow(/use 24x7 \(round the clock, crypto\) or weekdays/);
  });
});

describe('calendar detection from the bars', () => {
  it('finds weekdays in the real GOOG daily and EURUSD hourly data, and says why', () => {
    expect(detectCalendar(goog, DAY)).toEqual({ name: 'weekdays', chosenBy: 'detected', reason: 'no bars on any of the 445 weekends' });
    expect(detectCalendar(eurusd, HOUR)).toEqual({ name: 'weekdays', chosenBy: 'detected', reason: 'no bars on any of the 42 weekends' });
  });

  it('finds 24x7 in every real crypto 1m and 5m series', async () => {
    for (const file of ['BTC_USDT-1m.json', 'ETH_USDT-1m.json', 'BTC_USDT-5m.json']) {
      const { columns } = await importCandleFile(join(SELSKAS_DIR, file));
      const choice = detectCalendar(columns.timeMs, timeframeMs(file.includes('5m') ? '5m' : '1m'));
      expect(choice.name).toBe('24x7');
      expect(choice.reason).toMatch(/^bars on (\d+) of \1 weekends$/);
    }
  });

  it('falls back to 24x7 on a series too short to tell, and says so', () => {
    const twoWeeks = goog.subarray(0, 10); // Thu 2004-08-19 … Wed 2004-09-01: two weekends inside
    expect(detectCalendar(twoWeeks, DAY)).toEqual({
      name: '24x7',
      chosenBy: 'detected',
      reason: 'too short to tell: 2 weekends between the first and last bar, 3 needed; assumed round the clock',
    });
    expect(detectCalendar(goog.subarray(0, 13), DAY).name).toBe('weekdays'); // … Tue 2004-09-07: three weekends
    expect(detectCalendar(goog.subarray(0, 1), DAY).reason).toMatch(/^too short to tell: 0 weekends/);
    expect(detectCalendar(new Float64Array(0), DAY).name).toBe('24x7');
  });

  it('tolerates a stray weekend bar in a long series but not in a short one', () => {
    const saturday = utc('2010-06-19T00:00');
    const withSaturday = Float64Array.from([...goog, saturday]).sort();
    expect(detectCalendar(withSaturday, DAY)).toMatchObject({ name: 'weekdays', reason: 'no bars on 444 of the 445 weekends' });
    const fiveWeeks = withSaturday.filter((t) => t >= utc('2010-06-01T00:00') && t <= utc('2010-07-06T00:00'));
    expect(detectCalendar(fiveWeeks, DAY)).toMatchObject({ name: '24x7', reason: 'bars on 1 of 5 weekends' });
  });

  it('never calls bars longer than a day weekdays, and lets the user choose', () => {
    const weeks = Float64Array.from({ length: 20 }, (_, i) => utc('2021-01-04T00:00') + i * 7 * DAY);
    expect(detectCalendar(weeks, 7 * DAY)).toMatchObject({ name: '24x7', reason: 'bars longer than a day span weekends' });
    expect(chooseCalendar(goog, DAY, '24x7')).toEqual({ name: '24x7', chosenBy: 'given', reason: 'given with --calendar' });
  });

  it('sees FX daily bars (built from the shared hourly file, Sunday-evening bars included) as weekdays', () => {
    const days = [...new Set(Array.from(eurusd, (t) => Math.floor(t / DAY) * DAY))];
    const sundays = days.filter((t) => new Date(t).getUTCDay() === 0).length;
    // The shared file holds hourly bars only; its week opens Sunday 21:00 or 22:00 UTC (not on Christmas or New Year's Eve).
    expect(sundays).toBe(40);
    const daily = Float64Array.from(days);
    expect(detectCalendar(daily, DAY).name).toBe('weekdays');
    expect(findGaps(daily, DAY, 'weekdays')).toEqual([]); // Christmas and New Year keep Monday's 22:00 bar
    expect(summarizeGaps(findGaps(daily, DAY, '24x7'))).toEqual({ gaps: 42, missingBars: 44 }); // every Saturday, and the two Sundays
  });
});

describe('gaps on the weekdays calendar', () => {
  it('GOOG daily: no weekend gaps; the 77 left are the exchange closures, 75 of them single weekdays', () => {
    expect(summarizeGaps(findGaps(goog, DAY, '24x7'))).toEqual({ gaps: 463, missingBars: 969 });
    const gaps = findGaps(goog, DAY, 'weekdays');
    expect(summarizeGaps(gaps)).toEqual({ gaps: 77, missingBars: 79 });
    const expected = Object.entries(GOOG_CLOSED).flatMap(([year, dates]) => dates.split(' ').map((d) => `${year}-${d}`));
    expect(missingDays(goog)).toEqual(expected);
    expect(gaps.filter((g) => g.possibleHoliday)).toHaveLength(75);
    expect(gaps.filter((g) => !g.possibleHoliday).map((g) => [day(g.afterMs), g.missingBars])).toEqual([
      ['2006-12-29', 2],
      ['2012-10-26', 2],
    ]);
  });

  it('finds a weekday bar removed from real data, labelled as possibly a holiday because it cannot tell', () => {
    const gaps = findGaps(without(goog, utc('2010-06-16T00:00')), DAY, 'weekdays');
    expect(gaps).toHaveLength(78);
    expect(gaps.find((g) => g.afterMs === utc('2010-06-15T00:00'))).toEqual({
      afterMs: utc('2010-06-15T00:00'), missingBars: 1, possibleHoliday: true, firstMissingMs: utc('2010-06-16T00:00'), lastMissingMs: utc('2010-06-16T00:00'),
    });
    const friday = findGaps(without(goog, utc('2010-06-18T00:00')), DAY, 'weekdays').find((g) => g.afterMs === utc('2010-06-17T00:00'));
    // Friday, next to the weekend
    expect(friday).toEqual({ afterMs: utc('2010-06-17T00:00'), missingBars: 1, possibleHoliday: true, firstMissingMs: utc('2010-06-18T00:00'), lastMissingMs: utc('2010-06-18T00:00') });
  });

  it('EURUSD hourly: the 42 FX weekends vanish; Christmas and New Year remain, a missing hour is a plain gap', () => {
    expect(summarizeGaps(findGaps(eurusd, HOUR, '24x7'))).toEqual({ gaps: 42, missingBars: 2_063 });
    expect(findGaps(eurusd, HOUR, 'weekdays')).toEqual([
      { afterMs: utc('2017-12-22T21:00'), missingBars: 22, possibleHoliday: true, firstMissingMs: utc('2017-12-25T00:00'), lastMissingMs: utc('2017-12-25T21:00') },
      { afterMs: utc('2017-12-29T21:00'), missingBars: 22, possibleHoliday: true, firstMissingMs: utc('2018-01-01T00:00'), lastMissingMs: utc('2018-01-01T21:00') },
    ]);
    const tuesday = findGaps(without(eurusd, utc('2017-06-13T10:00'), utc('2017-06-13T11:00')), HOUR, 'weekdays');
    expect(tuesday).toHaveLength(3);
    expect(tuesday[0]).toEqual({ afterMs: utc('2017-06-13T09:00'), missingBars: 2, firstMissingMs: utc('2017-06-13T10:00'), lastMissingMs: utc('2017-06-13T11:00') });
  });

  it('counts a weeks-long hole a week at a time, exactly as bar by bar', () => {
    const monday = utc('2021-04-19T00:00');
    // Per week, 1h bars from Monday 00:00 to Friday 20:00 are expected: 4 × 24 + 21 = 117.
    expect(findGaps([monday, monday + 21 * DAY], HOUR, 'weekdays')).toEqual([
      { afterMs: monday, missingBars: 3 * 117 - 1, firstMissingMs: monday + HOUR, lastMissingMs: monday + 18 * DAY + 20 * HOUR },
    ]);
    const minutes = findGaps([monday, monday + 364 * DAY + 60_000], 60_000, 'weekdays');
    expect(minutes).toEqual([{ afterMs: monday, missingBars: 52 * 117 * 60, firstMissingMs: monday + 60_000, lastMissingMs: monday + 364 * DAY }]);
  });

  it('leaves the 24x7 calendar exactly as before', () => {
    const t = [0, 1, 2, 5, 6, 10].map((i) => i * 60_000);
    expect(findGaps(t, 60_000)).toEqual(findGaps(t, 60_000, '24x7'));
    expect(findGaps(t, 60_000, '24x7')).toEqual([
      { afterMs: 120_000, missingBars: 2, firstMissingMs: 180_000, lastMissingMs: 240_000 },
      { afterMs: 360_000, missingBars: 3, firstMissingMs: 420_000, lastMissingMs: 540_000 },
    ]);
  });
});
