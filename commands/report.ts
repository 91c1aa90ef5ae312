import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { withTrading } from '../src/chat/trading-replies.js';
import { buildPortfolioReport } from '../src/reports/portfolio.js';

/** /report [text]: the portfolio report the daily job sends, now; `text` leaves out the equity chart. */
export const report = defineCommand({
  name: 'report',
  summary: 'The portfolio report now (as the daily report): equity and its changes, P&L, fees, positions, trades, breaker, data freshness, equity chart.',
  usage: '/report [text]',
  examples: ['/report', '/report text'],
  role: 'viewer',
  changesState: false,
  positional: ['form'],
  args: z.strictObject({ form: z.enum(['text']).optional() }),
  // withTrading adds the PAPER/LIVE badge (the builder's own is dropped so it shows once) and keeps it on an outage.
  run: ({ form }, deps, ctx) => withTrading(deps, async (t) => ({ ...(await buildPortfolioReport(deps, t, ctx.nowMs, { image: form !== 'text' })), badges: [] })),
});
