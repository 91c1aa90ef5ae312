import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { formatUtc } from '../src/chat/format.js';
import { formatDecimal, formatMoney, withTrading } from '../src/chat/trading-replies.js';
import { EXCHANGE_SYNC_SOURCE, depositSource } from '../src/trading/balance-sync.js';

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
      const synced = (await t.service.deposits()).filter((d) => depositSource(d) === EXCHANGE_SYNC_SOURCE);
      const last = synced.at(-1);
      const sync = last
        ? [`They include ${synced.length} ${EXCHANGE_SYNC_SOURCE} entr${synced.length === 1 ? 'y' : 'ies'} (what the exchange held beyond the ledger at start-up), the last at ${formatUtc(last.atMs)}: ${formatDecimal(last.amount)} ${last.asset}.`]
        : [];
      return {
        level: 'info',
        title: 'Balance',
        lines: [
          `Equity ${formatMoney(p.equity)} ${q}: cash ${formatMoney(p.cash)} ${q} + positions ${formatMoney(p.equity.minus(p.cash))} ${q} at current prices.`,
          `Net deposits ${formatMoney(p.netDeposits)} ${q}.`,
          ...sync,
        ],
        table: { columns: ['asset', 'amount'], align: ['left', 'right'], rows: held.map((b) => [b.asset, formatDecimal(b.amount)]) },
      };
    }),
});
