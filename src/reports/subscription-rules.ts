import type { CommandContext } from '../chat/command.js';
import { isTimeZone, type Config } from '../config.js';
import { UserError } from '../errors.js';
import { addDays, instantOf, localTimeOf } from '../ops/local-time.js';
import type { SubscriptionKind } from '../ops/subscriptions.js';
import type { DeliveryTarget } from '../store/types.js';

/** The usage line of /subscribe, shown under a bad option. */
export const SUBSCRIBE_USAGE = '/subscribe report [HH:MM] [TIMEZONE] [text] | /subscribe alerts';
const TIME = /^(\d{1,2}):(\d{2})$/;

/** The chat a subscription is for: this one; the one-shot CLI has no chat to send to. */
export function targetOf(ctx: CommandContext): DeliveryTarget {
  const { platform, chatId } = ctx.caller;
  if (platform === 'cli') throw new UserError('Subscriptions are per chat: use them in Telegram, Discord or the console of `tradeops start`.');
  return { platform, chatId };
}

/**
 * Who may change a chat's subscriptions: alerts are routed by admins only; a report to a one-to-one chat with the bot
 * (a Telegram private chat, a Discord DM) by any viewer; a report to any other chat or channel by an admin, since
 * everyone there gets it.
 */
export function checkMayChange(kind: SubscriptionKind, ctx: CommandContext): void {
  if (ctx.role === 'admin') return;
  const role = ctx.role ? `the ${ctx.role} role` : 'no role';
  if (kind === 'alerts') throw new UserError(`Routing alerts needs the admin role; you have ${role}.`);
  if (ctx.caller.privateChat !== true) {
    throw new UserError(`Changing the report of a shared chat or channel needs the admin role; you have ${role}. In a private chat with the bot (Telegram, or a Discord DM) any viewer may.`);
  }
}

/**
 * A time zone as people write it (`Asia/Kolkata`, not ICU's canonical `Asia/Calcutta`): the known spelling when the
 * name differs only in case, else capitalised (`US/Eastern`, `Etc/GMT+1`) when that names the same zone, else as typed.
 */
export function spellZone(typed: string): string {
  const known = Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === typed.toLowerCase());
  if (known) return known;
  const titled = typed
    .split('/')
    .map((part) => (/^[a-z]{2,3}([+-]\d+)?$/i.test(part) && part.toLowerCase() !== 'etc' ? part.toUpperCase() : part.toLowerCase().replace(/(^|_)([a-z])/g, (_, sep: string, c: string) => sep + c.toUpperCase())))
    .join('/');
  const zoneOf = (z: string) => new Intl.DateTimeFormat('en-US', { timeZone: z }).resolvedOptions().timeZone;
  return isTimeZone(titled) && zoneOf(titled) === zoneOf(typed) ? titled : typed;
}

/** Reads `[HH:MM] [TIMEZONE] [text]` in any order; a clear message for anything else. */
export function parseReportOptions(words: readonly string[], defaults: Pick<Config['ops'], 'reportTime' | 'reportTimeZone'>) {
  let timeOfDay: string | undefined;
  let timeZone: string | undefined;
  let text = false;
  for (const word of words) {
    const time = TIME.exec(word);
    if (time) {
      if (Number(time[1]) > 23 || Number(time[2]) > 59) throw new UserError(`"${word}" is not a time of day: use HH:MM, 24-hour, 00:00 to 23:59 (e.g. 08:00).`, SUBSCRIBE_USAGE);
      timeOfDay = `${time[1]!.padStart(2, '0')}:${time[2]}`;
    } else if (word.toLowerCase() === 'text') text = true;
    else if (isTimeZone(word)) timeZone = spellZone(word);
    else throw new UserError(`"${word}" is neither a time (HH:MM, e.g. 08:00) nor an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC), nor "text".`, SUBSCRIBE_USAGE);
  }
  return { timeOfDay: timeOfDay ?? defaults.reportTime, timeZone: timeZone ?? defaults.reportTimeZone, text };
}

/** The next time a report at `timeOfDay` in `timeZone` is due after `nowMs`. */
export function nextReportMs(timeOfDay: string, timeZone: string, nowMs: number): number {
  const { date } = localTimeOf(nowMs, timeZone);
  const today = instantOf(date, timeOfDay, timeZone);
  return today >= nowMs ? today : instantOf(addDays(date, 1), timeOfDay, timeZone);
}
