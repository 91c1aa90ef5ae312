import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { formatUtc } from '../src/chat/format.js';
import { UserError } from '../src/errors.js';
import { alertBook } from '../src/ops/alerts.js';

/** /ack ID: acknowledges an alert, which stops its repeats; the first to acknowledge is shown to every on-call chat. */
export const ack = defineCommand({
  name: 'ack',
  summary: 'Acknowledge an alert: its repeats stop, and on-call chats are told who took it.',
  usage: '/ack ID',
  examples: ['/ack A1F3'],
  role: 'trader',
  changesState: true,
  positional: ['id'],
  args: z.strictObject({
    id: z.string({ error: 'give the alert id, e.g. /ack A1F3 (see /alerts)' })
      .regex(/^A[0-9A-F]{3,8}$/i, 'an alert id looks like A1F3 (see /alerts)').transform((v) => v.toUpperCase()),
  }),
  async run({ id }, deps, ctx) {
    const { caller } = ctx;
    const by = caller.userName ? `${caller.userName} (${caller.platform}:${caller.userId})` : `${caller.platform}:${caller.userId}`;
    const result = await alertBook(deps.store.settings).acknowledge(id, by, ctx.nowMs);
    if (result.kind === 'unknown') throw new UserError(`There is no alert ${id}; /alerts lists the open ones.`);
    const { alert } = result;
    const badges = alert.badges ?? [];
    if (result.kind === 'resolved') {
      return { level: 'info', title: `Alert ${alert.id} is already resolved`, badges, lines: [`${alert.title}: resolved at ${formatUtc(alert.resolved!.atMs)} (${alert.resolved!.detail}); nothing to acknowledge.`] };
    }
    const who = `${alert.ack!.by} at ${formatUtc(alert.ack!.atMs)}`;
    if (result.kind === 'already') {
      return { level: 'info', title: `Alert ${alert.id} was already acknowledged`, badges, lines: [`${alert.title}: acknowledged by ${who}.`] };
    }
    return {
      level: 'success', title: `Alert ${alert.id} acknowledged`, badges,
      lines: [`${alert.title}: acknowledged by ${who}.`, 'Repeats stop; on-call chats are told. It stays open until its condition clears (/alerts).'],
    };
  },
});
