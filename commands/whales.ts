import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { formatNumber, formatUtc } from '../src/chat/format.js';

const TRADES_SCANNED = 1000;
const ROWS = 15;

/** /whales: the largest recent trades from the exchange's public trade feed. */
export const whales = defineCommand({
  name: 'whales',
  summary: 'The largest recent trades on the exchange (public trade feed), with time and side.',
  usage: '/whales SYMBOL [MIN_NOTIONAL]',
  examples: ['/whales BTC/USDT', '/whales BTC/USDT 250000'],
  role: 'viewer',
  changesState: false,
  positional: ['symbol', 'min'],
  args: z.strictObject({
    symbol: z.string().max(30),
    min: z.coerce.number().min(0, 'MIN_NOTIONAL cannot be negative').optional(),
  }),
  async run({ symbol, min }, deps) {
    const trades = await deps.market.exchange.fetchTrades(symbol, undefined, TRADES_SCANNED);
    const source = deps.market.exchange.id;
    if (trades.length === 0) return { level: 'info', title: `${symbol.toUpperCase()}: no recent trades`, lines: [`${source} reported no trades for ${symbol.toUpperCase()} just now.`] };
    const market = trades[0]!.symbol;
    const window = `the last ${trades.length} trades on ${source}, ${formatUtc(trades[0]!.timeMs)} → ${formatUtc(trades[trades.length - 1]!.timeMs)}`;
    const big = trades.filter((t) => min === undefined || t.cost >= min).sort((a, b) => b.cost - a.cost);
    if (big.length === 0) {
      return { level: 'info', title: `${market}: no whales`, lines: [`No trade of at least ${formatNumber(min!)} in ${window}.`] };
    }
    const shown = big.slice(0, ROWS);
    return {
      level: 'info',
      title: `${market}: largest trades`,
      lines: [
        `${min === undefined ? `Top ${shown.length}` : `${big.length} trades of at least ${formatNumber(min)}${big.length > ROWS ? `, the ${ROWS} largest shown` : ''}`} of ${window}.`,
      ],
      table: {
        columns: ['time (UTC)', 'side', 'price', 'amount', 'notional'],
        align: ['left', 'left', 'right', 'right', 'right'],
        rows: shown.map((t) => [formatUtc(t.timeMs).slice(0, 19), t.side, formatNumber(t.price), formatNumber(t.amount), formatNumber(Math.round(t.cost * 100) / 100)]),
      },
    };
  },
});
