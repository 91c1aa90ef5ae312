import { z } from 'zod';
import { renderCandlestickChart } from '../src/chat/charts.js';
import { defineCommand } from '../src/chat/command.js';
import { formatDuration, formatNumber, formatPct, formatUtc } from '../src/chat/format.js';
import { UserError } from '../src/errors.js';
import { asColumns } from '../src/market/candle-columns.js';
import { isTimeframe, timeframeMs } from '../src/market/timeframe.js';

/** /chart: a candlestick PNG with volume of the latest real candles, labelled with their source and time. */
export const chart = defineCommand({
  name: 'chart',
  summary: 'A candlestick chart with volume of the latest candles from the exchange.',
  usage: '/chart SYMBOL [TIMEFRAME] [BARS]',
  examples: ['/chart BTC/USDT 5m 60', '/chart ETH/USDT 15m 200'],
  role: 'viewer',
  changesState: false,
  positional: ['symbol', 'timeframe', 'bars'],
  args: z.strictObject({
    symbol: z.string().max(30),
    timeframe: z.string().default('1h').refine(isTimeframe, 'timeframe must look like 1m, 5m, 15m, 1h, 4h, 1d or 1w'),
    bars: z.coerce.number().int('bars must be a whole number').min(10, 'at least 10 bars').max(500, 'at most 500 bars').default(100),
  }),
  async run({ symbol, timeframe, bars }, deps, ctx) {
    const barMs = timeframeMs(timeframe);
    ctx.progress(`fetching ${bars} ${timeframe} candles`);
    const candles = await deps.market.exchange.fetchCandles(symbol, timeframe, ctx.nowMs - bars * barMs, bars);
    if (candles.length === 0) throw new UserError(`${deps.market.exchange.id} returned no ${timeframe} candles for ${symbol} in the last ${bars} bars.`);
    const columns = asColumns(candles);
    const n = candles.length;
    const first = candles[0]!;
    const last = candles[n - 1]!;
    const forming = last.timeMs + barMs > ctx.nowMs;
    const source = deps.market.exchange.id;
    const name = symbol.toUpperCase();
    const provenance = `${source} · ${n} × ${timeframe} · ${formatUtc(first.timeMs)} → ${formatUtc(last.timeMs)}${forming ? ' (last bar still forming)' : ''}`;
    const png = await renderCandlestickChart(columns, { title: `${name} ${timeframe}`, subtitle: provenance });
    let high = -Infinity;
    let low = Infinity;
    for (const c of candles) (high = Math.max(high, c.high)), (low = Math.min(low, c.low));
    return {
      level: 'info',
      title: `${name} ${timeframe}: last ${formatNumber(last.close)}`,
      lines: [
        `Change over the chart: ${formatPct((last.close / first.open - 1) * 100)} · high ${formatNumber(high)} · low ${formatNumber(low)}`,
        `Source: ${provenance}; fetched now, the last bar opened ${formatDuration(Math.max(0, ctx.nowMs - last.timeMs))} ago.`,
      ],
      image: { png, filename: `${name.replace('/', '-')}-${timeframe}.png`, alt: `${name} ${timeframe} candlestick chart, ${provenance}` },
    };
  },
});
