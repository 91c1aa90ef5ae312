import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { formatDecimal, formatMoney, withTrading } from '../src/chat/trading-replies.js';

/** /balance: every asset the account holds, and its equity in the account currency. */
export const balance = defineCommand({
  name: 'balance',
  summary: 'Asset balances of the trading account, and its equity at current prices.',
  usage: '/balance',
  examples: ['/balance'],
  role: 'viewer',
  changesState: false,
  args: z.strictObject({}),
  run: (_args, deps, ctx) =>
    withTrading(deps, async (t) => {
      const p = await t.service.portfolio(ctx.nowMs);
      const held = p.balances.filter((b) => !b.amount.isZero());
      const q = p.quoteAsset;
      return {
        level: 'info',
        title: 'Balance',
        lines: [
          `Equity ${formatMoney(p.equity)} ${q}: cash ${formatMoney(p.cash)} ${q} + positions ${formatMoney(p.equity.minus(p.cash))} ${q} at current prices.`,
          `Net deposits ${formatMoney(p.netDeposits)} ${q}.`,
        ],
        table: { columns: ['asset', 'amount'], align: ['left', 'right'], rows: held.map((b) => [b.asset, formatDecimal(b.amount)]) },
      };
    }),
});
