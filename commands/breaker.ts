import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { requireConfirmation } from '../src/chat/confirm.js';
import { formatUtc } from '../src/chat/format.js';
import { requester, withTrading } from '../src/chat/trading-replies.js';
import { UserError } from '../src/errors.js';

/** /breaker [reset]: the trading breaker's state, reason and history; an admin resets it after a confirmation. */
export const breaker = defineCommand({
  name: 'breaker',
  summary: 'The trading circuit breaker: state, reason and history; "reset" (admin, confirmed) closes it.',
  usage: '/breaker [reset]',
  examples: ['/breaker', '/breaker reset'],
  role: 'viewer',
  changesState: true,
  positional: ['action'],
  args: z.strictObject({ action: z.enum(['reset']).optional(), confirm: z.string().optional() }),
  run: ({ action, confirm }, deps, ctx) =>
    withTrading(deps, async (t) => {
      const b = t.service.breaker;
      if (action === 'reset') {
        if (ctx.role !== 'admin') throw new UserError(`/breaker reset needs the admin role; you have ${ctx.role ? `the ${ctx.role} role` : 'no role'}.`);
        if (!b.tripped) throw new UserError(`the ${t.mode} trading breaker is not tripped; nothing to reset`);
        const ask = await requireConfirmation(deps, ctx, {
          token: confirm, command: 'breaker reset', line: '/breaker reset',
          prompt: `Reset the ${t.mode} trading breaker (${b.status().detail ?? 'tripped'})? New entries will be allowed again.`,
        });
        if (ask) return ask;
        const event = await t.service.resetBreaker(requester(ctx));
        return { level: 'success', title: 'Breaker reset', lines: [`The ${t.mode} trading breaker is closed (${event.detail}); losses and drawdown count from now.`] };
      }
      const s = b.status();
      const history = await b.history(10);
      return {
        level: s.tripped ? 'warning' : 'info',
        title: `Breaker ${s.tripped ? 'TRIPPED' : 'closed'}`,
        lines: [
          s.tripped ? `Tripped by ${s.trigger} at ${formatUtc(s.sinceMs)}: ${s.detail}. New entries are refused; exits are allowed. An admin can /breaker reset.` : `Closed${s.sinceMs ? ` since ${formatUtc(s.sinceMs)}` : ''}: orders are allowed.`,
          ...(history.length ? [] : ['No trips so far.']),
        ],
        ...(history.length
          ? { table: { columns: ['time', 'event', 'trigger', 'detail'], rows: history.map((e) => [formatUtc(e.atMs), e.kind, e.trigger ?? '', e.detail]) } }
          : {}),
      };
    }),
});
