import { z } from 'zod';
import { UserError } from '../errors.js';
import type { Trading } from '../trading/create-trading.js';
import { Decimal } from '../trading/decimal.js';
import type { OrderSide } from '../trading/types.js';
import { defineCommand, type Command } from './command.js';
import { requireConfirmation } from './confirm.js';
import { clientOrderIdFor, formatDecimal, orderReply, requester, withTrading } from './trading-replies.js';

const price = z.string().regex(/^\d+(\.\d+)?$/, 'a price is a positive number such as 42000.5').optional();

const orderArgs = z.strictObject({
  symbol: z.string().max(30, 'a symbol is at most 30 characters'),
  amount: z.string().regex(/^\$?\d+(\.\d+)?$/, 'the amount is a base amount (0.01) or a quote value with $ ($250)'),
  limit: price,
  stop: price,
  sl: price,
  tp: price,
  confirm: z.string().optional(),
});
type OrderArgs = z.output<typeof orderArgs>;

/** The base amount an argument asks for: as given, or a `$` value divided by the price the order would pay. */
async function baseAmount(t: Trading, symbol: string, side: OrderSide, args: OrderArgs): Promise<Decimal> {
  if (!args.amount.startsWith('$')) return Decimal.from(args.amount);
  const notional = Decimal.from(args.amount.slice(1));
  const given = args.limit ?? args.stop;
  let at: Decimal;
  if (given) at = Decimal.from(given);
  else {
    const q = await t.quotes.getQuote(symbol);
    const book = side === 'buy' ? q.ask : q.bid;
    if (book === undefined || !(book > 0)) throw new UserError(`${q.provenance.source} gives no ${side === 'buy' ? 'ask' : 'bid'} for ${symbol}; give the amount in ${symbol.split('/')[0]}`);
    at = Decimal.from(book);
  }
  return notional.div(at, 'down');
}

/** /buy or /sell: a market, limit or stop order through the risk rules and the breaker; live orders are confirmed first. */
export function defineOrderCommand(side: OrderSide): Command {
  return defineCommand({
    name: side,
    summary: `${side === 'buy' ? 'Buys' : 'Sells'} at market, or with limit=/stop=; the amount in the base asset or as $VALUE${side === 'buy' ? '; sl=/tp= add protective exits' : ''}.`,
    usage: `/${side} SYMBOL AMOUNT|$VALUE [limit=PRICE] [stop=PRICE]${side === 'buy' ? ' [sl=PRICE] [tp=PRICE]' : ''}`,
    examples: side === 'buy' ? ['/buy BTC/USDT 0.01', '/buy ETH $250 limit=1900', '/buy BTC/USDT 0.01 sl=52000 tp=60000'] : ['/sell BTC/USDT 0.01', '/sell ETH/USDT 0.5 stop=1800'],
    role: 'trader',
    changesState: true,
    positional: ['symbol', 'amount'],
    args: orderArgs,
    run: (args, deps, ctx) =>
      withTrading(deps, async (t) => {
        if (side === 'sell' && (args.sl !== undefined || args.tp !== undefined)) {
          throw new UserError('sl= and tp= protect an entry: use them on /buy (spot, long only). Nothing was placed.');
        }
        if (args.limit !== undefined && args.stop !== undefined) throw new UserError('give limit= or stop=, not both (stop-limit orders are not supported): nothing was placed.');
        const rule = await t.rules.getRule(args.symbol);
        if (!rule) throw new UserError(`unknown market ${args.symbol}`);
        const amount = await baseAmount(t, rule.symbol, side, args);
        const type = args.limit ? 'limit' : args.stop ? 'stop' : 'market';
        if (t.mode === 'live') {
          const exits = `${args.sl ? ` sl=${args.sl}` : ''}${args.tp ? ` tp=${args.tp}` : ''}`;
          const at = `${args.limit ? ` limit=${args.limit}` : args.stop ? ` stop=${args.stop}` : ''}${exits}`;
          const ask = await requireConfirmation(deps, ctx, {
            token: args.confirm, command: side, line: `/${side} ${rule.symbol} ${formatDecimal(amount).replace(/,/g, '')}${at}`,
            prompt: `Send a LIVE ${type} ${side} of ${formatDecimal(amount)} ${rule.base} (${rule.symbol}) to the exchange, with real money?`,
          });
          if (ask) return ask;
        }
        return orderReply(await t.service.placeOrder({
          clientOrderId: clientOrderIdFor(ctx), symbol: rule.symbol, side, type, amount, requestedBy: requester(ctx),
          ...(args.limit ? { limitPrice: args.limit } : {}), ...(args.stop ? { stopPrice: args.stop } : {}),
          ...(args.sl ? { stopLossPrice: args.sl } : {}), ...(args.tp ? { takeProfitPrice: args.tp } : {}),
        }));
      }),
  });
}
