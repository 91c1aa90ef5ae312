import { parseDecimal } from './candle-validation.js';

/** How a file writes its times: an ISO-like date (UTC unless it says otherwise) or an epoch number in some unit. */
export type TimeEncoding = 'iso' | 'seconds' | 'milliseconds' | 'microseconds' | 'nanoseconds';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Which encoding a sample time uses: numbers by magnitude (seconds below 1e11, ms below 1e14, …), else ISO. */
export function detectTimeEncoding(sample: string): TimeEncoding | undefined {
  const n = parseDecimal(sample);
  if (n === undefined) return ISO.test(sample.trim()) ? 'iso' : undefined;
  const magnitude = Math.abs(n);
  if (magnitude < 1e11) return 'seconds';
  if (magnitude < 1e14) return 'milliseconds';
  if (magnitude < 1e17) return 'microseconds';
  return 'nanoseconds';
}

/** `text` as epoch ms under `encoding`, or undefined if it is not a valid time in it. Sub-ms digits are dropped. */
export function parseTime(text: string, encoding: TimeEncoding): number | undefined {
  if (encoding !== 'iso') {
    const n = parseDecimal(text);
    if (n === undefined) return undefined;
    if (encoding === 'seconds') return Math.round(n * 1000);
    if (encoding === 'milliseconds') return Number.isInteger(n) ? n : undefined;
    return Math.floor(n / (encoding === 'microseconds' ? 1e3 : 1e6));
  }
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v)));
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year!, month! - 1, day!, hour, minute, second, ms);
  const check = new Date(utc);
  // Date.UTC rolls 2021-02-30 over into March; such a date is invalid, not a different day.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return utc - zoneOffsetMs(m[8]);
}

function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}
