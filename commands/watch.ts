import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { requester } from '../src/chat/trading-replies.js';
import { UserError } from '../src/errors.js';
import { resolveSymbol } from '../src/market/symbols.js';
import { isTimeframe } from '../src/market/timeframe.js';
import { watchKey, watchKeyPrefix } from '../src/research/watches.js';
import { getStrategy } from '../src/strategies/registry.js';

/** /watch: subscribes this chat to stance flips of a strategy on a market (the signal-watch job posts them). */
export const watch = defineCommand({
  name: 'watch',
  summary: 'Subscribe this chat to a strategy\'s stance flips on a market; /watch alone lists, off=1 removes.',
  usage: '/watch [SYMBOL TIMEFRAME STRATEGY] [off=1]',
  examples: ['/watch BTC/USDT 1h sma_cross', '/watch', '/watch BTC/USDT 1h sma_cross off=1'],
  role: 'viewer',
  changesState: true,
  positional: ['symbol', 'timeframe', 'strategy'],
  args: z.strictObject({ symbol: z.string().max(30).optional(), timeframe: z.string().optional(), strategy: z.string().optional(), off: z.literal('1').optional() }),
  async run({ symbol, timeframe, strategy, off }, deps, ctx) {
    const prefix = watchKeyPrefix(ctx.caller);
    if (symbol === undefined) {
      const watches = await deps.store.settings.list(prefix);
      return {
        level: 'info',
        title: 'Watches in this chat',
        lines: watches.length ? [] : ['None. Add one with /watch BTC/USDT 1h sma_cross.'],
        table: { columns: ['symbol', 'timeframe', 'strategy'], rows: watches.map((w) => w.key.slice(prefix.length).split('|')) },
      };
    }
    if (!timeframe || !strategy) throw new UserError('Give SYMBOL, TIMEFRAME and STRATEGY, e.g. /watch BTC/USDT 1h sma_cross.');
    if (!isTimeframe(timeframe)) throw new UserError('timeframe must look like 1m, 5m, 15m, 1h, 4h or 1d.');
    getStrategy(strategy);
    const market = resolveSymbol(symbol, await deps.market.exchange.listMarkets(), deps.market.exchange.id);
    const key = watchKey(ctx.caller, market.symbol, timeframe, strategy);
    if (off) {
      const removed = await deps.store.settings.delete(key);
      return { level: removed ? 'success' : 'info', lines: [removed ? `Stopped watching ${market.symbol} ${timeframe} ${strategy}.` : 'No such watch in this chat.'] };
    }
    const created = await deps.store.settings.setIfAbsent(key, { by: requester(ctx), atMs: ctx.nowMs }, ctx.nowMs);
    return {
      level: 'success',
      lines: [created ? `Watching ${market.symbol} ${timeframe} ${strategy}: this chat will hear when its stance flips.` : `Already watching ${market.symbol} ${timeframe} ${strategy}.`],
    };
  },
});
