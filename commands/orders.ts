import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { orderRow, withTrading } from '../src/chat/trading-replies.js';
import { ACTIVE_STATUSES } from '../src/trading/order-lifecycle.js';

const MAX_ROWS = 50;

/** /orders [open|all] [SYMBOL]: the ledger's orders of the current mode, newest first. */
export const orders = defineCommand({
  name: 'orders',
  summary: 'Open orders (default), or all recent ones, optionally of one market.',
  usage: '/orders [open|all] [SYMBOL]',
  examples: ['/orders', '/orders all BTC/USDT'],
  role: 'viewer',
  changesState: false,
  positional: ['words...'],
  args: z.strictObject({ words: z.array(z.string().max(30)).max(2, 'at most a filter (open or all) and a symbol') }),
  run: ({ words }, deps) =>
    withTrading(deps, async (t) => {
      const [first, second] = words;
      const filter = first?.toLowerCase() === 'all' || first?.toLowerCase() === 'open' ? first.toLowerCase() : 'open';
      const symbolText = filter === first?.toLowerCase() ? second : first;
      const symbol = symbolText === undefined ? undefined : (await t.rules.getRule(symbolText))?.symbol;
      const list = await t.service.orders({
        limit: MAX_ROWS, ...(filter === 'open' ? { statuses: ACTIVE_STATUSES } : {}), ...(symbol ? { symbol } : {}),
      });
      const what = `${filter === 'open' ? 'open' : 'recent'} ${t.mode} orders${symbol ? ` in ${symbol}` : ''}`;
      if (list.length === 0) return { level: 'info', title: 'Orders', lines: [`No ${what}.`] };
      return {
        level: 'info',
        title: 'Orders',
        lines: [`${list.length} ${what}${list.length === MAX_ROWS ? ` (the newest ${MAX_ROWS})` : ''}. Cancel one with /cancel ID.`],
        table: {
          columns: ['id', 'created', 'side', 'symbol', 'type', 'amount', 'price', 'filled', 'status'],
          align: ['left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'left'],
          rows: list.map(orderRow),
        },
      };
    }),
});
