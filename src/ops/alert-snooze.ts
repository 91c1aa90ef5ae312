import { z } from 'zod';
import { UserError } from '../errors.js';
import type { SettingsRepository } from '../store/types.js';

/** A silence: alerts whose dedup key starts with `pattern` (or every alert, `all`) are not posted until `untilMs`. */
export interface Snooze {
  readonly pattern: string;
  readonly untilMs: number;
  readonly by: string;
  readonly atMs: number;
}

const PREFIX = 'alert-snooze:';
const VALUE = z.object({ untilMs: z.number(), by: z.string(), atMs: z.number() });
const UNITS_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The longest snooze: a forgotten silence must not hide alerts for good. */
const MAX_SNOOZE_MS = 30 * 86_400_000;

/** The snoozes in force at `nowMs` among those read. */
export function inForce(snoozes: readonly Snooze[], nowMs: number): Snooze[] {
  return snoozes.filter((s) => s.untilMs > nowMs);
}

/** True when a snooze pattern covers a dedup key. */
export function snoozeCovers(pattern: string, dedupKey: string): boolean {
  return pattern === 'all' || dedupKey.startsWith(pattern);
}

/** Parses `30m`, `2h`, `1d`, `1h30m` into ms; a UserError says what is accepted. */
export function parseDurationMs(text: string): number {
  const parts = /^(\d+[smhd])+$/i.test(text) ? [...text.toLowerCase().matchAll(/(\d+)([smhd])/g)] : [];
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS_MS[unit!]!, 0);
  if (parts.length === 0 || ms <= 0) throw new UserError(`"${text}" is not a duration: use a number and a unit (s, m, h, d), e.g. 30m, 2h, 1d or 1h30m.`);
  if (ms > MAX_SNOOZE_MS) throw new UserError(`"${text}" is longer than the longest snooze, 30d.`);
  return ms;
}

/** Snoozes kept in settings under `alert-snooze:<pattern>` (a newer snooze of the same pattern replaces the older). */
export function alertSnoozes(settings: SettingsRepository) {
  const list = async (): Promise<Snooze[]> =>
    (await settings.list(PREFIX)).flatMap(({ key, value }) => {
      const v = VALUE.safeParse(value);
      return v.success ? [{ pattern: key.slice(PREFIX.length), ...v.data }] : [];
    });
  return {
    /** Silences `pattern` until `untilMs`. */
    async snooze(pattern: string, untilMs: number, by: string, nowMs: number): Promise<Snooze> {
      await settings.set(`${PREFIX}${pattern}`, { untilMs, by, atMs: nowMs }, nowMs);
      return { pattern, untilMs, by, atMs: nowMs };
    },
    /** Ends the snooze of `pattern`, or every snooze when omitted; returns those that were active. */
    async unsnooze(pattern: string | undefined, nowMs: number): Promise<Snooze[]> {
      const all = await list();
      const ended = all.filter((s) => pattern === undefined || s.pattern === pattern);
      for (const s of ended) await settings.delete(`${PREFIX}${s.pattern}`);
      return ended.filter((s) => s.untilMs > nowMs);
    },
    /** Every stored snooze, expired ones included. */
    list,
    /** The snoozes in force at `nowMs`. */
    async active(nowMs: number): Promise<Snooze[]> {
      return inForce(await list(), nowMs);
    },
    /** Deletes snoozes that ended before `nowMs`, among `read` when the caller has listed them already. */
    async prune(nowMs: number, read?: readonly Snooze[]): Promise<void> {
      for (const s of read ?? (await list())) {
        if (s.untilMs > nowMs) continue;
        // Re-read first: an admin may have renewed it since the list was read.
        const now = VALUE.safeParse(await settings.get(`${PREFIX}${s.pattern}`));
        if (!now.success || now.data.untilMs <= nowMs) await settings.delete(`${PREFIX}${s.pattern}`);
      }
    },
  };
}

/** The snooze store's operations. */
export type AlertSnoozes = ReturnType<typeof alertSnoozes>;
