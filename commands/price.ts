import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { formatCompact, formatDuration, formatNumber, formatPct } from '../src/chat/format.js';
import { TemporaryError, UserError } from '../src/errors.js';
import type { QuoteReading } from '../src/market/quote-service.js';

const MAX_SYMBOLS = 10;

/** /price: the latest real price of one or more markets, each with its source and age; stale prices say so. */
export const price = defineCommand({
  name: 'price',
  summary: 'Latest prices with bid/ask, 24h change and volume, each with its source and age.',
  usage: '/price SYMBOL [SYMBOL…]',
  examples: ['/price BTC/USDT', '/price btc eth/usdt'],
  role: 'viewer',
  changesState: false,
  positional: ['symbols...'],
  args: z.strictObject({
    symbols: z
      .array(z.string().max(30, 'a symbol is at most 30 characters'))
      .min(1, 'give at least one symbol, e.g. /price BTC/USDT')
      .max(MAX_SYMBOLS, `at most ${MAX_SYMBOLS} symbols at once`),
  }),
  async run({ symbols }, deps) {
    const unique = [...new Set(symbols.map((s) => s.toUpperCase()))];
    const results = await Promise.allSettled(unique.map((s) => deps.market.quotes.getQuoteOrStale(s)));
    const readings = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ symbol: unique[i]!, error: r.reason as unknown }] : []));
    for (const { error } of failures) if (!(error instanceof UserError || error instanceof TemporaryError)) throw error;
    if (readings.length === 0) throw failures[0]!.error;
    const stale = readings.filter((r) => r.stale);
    return {
      level: stale.length || failures.length ? 'warning' : 'info',
      title: readings.length === 1 ? `${readings[0]!.quote.symbol}` : 'Prices',
      badges: stale.length ? ['STALE'] : [],
      lines: [
        ...stale.map((r) => `${r.quote.symbol} is STALE: the exchange stamped it ${formatDuration(r.ageMs)} ago${r.staleReason ? ` (${r.staleReason})` : ''}.`),
        ...failures.map(({ symbol, error }) => `${symbol}: ${(error as Error).message}`),
      ],
      table: {
        columns: ['symbol', 'last', 'bid', 'ask', '24h', 'quote volume', 'source', 'age'],
        align: ['left', 'right', 'right', 'right', 'right', 'right', 'left', 'right'],
        rows: readings.map((r) => row(r)),
      },
    };
  },
});

function row(r: QuoteReading): string[] {
  const q = r.quote;
  const opt = (v: number | undefined, f: (n: number) => string) => (v === undefined ? '—' : f(v));
  return [
    q.symbol,
    formatNumber(q.last),
    opt(q.bid, formatNumber),
    opt(q.ask, formatNumber),
    opt(q.change24hPct, formatPct),
    opt(q.quoteVolume24h, formatCompact),
    q.provenance.source,
    `${formatDuration(r.ageMs)}${r.stale ? ' STALE' : ''}`,
  ];
}
