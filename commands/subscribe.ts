import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { requester } from '../src/chat/trading-replies.js';
import { formatDuration } from '../src/chat/format.js';
import { UserError } from '../src/errors.js';
import { localTimeOf } from '../src/ops/local-time.js';
import { subscriptionsIn } from '../src/ops/subscriptions.js';
import { checkMayChange, nextReportMs, parseReportOptions, SUBSCRIBE_USAGE, targetOf } from '../src/reports/subscription-rules.js';

/** /subscribe report|alerts: this chat gets the daily portfolio report at a local time, or the on-call alerts. */
export const subscribe = defineCommand({
  name: 'subscribe',
  summary: 'This chat gets the daily portfolio report at a local time (text = no chart), or the alerts (admin).',
  usage: SUBSCRIBE_USAGE,
  examples: ['/subscribe report', '/subscribe report 08:00 Europe/Berlin', '/subscribe report 07:30 America/New_York text', '/subscribe alerts'],
  role: 'viewer',
  changesState: true,
  positional: ['kind', 'options...'],
  args: z.strictObject({ kind: z.enum(['report', 'alerts']), options: z.array(z.string()).max(3).default([]) }),
  async run({ kind, options }, deps, ctx) {
    const target = targetOf(ctx);
    checkMayChange(kind, ctx);
    const subs = subscriptionsIn(deps.store.settings);
    const by = requester(ctx);
    if (kind === 'alerts') {
      if (options.length) throw new UserError('/subscribe alerts takes no options.', SUBSCRIBE_USAGE);
      await subs.put({ kind, target, by, atMs: ctx.nowMs }, ctx.nowMs);
      return { level: 'success', title: 'Subscribed', lines: ['This chat will get the alerts (acknowledge them with the button or /ack). /unsubscribe alerts stops them.'] };
    }
    const o = parseReportOptions(options, deps.config.ops);
    await subs.put({ kind, target, timeOfDay: o.timeOfDay, timeZone: o.timeZone, ...(o.text ? { text: true } : {}), by, atMs: ctx.nowMs }, ctx.nowMs);
    const next = nextReportMs(o.timeOfDay, o.timeZone, ctx.nowMs);
    return {
      level: 'success',
      title: 'Subscribed',
      lines: [
        `This chat will get the daily portfolio report at ${o.timeOfDay} ${o.timeZone}${o.text ? ', text only' : ', with the equity chart'}.`,
        `Next: ${localTimeOf(next, o.timeZone).date} ${o.timeOfDay} ${o.timeZone} (in ${formatDuration(next - ctx.nowMs)}). /unsubscribe report stops it.`,
      ],
    };
  },
});
