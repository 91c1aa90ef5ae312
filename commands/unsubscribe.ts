import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { UserError } from '../src/errors.js';
import { subscriptionsIn } from '../src/ops/subscriptions.js';
import { checkMayChange, targetOf } from '../src/reports/subscription-rules.js';

/** /unsubscribe report|alerts: this chat stops getting the daily report or the alerts. */
export const unsubscribe = defineCommand({
  name: 'unsubscribe',
  summary: 'This chat stops getting the daily report, or the alerts (admin).',
  usage: '/unsubscribe report|alerts',
  examples: ['/unsubscribe report', '/unsubscribe alerts'],
  role: 'viewer',
  changesState: true,
  positional: ['kind'],
  args: z.strictObject({ kind: z.enum(['report', 'alerts']) }),
  async run({ kind }, deps, ctx) {
    const target = targetOf(ctx);
    checkMayChange(kind, ctx);
    const removed = await subscriptionsIn(deps.store.settings).remove(kind, target);
    const what = kind === 'report' ? 'the daily report' : 'the alerts';
    if (!removed) throw new UserError(`This chat is not subscribed to ${what}; nothing changed. /subscriptions lists what it is subscribed to.`);
    return { level: 'success', title: 'Unsubscribed', lines: [`This chat no longer gets ${what}.`] };
  },
});
