import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { formatUtc } from '../src/chat/format.js';
import { formatMoney, withTrading } from '../src/chat/trading-replies.js';
import { Decimal } from '../src/trading/decimal.js';
import { startOfUtcDay } from '../src/trading/trade-stats.js';

const DAY_MS = 86_400_000;
const PERIOD_START: Readonly<Record<string, (nowMs: number) => number>> = {
  day: (now) => startOfUtcDay(now),
  week: (now) => now - 7 * DAY_MS,
  month: (now) => now - 30 * DAY_MS,
  all: () => 0,
};

/** /pnl [day|week|month|all]: realized and unrealized P&L, fees, win rate and the long/short split. */
export const pnl = defineCommand({
  name: 'pnl',
  summary: 'Profit and loss over a period (today by default): realized, unrealized, fees, win rate, long/short.',
  usage: '/pnl [day|week|month|all]',
  examples: ['/pnl', '/pnl week'],
  role: 'viewer',
  changesState: false,
  positional: ['period'],
  args: z.strictObject({ period: z.enum(['day', 'week', 'month', 'all']).default('day') }),
  run: ({ period }, deps, ctx) =>
    withTrading(deps, async (t) => {
      const sinceMs = PERIOD_START[period]!(ctx.nowMs);
      const [portfolio, fills] = await Promise.all([t.service.portfolio(ctx.nowMs), t.service.trades({ sinceMs, limit: 100_000 })]);
      const q = portfolio.quoteAsset;
      const mine = fills.filter((f) => f.quote === q);
      const byOrder = new Map<string, Decimal>();
      for (const f of mine) if (f.side === 'sell') byOrder.set(f.clientOrderId, (byOrder.get(f.clientOrderId) ?? Decimal.ZERO).plus(f.realizedPnl));
      const realized = Decimal.sum(byOrder.values());
      const fees = Decimal.sum(mine.filter((f) => f.feeAsset === q).map((f) => f.feeAmount));
      const wins = [...byOrder.values()].filter((v) => v.isPositive()).length;
      const closed = byOrder.size;
      return {
        level: 'info',
        title: `P&L: ${period === 'all' ? 'all time' : period === 'day' ? 'today (UTC)' : `last ${period}`}`,
        lines: [
          `Since ${formatUtc(sinceMs)}, in ${q}; prices from the exchange now.`,
          `Realized ${formatMoney(realized, true)} (net of fees) · unrealized now ${formatMoney(portfolio.unrealizedPnl, true)} · total ${formatMoney(realized.plus(portfolio.unrealizedPnl), true)}`,
          `Fees paid ${formatMoney(fees)} over ${mine.length} fills`,
          closed ? `Win rate ${((wins / closed) * 100).toFixed(1)}% (${wins} of ${closed} closing trades)` : 'Win rate: no closing trades in this period',
          `Long: ${closed} closing trades, ${formatMoney(realized, true)} · short: none (spot trading is long only)`,
        ],
      };
    }),
});
