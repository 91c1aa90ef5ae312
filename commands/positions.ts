import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { describeMark, formatDecimal, formatMoney, withTrading } from '../src/chat/trading-replies.js';
import { Decimal } from '../src/trading/decimal.js';
import { oversoldBySymbol } from '../src/trading/ledger-audit.js';

const HUNDRED = Decimal.from(100);

/** /positions: every open position marked to the exchange's current price, with that price's source and age. */
export const positions = defineCommand({
  name: 'positions',
  summary: 'Open positions at the current exchange price (its source and age shown), with unrealized P&L.',
  usage: '/positions',
  examples: ['/positions'],
  role: 'viewer',
  changesState: false,
  args: z.strictObject({}),
  run: (_args, deps, ctx) =>
    withTrading(deps, async (t) => {
      const p = await t.service.portfolio(ctx.nowMs);
      const q = p.quoteAsset;
      const totals = `Equity ${formatMoney(p.equity)} ${q} · cash ${formatMoney(p.cash)} ${q} · unrealized ${formatMoney(p.unrealizedPnl, true)} ${q}`;
      const anomalies = [...oversoldBySymbol(await t.service.anomalies())].map(
        ([symbol, amount]) => `Ledger anomaly: ${symbol} sells exceeded the position by ${formatDecimal(amount)} ${symbol.split('/')[0]} in total (coins from outside the bot, or a fill the ledger lacks); that P&L counts those proceeds at no cost.`,
      );
      if (p.positions.length === 0) return { level: anomalies.length ? 'warning' : 'info', title: 'Positions', lines: [`No open ${t.mode} positions.`, totals, ...anomalies] };
      const unmarked = p.positions.filter((x) => x.mark === undefined);
      return {
        level: unmarked.length || anomalies.length ? 'warning' : 'info',
        title: 'Positions',
        lines: [totals, ...unmarked.map((x) => `${x.symbol}: no current price, ${x.markNote}`), ...anomalies],
        table: {
          columns: ['symbol', 'amount', 'entry', 'mark', 'value', 'unrealized', 'price from'],
          align: ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
          rows: p.positions.map((x) => [
            x.symbol,
            formatDecimal(x.amount),
            formatDecimal(x.cost.div(x.amount), 2),
            x.mark ? formatDecimal(x.mark) : '—',
            formatMoney(x.notional),
            `${formatMoney(x.unrealizedPnl, true)}${x.cost.isPositive() ? ` (${x.unrealizedPnl.mulDiv(HUNDRED, x.cost).toFixed(2)}%)` : ''}`,
            x.mark ? describeMark(x.markNote, ctx.nowMs) : 'at cost',
          ]),
        },
      };
    }),
});
