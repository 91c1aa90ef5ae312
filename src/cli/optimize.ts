import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { SearchMethod } from '../backtest/optimize.js';
import { renderHeatmap } from '../chat/charts.js';
import { renderTableText } from '../chat/render-text.js';
import { heatmapGrid, objectiveNamed, OBJECTIVE_NAMES, runOptimizeJob, strategyParamsOf } from '../research/optimize-job.js';
import { newRunId, saveRunRecord, type RunRecord } from '../research/run-record.js';
import { CODE_VERSION } from '../version.js';
import { candlesFor, DATA_AND_ENGINE_OPTIONS, describeData, engineOptions, parseParams } from './backtest.js';
import { UsageError, type Subcommand } from './subcommand.js';
import { withDeps } from './with-deps.js';


const HELP = `Usage: tradeops optimize --strategy NAME [--ranges k=MIN:MAX[:STEP]|A|B,…] DATA [ENGINE]
                         [--objective sharpe|sortino|return|equity|calmar|profit-factor|sqn] [--random N --seed S]
                         [--workers N] [--walk-forward TRAIN:TEST[:STEP]] [--heatmap FILE.png] [--top N] [--json]

Searches a strategy's parameters (its own bounds and steps unless --ranges narrows them; rules such as
fast < slow always apply) on worker threads, ranks the combinations by the objective (default sqn, as
backtesting.py), and stores the run. With two varying parameters it draws a heatmap of the objective.
--walk-forward TRAIN:TEST[:STEP] (in bars) optimises on each training window and scores the winner on the
following test window, warning when out-of-sample results collapse: the guard against overfitting.
A progress bar shows on a terminal; Ctrl-C cancels. DATA and ENGINE options are those of tradeops backtest.`;

/** `tradeops optimize`: a parameter search with optional walk-forward validation. */
export const optimizeCommand: Subcommand = {
  name: 'optimize',
  summary: 'search a strategy\'s parameters (grid or random), with walk-forward validation',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        ...DATA_AND_ENGINE_OPTIONS,
        ranges: { type: 'string' },
        objective: { type: 'string' },
        random: { type: 'string' },
        seed: { type: 'string' },
        workers: { type: 'string' },
        'walk-forward': { type: 'string' },
        heatmap: { type: 'string' },
        top: { type: 'string' },
      },
    });
    const strategyName = values.strategy;
    if (!strategyName) throw new UsageError('--strategy is required');
    const objective = objectiveNamed(values.objective ?? 'sqn');
    if (!objective) throw new UsageError(`--objective must be one of ${Object.keys(OBJECTIVE_NAMES).join(', ').replace('_', '-')}`);
    const search: SearchMethod = values.random ? { kind: 'random', samples: Number(values.random), seed: Number(values.seed ?? 1) } : { kind: 'grid' };
    if (search.kind === 'random' && !(search.samples >= 1 && Number.isInteger(search.seed))) throw new UsageError('--random N needs a whole number, --seed too');
    const wf = values['walk-forward']?.split(':').map(Number);
    if (wf && (wf.length < 2 || wf.some((v) => !Number.isInteger(v) || v < 2))) throw new UsageError('--walk-forward is TRAIN:TEST[:STEP] in bars, each a whole number ≥ 2');
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
    return withDeps(io, 'optimize', async (deps) => {
      io.signals.once('SIGINT', onSignal);
      try {
        const set = await candlesFor(values, deps);
        const started = performance.now();
        const { strategy, space, result, walkForward } = await runOptimizeJob(set, {
          strategy: strategyName,
          ranges: parseParams(values.ranges),
          objective,
          search,
          options: engineOptions(values),
          ...(wf ? { walkForward: { trainBars: wf[0]!, testBars: wf[1]!, ...(wf[2] ? { stepBars: wf[2] } : {}) } } : {}),
          ...(values.workers ? { workers: Number(values.workers) } : {}),
          abortSignal: abort.signal,
          onProgress: (done, total) => {
            if (!tty) return;
            const width = 30;
            const filled = Math.round((done / total) * width);
            io.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
            if (done === total) io.stderr.write('\n');
          },
        });
        const seconds = (performance.now() - started) / 1000;
        const best = result.best!;
        const record: RunRecord = {
          id: newRunId(),
          kind: 'optimize',
          createdAtMs: deps.clock.now(),
          requestedBy: 'cli',
          strategy: strategy.name,
          params: { ...strategyParamsOf(strategy, best.params) },
          settings: { objective, search: { ...search }, ranges: parseParams(values.ranges), engine: JSON.parse(JSON.stringify(engineOptions(values))) },
          data: set.provenance,
          codeVersion: CODE_VERSION,
          summary: { combinations: result.ranked.length, best: best.score, seconds },
        };
        await saveRunRecord(deps.store.settings, record);
        if (values.heatmap && result.heatmap) {
          writeFileSync(values.heatmap, await renderHeatmap(heatmapGrid(result.heatmap), { title: `${strategy.name}: ${objective}`, subtitle: describeData(record) }));
        }
        const top = result.ranked.slice(0, Number(values.top ?? 10));
        const names = Object.keys(space).filter((k) => k !== 'strategy');
        if (values.json) {
          io.stdout.write(`${JSON.stringify({ run: record, objective, ranked: top.map((r) => ({ params: strategyParamsOf(strategy, r.params), score: r.score, stats: r.stats })), walkForward })}\n`);
          return 0;
        }
        const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));
        const lines = [
          `${strategy.name} on ${describeData(record)}: ${result.ranked.length} combinations in ${seconds.toFixed(2)} s, ranked by ${objective}`,
          '',
          ...renderTableText({
            columns: [...names, objective, 'Return [%]', 'Sharpe', '# Trades', 'Max. DD [%]'],
            rows: top.map((r) => {
              const p = strategyParamsOf(strategy, r.params);
              return [...names.map((n) => String(p[n])), fmt(r.score), fmt(r.stats.returnPct), fmt(r.stats.sharpeRatio), String(r.stats.tradeCount), fmt(r.stats.maxDrawdownPct)];
            }),
          }),
        ];
        if (walkForward) {
          lines.push('', `Walk-forward: mean in-sample ${fmt(walkForward.meanInSample)}, out-of-sample ${fmt(walkForward.meanOutOfSample)}, efficiency ${fmt(walkForward.efficiency)}`);
          lines.push(...walkForward.warnings.map((w) => `WARNING: ${w}`));
        }
        if (values.heatmap && result.heatmap) lines.push('', `Heatmap: ${values.heatmap}`);
        lines.push('', `Run ${record.id} (code ${record.codeVersion}). Best: tradeops backtest --strategy ${strategy.name} --params ${Object.entries(record.params).map(([k, v]) => `${k}=${v}`).join(',')} …`);
        io.stdout.write(`${lines.join('\n')}\n`);
        return 0;
      } catch (error) {
        if (!abort.signal.aborted) throw error;
        io.stderr.write('\ntradeops optimize: cancelled\n');
        return 130;
      } finally {
        io.signals.off('SIGINT', onSignal);
      }
    });
  },
};

