import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { allows } from '../src/chat/roles.js';
import { describeOrder, requester, withTrading } from '../src/chat/trading-replies.js';
import { UserError } from '../src/errors.js';
import { ACTIVE_STATUSES } from '../src/trading/order-lifecycle.js';

/** /cancel ID|all|job: cancels one open order (by its id, or a unique start of it), every open one, or your running backtest/optimisation. */
export const cancel = defineCommand({
  name: 'cancel',
  summary: 'Cancels an open order by its id (as /orders shows it), every open order with "all", or your running backtest with "job".',
  usage: '/cancel ID|all|job',
  examples: ['/cancel all', '/cancel tc-3f2a9c41d0b7e6a85c11', '/cancel job'],
  // Viewers may stop their own backtests; cancelling orders checks for the trader role below.
  role: 'viewer',
  changesState: true,
  positional: ['target'],
  args: z.strictObject({ target: z.string().max(64) }),
  async run({ target }, deps, ctx) {
    if (target.toLowerCase() === 'job') {
      const stopped = deps.jobs.cancel(requester(ctx));
      return { level: stopped ? 'success' : 'info', lines: [stopped ? `Your ${stopped} is being stopped.` : 'You have no backtest or optimisation running.'] };
    }
    if (!allows(ctx.role, 'trader')) throw new UserError(`Cancelling orders needs the trader role; you have the ${ctx.role ?? 'no'} role.`);
    return withTrading(deps, async (t) => {
      const open = await t.service.orders({ statuses: ACTIVE_STATUSES, limit: 1_000 });
      const all = target.toLowerCase() === 'all';
      const chosen = all ? open : open.filter((o) => o.clientOrderId === target || (target.length >= 6 && o.clientOrderId.startsWith(target)));
      if (chosen.length === 0) {
        if (all) return { level: 'info', title: 'Nothing to cancel', lines: [`No open ${t.mode} orders.`] };
        throw new UserError(`no open ${t.mode} order ${target}; /orders lists them`);
      }
      if (!all && chosen.length > 1) throw new UserError(`"${target}" matches ${chosen.length} open orders; give more of the id`);
      const results = [];
      for (const o of chosen) results.push(await t.service.cancelOrder(o.clientOrderId));
      // An order that filled before the cancel reached the broker stays filled: say so rather than "cancelled".
      const cancelled = results.filter((o) => o.status === 'cancelled').length;
      const title = cancelled === results.length ? (cancelled === 1 ? 'Order cancelled' : `${cancelled} orders cancelled`) : `${cancelled} of ${results.length} cancelled`;
      return { level: cancelled === results.length ? 'success' : 'warning', title, lines: results.map(describeOrder) };
    });
  },
});
