import { UserError } from '../errors.js';
import type { MarketInfo } from './types.js';

/** How a symbol is written, for error messages. */
export const SYMBOL_USAGE = 'Symbols look like BTC/USDT (base/quote); BTCUSDT and btc/usdt work too.';

/**
 * Finds the market a user meant: `BTC/USDT`, `btc/usdt`, the exchange id `BTCUSDT`, or a bare base `BTC`
 * when exactly one of the usual quote currencies lists it. A UserError names close matches otherwise.
 */
export function resolveSymbol(input: string, markets: readonly MarketInfo[], exchangeId: string): MarketInfo {
  const wanted = input.trim().toUpperCase();
  if (wanted === '') throw new UserError('Which market? Give a symbol.', SYMBOL_USAGE);
  const exact = markets.find((m) => m.symbol === wanted) ?? markets.find((m) => m.id.toUpperCase() === wanted);
  if (exact) return exact;
  if (!wanted.includes('/')) {
    for (const quote of ['USDT', 'USDC', 'USD', 'EUR', 'BTC']) {
      const byBase = markets.find((m) => m.base === wanted && m.quote === quote);
      if (byBase) return byBase;
    }
  }
  const base = wanted.split('/')[0] ?? wanted;
  const similar = markets
    .filter((m) => m.base === base || m.id.toUpperCase().startsWith(base))
    .slice(0, 5)
    .map((m) => m.symbol);
  const hint = similar.length > 0 ? ` Did you mean ${similar.join(', ')}?` : '';
  throw new UserError(`${exchangeId} has no market "${input.trim()}".${hint}`, SYMBOL_USAGE);
}
