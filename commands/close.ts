import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { requireConfirmation } from '../src/chat/confirm.js';
import { clientOrderIdFor, describeOrder, requester, withTrading } from '../src/chat/trading-replies.js';
import { TemporaryError, UserError } from '../src/errors.js';

/** /close SYMBOL|all: sells whole open positions at market; `all` (and anything live) is confirmed first. */
export const close = defineCommand({
  name: 'close',
  summary: 'Sells a whole open position at market, or every one with "all" (after a confirmation).',
  usage: '/close SYMBOL|all',
  examples: ['/close all', '/close BTC/USDT'],
  role: 'trader',
  changesState: true,
  positional: ['target'],
  args: z.strictObject({ target: z.string().max(30), confirm: z.string().optional() }),
  run: ({ target, confirm }, deps, ctx) =>
    withTrading(deps, async (t) => {
      const all = target.toLowerCase() === 'all';
      const open = (await t.service.portfolio(ctx.nowMs)).positions;
      const symbols = all ? open.map((p) => p.symbol) : [(await t.rules.getRule(target))?.symbol ?? target];
      if (symbols.length === 0) return { level: 'info', title: 'Nothing to close', lines: [`No open ${t.mode} positions.`] };
      if (!all && !open.some((p) => p.symbol === symbols[0])) throw new UserError(`no open ${t.mode} position in ${symbols[0]}`);
      if (all || t.mode === 'live') {
        const ask = await requireConfirmation(deps, ctx, {
          token: confirm, command: 'close', line: `/close ${all ? 'all' : symbols[0]}`,
          prompt: `Sell ${all ? `all ${symbols.length} open ${t.mode} positions (${symbols.join(', ')})` : `the whole ${symbols[0]} position`} at market${t.mode === 'live' ? ' with real money' : ''}?`,
        });
        if (ask) return ask;
      }
      const lines: string[] = [];
      let failed = 0;
      for (const [i, symbol] of symbols.entries()) {
        try {
          const result = await t.service.closePosition(symbol, requester(ctx), clientOrderIdFor(ctx, `-${i}`));
          lines.push(result.kind === 'placed' ? describeOrder(result.order) : `${symbol}: refused: ${result.refusal.message}`);
        } catch (error) {
          if (!(error instanceof UserError || error instanceof TemporaryError)) throw error;
          failed++;
          lines.push(`${symbol}: not closed: ${error.message}`);
        }
      }
      return { level: failed ? 'warning' : 'success', title: failed ? `Closed ${symbols.length - failed} of ${symbols.length}` : `Closed ${symbols.join(', ')}`, lines };
    }),
});
