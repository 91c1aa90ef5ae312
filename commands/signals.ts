import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { formatUtc } from '../src/chat/format.js';
import { UserError } from '../src/errors.js';
import { asColumns } from '../src/market/candle-columns.js';
import { isTimeframe, timeframeMs } from '../src/market/timeframe.js';
import { STANCE_NAME, shownValue } from '../src/research/watch-signal.js';
import { explainConfluence } from '../src/strategies/confluence.js';
import { listStrategies } from '../src/strategies/registry.js';
import type { ConfluenceParams } from '../src/strategies/confluence.js';

/** Candles fetched per symbol: enough for every default parameter's warm-up. */
const BARS = 500;

/** /signals: each strategy's current stance per symbol, the indicator values behind it, and the confluence score. */
export const signals = defineCommand({
  name: 'signals',
  summary: 'Each strategy\'s stance now, the indicator values behind it, and the confluence score with its breakdown.',
  usage: '/signals SYMBOL [SYMBOL…] [TIMEFRAME]',
  examples: ['/signals BTC/USDT 5m', '/signals btc eth 1h'],
  role: 'viewer',
  changesState: false,
  positional: ['words...'],
  args: z.strictObject({ words: z.array(z.string().max(30)).min(1, 'give a symbol, e.g. /signals BTC/USDT 1h').max(6, 'at most 5 symbols and a timeframe') }),
  async run({ words }, deps, ctx) {
    const timeframe = words.length > 1 && isTimeframe(words.at(-1)!) ? words.at(-1)! : '1h';
    const symbols = words.length > 1 && isTimeframe(words.at(-1)!) ? words.slice(0, -1) : words;
    const barMs = timeframeMs(timeframe);
    const lines: string[] = [];
    const rows: string[][] = [];
    for (const symbol of symbols) {
      ctx.progress(`computing ${symbol.toUpperCase()}`);
      const fetched = await deps.market.exchange.fetchCandles(symbol, timeframe, ctx.nowMs - BARS * barMs, BARS);
      // Only closed bars: a forming bar's values would change before it closes.
      const closed = fetched.filter((c) => c.timeMs + barMs <= ctx.nowMs);
      if (closed.length < 50) throw new UserError(`${deps.market.exchange.id} returned only ${closed.length} closed ${timeframe} candles for ${symbol}; signals need at least 50.`);
      const candles = asColumns(closed);
      const last = closed.length - 1;
      const name = symbol.toUpperCase();
      for (const strategy of listStrategies()) {
        const result = strategy.compute(candles, strategy.defaults);
        const values = Object.entries(result.indicators)
          .filter(([k]) => !k.endsWith('_score') && k !== 'score')
          .slice(0, 4)
          .map(([k, v]) => `${k} ${shownValue(v[last])}`);
        rows.push([name, strategy.name, STANCE_NAME[result.targets[last]!]!, values.join(', ')]);
        if (strategy.name === 'confluence') {
          const why = explainConfluence(result, strategy.defaults as unknown as ConfluenceParams, last);
          lines.push(
            `${name} confluence ${shownValue(why.score)}/100 (long above ${why.longAbove}, short below ${why.shortBelow}): ` +
              why.components.map((c) => `${c.name} ${shownValue(c.raw)} → ${shownValue(c.subScore)} × ${(c.share * 100).toFixed(0)}%`).join(', '),
          );
        }
      }
      lines.push(`${name}: ${closed.length} closed ${timeframe} bars from ${deps.market.exchange.id}, last opened ${formatUtc(closed[last]!.timeMs)}.`);
    }
    return {
      level: 'info',
      title: `Signals, ${timeframe}, default parameters`,
      lines,
      table: { columns: ['symbol', 'strategy', 'stance', 'indicators (last closed bar)'], rows },
    };
  },
});
