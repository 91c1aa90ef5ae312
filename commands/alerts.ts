import { z } from 'zod';
import { defineCommand, type CommandContext } from '../src/chat/command.js';
import { formatDuration, formatUtc } from '../src/chat/format.js';
import type { Reply } from '../src/chat/reply.js';
import type { Deps } from '../src/deps.js';
import { UserError } from '../src/errors.js';
import { alertSnoozes, parseDurationMs, snoozeCovers } from '../src/ops/alert-snooze.js';
import { alertBook } from '../src/ops/alerts.js';
import { requester } from '../src/chat/trading-replies.js';

const USAGE = '/alerts [snooze DURATION [KEY_PREFIX|all] | unsnooze [KEY_PREFIX|all]]';
const PATTERN = /^[a-z0-9][a-z0-9:._-]{0,99}$/i;

/** Open alerts with their age and who acknowledged them, and the snoozes in force. */
async function list(deps: Deps, nowMs: number): Promise<Reply> {
  const [open, snoozes] = await Promise.all([alertBook(deps.store.settings).open(), alertSnoozes(deps.store.settings).active(nowMs)]);
  const badges = [...new Set(open.flatMap((a) => a.badges ?? []))];
  return {
    level: open.some((a) => a.severity === 'critical' && !a.ack) ? 'warning' : 'info',
    title: 'Alerts',
    badges,
    lines: [
      open.length ? `${open.length} open alert(s). /ack ID acknowledges one.` : 'No open alerts.',
      ...snoozes.map((s) => `Snoozed until ${formatUtc(s.untilMs)}: ${s.pattern === 'all' ? 'every alert' : `alerts ${s.pattern}…`} (by ${s.by}).`),
    ],
    ...(open.length
      ? {
          table: {
            columns: ['id', 'severity', 'age', 'acknowledged', 'alert'],
            rows: open.map((a) => [
              a.id, a.severity, formatDuration(nowMs - a.raisedAtMs), a.ack ? `${a.ack.by}, ${formatUtc(a.ack.atMs)}` : 'no',
              `${(a.badges ?? []).map((b) => `[${b}] `).join('')}${a.title} (${a.dedupKey})`,
            ]),
          },
        }
      : {}),
  };
}

/** `/alerts snooze DURATION [PREFIX|all]`: silences raised and repeat posts of matching alerts. */
async function snooze(deps: Deps, ctx: CommandContext, words: readonly string[]): Promise<Reply> {
  const [duration, pattern = 'all', ...extra] = words;
  if (duration === undefined) throw new UserError('Say for how long, e.g. /alerts snooze 30m or /alerts snooze 2h trading-breaker.', USAGE);
  if (extra.length > 0 || !PATTERN.test(pattern)) throw new UserError(`"${[pattern, ...extra].join(' ')}" is not a dedup key prefix (letters, digits, : . _ -) or all.`, USAGE);
  const untilMs = ctx.nowMs + parseDurationMs(duration);
  const scope = pattern.toLowerCase() === 'all' ? 'all' : pattern;
  await alertSnoozes(deps.store.settings).snooze(scope, untilMs, requester(ctx), ctx.nowMs);
  const covered = (await alertBook(deps.store.settings).open()).filter((a) => snoozeCovers(scope, a.dedupKey));
  return {
    level: 'success', title: 'Alerts snoozed',
    lines: [
      `${scope === 'all' ? 'Every alert' : `Alerts whose key starts with ${scope}`} snoozed until ${formatUtc(untilMs)}: no raised or repeat posts until then (acknowledgements and resolutions are still posted).`,
      covered.length ? `Open alerts covered now: ${covered.map((a) => a.id).join(', ')}.` : 'No open alert is covered now.',
    ],
  };
}

/** `/alerts unsnooze [PREFIX|all]`: ends one snooze, or all of them. */
async function unsnooze(deps: Deps, ctx: CommandContext, words: readonly string[]): Promise<Reply> {
  if (words.length > 1) throw new UserError(`Too many arguments: ${words.slice(1).join(' ')}.`, USAGE);
  const pattern = words[0] === undefined || words[0].toLowerCase() === 'all' ? undefined : words[0];
  const ended = await alertSnoozes(deps.store.settings).unsnooze(pattern, ctx.nowMs);
  return {
    level: 'success', title: 'Alerts unsnoozed',
    lines: ended.length ? ended.map((s) => `Snooze of ${s.pattern === 'all' ? 'every alert' : s.pattern} ended (it ran until ${formatUtc(s.untilMs)}).`) : [`No snooze${pattern ? ` of ${pattern}` : ''} was in force.`],
  };
}

/** /alerts: open alerts; admins snooze and unsnooze them. */
export const alerts = defineCommand({
  name: 'alerts',
  summary: 'Open alerts (id, severity, age, who acknowledged); admins snooze or unsnooze them.',
  usage: USAGE,
  examples: ['/alerts', '/alerts snooze 30m', '/alerts snooze 2h market-data', '/alerts unsnooze'],
  role: 'viewer',
  changesState: true,
  positional: ['action', 'words...'],
  args: z.strictObject({ action: z.enum(['list', 'snooze', 'unsnooze']).optional(), words: z.array(z.string()).default([]) }),
  async run({ action = 'list', words }, deps, ctx) {
    if (action === 'list') {
      if (words.length > 0) throw new UserError(`Too many arguments: ${words.join(' ')}.`, USAGE);
      return list(deps, ctx.nowMs);
    }
    if (ctx.role !== 'admin') throw new UserError(`/alerts ${action} needs the admin role; you have ${ctx.role ? `the ${ctx.role} role` : 'no role'}.`);
    return action === 'snooze' ? snooze(deps, ctx, words) : unsnooze(deps, ctx, words);
  },
});
