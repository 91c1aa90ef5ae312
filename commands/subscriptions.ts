import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { formatUtc } from '../src/chat/format.js';
import { subscriptionsIn, type Subscription } from '../src/ops/subscriptions.js';

const chatOf = (s: Subscription) => `${s.target.platform}:${s.target.chatId}`;

/** /subscriptions: this chat's subscriptions; an admin sees every chat's. */
export const subscriptions = defineCommand({
  name: 'subscriptions',
  summary: 'This chat\'s subscriptions (daily report time and zone, alerts); admins see every chat\'s.',
  usage: '/subscriptions',
  examples: ['/subscriptions'],
  role: 'viewer',
  changesState: false,
  args: z.strictObject({}),
  async run(_args, deps, ctx) {
    const here = `${ctx.caller.platform}:${ctx.caller.chatId}`;
    const all = await subscriptionsIn(deps.store.settings).list();
    const shown = ctx.role === 'admin' ? all : all.filter((s) => chatOf(s) === here);
    const defaults = deps.config.ops;
    const rows = shown.map((s) => [
      chatOf(s) === here ? `${chatOf(s)} (this chat)` : chatOf(s),
      s.kind,
      s.kind === 'report' ? `${s.timeOfDay ?? defaults.reportTime} ${s.timeZone ?? defaults.reportTimeZone}${s.text ? ', text only' : ''}` : '',
      s.by,
      formatUtc(s.atMs),
    ]);
    return {
      level: 'info',
      title: ctx.role === 'admin' ? 'Subscriptions (all chats)' : 'Subscriptions of this chat',
      lines: rows.length ? [] : ['None. /subscribe report [HH:MM] [TIMEZONE] sets up the daily report.'],
      ...(rows.length ? { table: { columns: ['chat', 'kind', 'when', 'by', 'since'], rows } } : {}),
    };
  },
});
