import { z } from 'zod';
import { renderHeatmap } from '../src/chat/charts.js';
import { defineCommand } from '../src/chat/command.js';
import { formatUtc } from '../src/chat/format.js';
import { requester } from '../src/chat/trading-replies.js';
import { chatCandles, chatUnitSize, parseRange, strategyParams } from '../src/research/chat-candles.js';
import { heatmapGrid, objectiveNamed, OBJECTIVE_NAMES, runOptimizeJob, strategyParamsOf } from '../src/research/optimize-job.js';


/** /optimize: a parameter search on worker threads, with progress, a ranking, a heatmap and optional walk-forward. */
export const optimize = defineCommand({
  name: 'optimize',
  summary: 'Search a strategy\'s parameters on real candles: ranking, heatmap, optional walk-forward validation.',
  usage: '/optimize SYMBOL TIMEFRAME STRATEGY [param=MIN:MAX:STEP…] [FROM..TO] [objective=sharpe|return|calmar|sqn|…] [wf=TRAIN:TEST] [fractional=UNIT] [source=S]',
  examples: ['/optimize BTC/USDT 5m sma_cross fast=5:30:5 slow=20:60:10', '/optimize ETH/USDT 4h ema_cross objective=calmar wf=500:200'],
  role: 'viewer',
  changesState: false,
  positional: ['symbol', 'timeframe', 'strategy', 'range'],
  args: z
    .object({
      symbol: z.string().max(30),
      timeframe: z.string().max(4),
      strategy: z.string().max(40),
      range: z.string().optional(),
      objective: z.enum(Object.keys(OBJECTIVE_NAMES) as [string, ...string[]]).default('sharpe'),
      wf: z.string().regex(/^\d+:\d+(:\d+)?$/, 'wf is TRAIN:TEST[:STEP] in bars').optional(),
      source: z.string().optional(),
      fractional: z.coerce.number().positive().optional(),
      params: z.string().max(300).optional(),
    })
    .catchall(z.string()),
  async run(args, deps, ctx) {
    const { symbol, timeframe, strategy, range, objective, wf, source, fractional, params: paramText, ...loose } = args;
    const ranges = strategyParams(paramText, loose);
    return deps.jobs.run(requester(ctx), 'optimization', async (signal) => {
      const set = await chatCandles(deps, { source, symbol, timeframe, range: parseRange(range), nowMs: ctx.nowMs }, ctx.progress);
      const windows = wf?.split(':').map(Number);
      const started = performance.now();
      const job = await runOptimizeJob(set, {
        strategy,
        ranges,
        objective: objectiveNamed(objective)!,
        search: { kind: 'grid' },
        options: { finalize: true, ...(chatUnitSize(set, fractional, deps.market.exchange.id) ? { unitSize: chatUnitSize(set, fractional, deps.market.exchange.id)! } : {}) },
        ...(windows ? { walkForward: { trainBars: windows[0]!, testBars: windows[1]!, ...(windows[2] ? { stepBars: windows[2] } : {}) } } : {}),
        pool: deps.optimizerPool,
        abortSignal: signal,
        onProgress: (done, total) => ctx.progress(`${done}/${total} combinations`),
      });
      const { result } = job;
      const d = set.provenance;
      const provenance = `${d.source} ${d.symbol} ${d.timeframe}, ${d.rows} bars ${formatUtc(d.fromMs)} → ${formatUtc(d.toMs)}`;
      const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(5))) : String(v));
      const names = Object.keys(job.space).filter((k) => k !== 'strategy');
      const h = result.heatmap;
      const png = h
        ? await renderHeatmap(heatmapGrid(h), { title: `${strategy}: ${objective}`, subtitle: provenance })
        : undefined;
      const walk = job.walkForward;
      return {
        level: walk?.warnings.length ? 'warning' : 'info',
        title: `Optimised ${strategy} on ${d.symbol} ${d.timeframe} by ${objective}`,
        lines: [
          `${result.ranked.length} combinations in ${((performance.now() - started) / 1000).toFixed(1)} s on ${provenance}.`,
          ...(walk ? [`Walk-forward: in-sample ${fmt(walk.meanInSample)}, out-of-sample ${fmt(walk.meanOutOfSample)} (efficiency ${fmt(walk.efficiency)}).`, ...walk.warnings.map((w) => `⚠ ${w}`)] : []),
        ],
        table: {
          columns: [...names, objective, 'return %', 'trades', 'max DD %'],
          rows: result.ranked.slice(0, 10).map((r) => {
            const p = strategyParamsOf(job.strategy, r.params);
            return [...names.map((n) => String(p[n])), fmt(r.score), fmt(r.stats.returnPct), String(r.stats.tradeCount), fmt(r.stats.maxDrawdownPct)];
          }),
        },
        ...(png ? { image: { png, filename: `optimize-${strategy}.png`, alt: `Heatmap of ${objective} for ${strategy} on ${provenance}` } } : {}),
      };
    });
  },
});
