import { UserError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const TIMEFRAME_USAGE = 'A timeframe is a count and a unit: 1m, 5m, 15m, 1h, 4h, 1d, 1w.';

/** The length of a bar in ms for a timeframe such as `1m`, `5m`, `1h`, `1d`; a UserError for anything else. */
export function timeframeMs(timeframe: string): number {
  const match = /^([1-9]\d{0,3})([smhdw])$/.exec(timeframe);
  if (!match) {
    const hint = /^\d+M$/.test(timeframe) ? ' Months have no fixed length, so 1M bars are not supported.' : '';
    throw new UserError(`"${timeframe}" is not a timeframe.${hint}`, TIMEFRAME_USAGE);
  }
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** True when `timeframe` is a timeframe that {@link timeframeMs} accepts. */
export function isTimeframe(timeframe: string): boolean {
  return /^([1-9]\d{0,3})([smhdw])$/.test(timeframe);
}

/** Rounds `timeMs` down to the open time of the bar of length `barMs` that contains it (UTC, epoch-aligned). */
export function barOpenMs(timeMs: number, barMs: number): number {
  return Math.floor(timeMs / barMs) * barMs;
}
