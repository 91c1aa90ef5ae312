import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { formatUtc } from '../src/chat/format.js';
import { formatDecimal, formatMoney, withTrading } from '../src/chat/trading-replies.js';

/** /trades [N]: the latest fills, newest first, each with the P&L it realized. */
export const trades = defineCommand({
  name: 'trades',
  summary: 'The latest fills (default 10, up to 100), with price, fee and realized P&L.',
  usage: '/trades [N]',
  examples: ['/trades', '/trades 50'],
  role: 'viewer',
  changesState: false,
  positional: ['count'],
  args: z.strictObject({ count: z.coerce.number().int('N is a whole number').min(1).max(100).default(10) }),
  run: ({ count }, deps) =>
    withTrading(deps, async (t) => {
      const fills = await t.service.trades({ limit: count });
      if (fills.length === 0) return { level: 'info', title: 'Trades', lines: [`No ${t.mode} fills yet.`] };
      return {
        level: 'info',
        title: 'Trades',
        lines: [`The latest ${fills.length} ${t.mode} fills, newest first.`],
        table: {
          columns: ['time', 'side', 'symbol', 'amount', 'price', 'fee', 'realized', 'order'],
          align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'left'],
          rows: fills.map((f) => [
            formatUtc(f.atMs), f.side, f.symbol, formatDecimal(f.amount), formatDecimal(f.price),
            `${formatDecimal(f.feeAmount)} ${f.feeAsset}`, f.side === 'sell' ? formatMoney(f.realizedPnl, true) : '—', f.clientOrderId,
          ]),
        },
      };
    }),
});
