import { z } from 'zod';
import { renderEquityChart } from '../src/chat/charts.js';
import { defineCommand } from '../src/chat/command.js';
import { formatUtc } from '../src/chat/format.js';
import { requester } from '../src/chat/trading-replies.js';
import { runBacktestJob } from '../src/research/backtest-job.js';
import { chatCandles, chatUnitSize, parseRange, strategyParams } from '../src/research/chat-candles.js';
import { saveRunRecord } from '../src/research/run-record.js';

const KEY_STATS = ['Return [%]', 'Buy & Hold Return [%]', 'Return (Ann.) [%]', 'Sharpe Ratio', 'Sortino Ratio', 'Max. Drawdown [%]', '# Trades', 'Win Rate [%]', 'Profit Factor', 'Expectancy [%]', 'SQN', 'Exposure Time [%]', 'Equity Final [$]', 'Fees Paid [$]'];
const ENGINE = z.object({
  cash: z.coerce.number().positive().optional(),
  commission: z.coerce.number().min(0).max(0.1).optional(),
  spread: z.coerce.number().min(0).max(0.1).optional(),
  source: z.string().optional(),
  fractional: z.coerce.number().positive().optional(),
  params: z.string().max(300).optional(),
});

/** /backtest: a backtest on real candles, with the key statistics, the data's provenance and an equity chart. */
export const backtest = defineCommand({
  name: 'backtest',
  summary: 'Backtest a strategy on real candles: key statistics, data source and range, and an equity chart.',
  usage: '/backtest SYMBOL TIMEFRAME STRATEGY [param=value…] [FROM..TO] [cash=N commission=R spread=R fractional=UNIT source=S]',
  examples: ['/backtest BTC/USDT 5m sma_cross fast=10 slow=30', '/backtest ETH/USDT 4h rsi_reversion 2024-01-01..2024-06-01 commission=0.001'],
  role: 'viewer',
  changesState: false,
  positional: ['symbol', 'timeframe', 'strategy', 'range'],
  args: ENGINE.extend({ symbol: z.string().max(30), timeframe: z.string().max(4), strategy: z.string().max(40), range: z.string().optional() }).catchall(z.string()),
  async run(args, deps, ctx) {
    const { symbol, timeframe, strategy, range, cash, commission, spread, source, fractional, params: paramText, ...loose } = args;
    const params = strategyParams(paramText, loose);
    return deps.jobs.run(requester(ctx), 'backtest', async () => {
      const set = await chatCandles(deps, { source, symbol, timeframe, range: parseRange(range), nowMs: ctx.nowMs }, ctx.progress);
      ctx.progress(`running ${strategy} on ${set.provenance.rows} bars`);
      const outcome = runBacktestJob(set, {
        strategy,
        params,
        options: {
          ...(cash ? { cash } : {}),
          ...(commission ? { commission } : {}),
          ...(spread ? { spread } : {}),
          ...(chatUnitSize(set, fractional, deps.market.exchange.id) ? { unitSize: chatUnitSize(set, fractional, deps.market.exchange.id)! } : {}),
          finalize: true,
        },
        requestedBy: requester(ctx),
        nowMs: ctx.nowMs,
      });
      await saveRunRecord(deps.store.settings, outcome.record);
      const { record, stats, result } = outcome;
      const d = record.data;
      const provenance = `${d.source} ${d.symbol} ${d.timeframe}, ${d.rows} bars ${formatUtc(d.fromMs)} → ${formatUtc(d.toMs)}`;
      const png = await renderEquityChart(
        { timeMs: set.candles.timeMs, equity: result.equity, drawdownPct: Float64Array.from(result.drawdown, (x) => x * 100) },
        { title: `${record.strategy} ${Object.entries(record.params).map(([k, v]) => `${k}=${v}`).join(' ')}`, subtitle: provenance },
      );
      const fmt = (v: number | string | undefined) => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : (v ?? '—'));
      return {
        level: 'info',
        title: `Backtest ${record.strategy} on ${d.symbol} ${d.timeframe}`,
        badges: outcome.badges,
        lines: [
          `Data: ${provenance} (sha256 ${d.contentHash.slice(0, 12)}…).`,
          `Run ${record.id}, code ${record.codeVersion}: reproduce with tradeops backtest --rerun ${record.id}.`,
          ...outcome.warnings,
        ],
        table: { columns: ['statistic', 'value'], rows: KEY_STATS.filter((k) => k in stats).map((k) => [k, fmt(stats[k])]), align: ['left', 'right'] },
        image: { png, filename: `backtest-${record.id}.png`, alt: `Equity and drawdown of ${record.strategy} on ${provenance}` },
      };
    });
  },
});
