import { describe, expect, it } from 'vitest';
import { addDays, instantOf, localTimeOf } from '../../src/ops/local-time.js';

const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('local time in a time zone', () => {
  it('reads the local date and HH:MM of an instant, across midnight and offsets', () => {
    expect(localTimeOf(utc('2026-03-01T23:30:00'), 'UTC')).toEqual({ date: '2026-03-01', time: '23:30' });
    expect(localTimeOf(utc('2026-03-01T23:30:00'), 'Europe/Berlin')).toEqual({ date: '2026-03-02', time: '00:30' });
    expect(localTimeOf(utc('2026-03-01T23:30:00'), 'Asia/Kolkata')).toEqual({ date: '2026-03-02', time: '05:00' });
    expect(localTimeOf(utc('2026-03-01T03:00:00'), 'America/New_York')).toEqual({ date: '2026-02-28', time: '22:00' });
    expect(localTimeOf(utc('2026-03-01T13:00:00'), 'Australia/Sydney')).toEqual({ date: '2026-03-02', time: '00:00' });
  });

  it('finds the instant of a local time on ordinary days, without DST and with', () => {
    expect(instantOf('2026-07-01', '08:00', 'UTC')).toBe(utc('2026-07-01T08:00:00'));
    expect(instantOf('2026-07-01', '08:00', 'Asia/Kolkata')).toBe(utc('2026-07-01T02:30:00'));
    expect(instantOf('2026-01-15', '08:00', 'Europe/Berlin')).toBe(utc('2026-01-15T07:00:00'));
    expect(instantOf('2026-07-15', '08:00', 'Europe/Berlin')).toBe(utc('2026-07-15T06:00:00'));
    expect(instantOf('2026-01-15', '07:00', 'Australia/Sydney')).toBe(utc('2026-01-14T20:00:00'));
    expect(instantOf('2026-07-15', '07:00', 'Australia/Sydney')).toBe(utc('2026-07-14T21:00:00'));
  });

  it('on the DST change days, times away from the change keep the day’s new or old offset', () => {
    // New York springs forward 2026-03-08 02:00 → 03:00 and falls back 2026-11-01 02:00 → 01:00.
    expect(instantOf('2026-03-08', '01:59', 'America/New_York')).toBe(utc('2026-03-08T06:59:00'));
    expect(instantOf('2026-03-08', '09:30', 'America/New_York')).toBe(utc('2026-03-08T13:30:00'));
    expect(instantOf('2026-11-01', '09:30', 'America/New_York')).toBe(utc('2026-11-01T14:30:00'));
    // Berlin: 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00.
    expect(instantOf('2026-03-29', '08:00', 'Europe/Berlin')).toBe(utc('2026-03-29T06:00:00'));
    expect(instantOf('2026-10-25', '08:00', 'Europe/Berlin')).toBe(utc('2026-10-25T07:00:00'));
    // Sydney: 2026-04-05 03:00 → 02:00, 2026-10-04 02:00 → 03:00.
    expect(instantOf('2026-04-05', '07:00', 'Australia/Sydney')).toBe(utc('2026-04-04T21:00:00'));
    expect(instantOf('2026-10-04', '07:00', 'Australia/Sydney')).toBe(utc('2026-10-03T20:00:00'));
  });

  it('a time skipped by spring-forward is the first instant after the gap', () => {
    expect(instantOf('2026-03-08', '02:30', 'America/New_York')).toBe(utc('2026-03-08T07:00:00'));
    expect(localTimeOf(utc('2026-03-08T07:00:00'), 'America/New_York')).toEqual({ date: '2026-03-08', time: '03:00' });
    expect(instantOf('2026-03-29', '02:00', 'Europe/Berlin')).toBe(utc('2026-03-29T01:00:00'));
    expect(instantOf('2026-03-29', '02:59', 'Europe/Berlin')).toBe(utc('2026-03-29T01:00:00'));
    expect(instantOf('2026-10-04', '02:15', 'Australia/Sydney')).toBe(utc('2026-10-03T16:00:00'));
  });

  it('a time repeated by fall-back is its first occurrence', () => {
    expect(instantOf('2026-11-01', '01:30', 'America/New_York')).toBe(utc('2026-11-01T05:30:00'));
    expect(instantOf('2026-10-25', '02:30', 'Europe/Berlin')).toBe(utc('2026-10-25T00:30:00'));
    expect(instantOf('2026-04-05', '02:30', 'Australia/Sydney')).toBe(utc('2026-04-04T15:30:00'));
  });

  it('round-trips every 45 minutes of a year in each zone, gaps excepted', () => {
    for (const zone of ['UTC', 'Asia/Kolkata', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney']) {
      for (let ms = utc('2026-01-01T00:00:00'); ms < utc('2027-01-01T00:00:00'); ms += 45 * 60_000) {
        const local = localTimeOf(ms, zone);
        const back = instantOf(local.date, local.time, zone);
        // The second pass of a repeated hour maps back to the first occurrence, one hour earlier.
        expect([ms, ms - 3_600_000]).toContain(back);
      }
    }
  });

  it('adds days to a date across month and year ends', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});
