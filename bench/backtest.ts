/**
 * Backtest engine benchmarks; prints figures and never fails. Run: `node --import tsx bench/backtest.ts`.
 * (a) one SMA-cross backtest over 1M real BTC/USDT 1m bars, ns per bar including statistics;
 * (b) a 1,000-combination SMA grid over 100k bars on all cores, wall time and bar-steps per second;
 * (c) the 61,272-bar selskas BTC/USDT 1m file on this engine and on backtesting.py (when installed), same strategy.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runBacktest } from '../src/backtest/backtest.js';
import { simulate } from '../src/backtest/engine.js';
import { optimize } from '../src/backtest/optimize.js';
import { smaCrossTargets } from '../src/backtest/reference-signals.js';
import { computeStats } from '../src/backtest/stats.js';
import type { BacktestOptions } from '../src/backtest/types.js';
import { OptimizerPool } from '../src/backtest/worker-pool.js';
import type { CandleColumns } from '../src/market/types.js';

const DATA = process.env.TRADEOPS_SHARED_DATA ?? fileURLToPath(new URL('../../shared/data', import.meta.url));
const DIR = `${DATA}/crypto/binance_spot_1m_freqtrade_userdata`;
const WINDOWS = ['selskas_Freqtrade-configs', 'justinbomber_freq_stgy', 'XyloTech_TF.bk'].map((d) => `${DIR}/${d}/BTC_USDT-1m.json`);
const SELSKAS = WINDOWS[0]!;
const OPTIONS: BacktestOptions = { cash: 100_000, commission: 0.001, unitSize: 1e-8, finalize: true };

function readRows(path: string): number[][] {
  return JSON.parse(readFileSync(path, 'utf8')) as number[][];
}

/** The real windows one after another, repeated to `bars`, re-stamped as contiguous 1-minute bars. */
function concatenated(rows: number[][], bars: number): CandleColumns {
  const col = (): Float64Array => new Float64Array(bars);
  const c = { timeMs: col(), open: col(), high: col(), low: col(), close: col(), volume: col() };
  const t0 = rows[0]![0]!;
  for (let i = 0; i < bars; i++) {
    const r = rows[i % rows.length]!;
    c.timeMs[i] = t0 + i * 60_000;
    c.open[i] = r[1]!;
    c.high[i] = r[2]!;
    c.low[i] = r[3]!;
    c.close[i] = r[4]!;
    c.volume[i] = r[5]!;
  }
  return c;
}

function columns(rows: number[][]): CandleColumns {
  const col = (k: number): Float64Array => Float64Array.from(rows, (r) => r[k]!);
  return { timeMs: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const fmt = (v: number, d = 2): string => v.toFixed(d);
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Times `fn` `runs` times: the first run (cold), then the median and best wall time and the best CPU time of the rest, in ms. */
function timed(runs: number, fn: () => void): { cold: number; warm: number; best: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < runs; k++) {
    const [t, c] = [performance.now(), cpuMs()];
    fn();
    wall.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  const warm = wall.slice(1);
  return { cold: wall[0]!, warm: median(warm), best: Math.min(...warm), cpu: Math.min(...cpu.slice(1)) };
}

function benchOneMillion(all: number[][]): void {
  const N = 1_000_000;
  const candles = concatenated(all, N);
  let trades = 0;
  const total = timed(11, () => {
    const signal = smaCrossTargets(candles, { fast: 10, slow: 30 });
    trades = runBacktest(candles, signal.targets, { ...OPTIONS, warmupBars: signal.warmupBars }).stats.tradeCount;
  });
  const signal = smaCrossTargets(candles, { fast: 10, slow: 30 });
  const sim = timed(11, () => void simulate(candles, signal.targets, { ...OPTIONS, warmupBars: signal.warmupBars }));
  const result = simulate(candles, signal.targets, { ...OPTIONS, warmupBars: signal.warmupBars });
  const stats = timed(11, () => void computeStats(candles, result, { drawdownOut: new Float64Array(N) }));
  const ns = (ms: number): string => fmt((ms * 1e6) / N);
  console.log(`(a) SMA 10/30 cross, ${N.toLocaleString('en')} bars (${all.length.toLocaleString('en')} real BTC/USDT 1m bars repeated), ${trades} trades`);
  console.log(`    signal + simulation + full statistics: ${ns(total.best)} ns/bar best, ${ns(total.warm)} median of 10 warm runs, ${ns(total.cold)} cold (first run, JIT); CPU ${ns(total.cpu)} ns/bar`);
  console.log(`    of which simulation ${ns(sim.best)} ns/bar, statistics with drawdown curve and beta ${ns(stats.best)} ns/bar (best); target < 20 ns/bar: ${(total.best * 1e6) / N < 20 ? 'met' : 'MISSED'}`);
}

async function benchGrid(all: number[][]): Promise<void> {
  const N = 100_000;
  const candles = concatenated(all, N);
  const cores = availableParallelism();
  const request = {
    candles,
    signal: { module: new URL('../src/backtest/reference-signals.ts', import.meta.url).href, export: 'smaCrossTargets' },
    space: { fast: { min: 5, max: 54 }, slow: { min: 60, max: 250, step: 10 } },
    objective: 'sharpeRatio' as const,
    backtest: { ...OPTIONS, finalize: false },
  };
  const pool = new OptimizerPool(cores);
  const runs: Array<{ wall: number; cpu: number; count: number }> = [];
  try {
    for (let k = 0; k < 4; k++) {
      const [t, c] = [performance.now(), cpuMs()];
      const result = await optimize({ ...request, pool });
      runs.push({ wall: performance.now() - t, cpu: cpuMs() - c, count: result.ranked.length });
    }
  } finally {
    await pool.close();
  }
  const here = performance.now();
  await optimize({ ...request, workers: 0 });
  const single = performance.now() - here;
  const steps = runs[0]!.count * N;
  const warm = Math.min(...runs.slice(1).map((r) => r.wall));
  const rate = (ms: number): string => `${fmt(steps / ms / 1e3, 0)}M bar-steps/s`;
  console.log(`(b) ${runs[0]!.count}-combination SMA grid over ${N.toLocaleString('en')} bars on ${cores} worker threads (each worker computes each distinct SMA period once)`);
  console.log(`    warm pool (best of 3): ${fmt(warm, 0)} ms wall, ${rate(warm)}; cold (incl. starting ${cores} tsx workers): ${fmt(runs[0]!.wall, 0)} ms wall, ${rate(runs[0]!.wall)}`);
  const cpu = Math.min(...runs.slice(1).map((r) => r.cpu));
  console.log(`    CPU per warm run (all threads) ${fmt(cpu, 0)} ms = ${fmt(steps / cpu / 1e3, 0)}M bar-steps per CPU-second; on this thread only: ${fmt(single, 0)} ms wall, ${rate(single)}`);
  console.log(`    targets < 1 s and >= 100M bar-steps/s (warm pool): ${warm < 1000 && steps / warm / 1e3 >= 100 ? 'met' : 'MISSED'}`);
}

function benchPeer(): void {
  const candles = columns(readRows(SELSKAS));
  let result = runBacktest(candles, smaCrossTargets(candles, { fast: 10, slow: 30 }).targets, { ...OPTIONS, warmupBars: 29 });
  const ours = timed(31, () => {
    const signal = smaCrossTargets(candles, { fast: 10, slow: 30 });
    result = runBacktest(candles, signal.targets, { ...OPTIONS, warmupBars: signal.warmupBars });
  });
  console.log(`(c) selskas BTC/USDT 1m, ${candles.close.length.toLocaleString('en')} bars, SmaCross 10/30, cash 100k, commission 0.1 %, 1e-8 units, finalize`);
  console.log(`    this engine (signal + simulation + statistics): ${fmt(ours.best, 3)} ms best, ${fmt(ours.warm, 3)} ms median of 30, ${fmt(ours.cold, 3)} ms cold, ${fmt(ours.cpu, 3)} ms CPU; ${result.stats.tradeCount} trades, Equity Final ${result.stats.equityFinal}`);
  let peer: { wallSeconds: number; cpuSeconds: number; trades: number; equityFinal: number; backtesting: string; pandas: string };
  try {
    execFileSync('python3', ['-c', 'import backtesting'], { stdio: 'ignore' });
    const script = new URL('./backtest_py_peer.py', import.meta.url).pathname;
    peer = JSON.parse(execFileSync('python3', [script, SELSKAS, '--cash', '100000', '--commission', '0.001', '--unit', '1e-8'], { encoding: 'utf8' }));
  } catch (err) {
    console.log(`    backtesting.py not available (${String(err).split('\n')[0]}); pip install backtesting to compare`);
    return;
  }
  const same = peer.trades === result.stats.tradeCount;
  const rel = Math.abs(peer.equityFinal - result.stats.equityFinal) / Math.abs(peer.equityFinal);
  console.log(`    backtesting.py ${peer.backtesting} (pandas ${peer.pandas}): ${fmt(peer.wallSeconds * 1000, 1)} ms wall (${fmt(peer.cpuSeconds * 1000, 1)} ms CPU), best of 3; ${peer.trades} trades, Equity Final ${peer.equityFinal}`);
  const ratio = (peer.wallSeconds * 1000) / ours.best;
  console.log(`    speed-up ${fmt(ratio, 0)}x best vs best, ${fmt((peer.wallSeconds * 1000) / ours.warm, 0)}x vs our median, ${fmt((peer.wallSeconds * 1000) / ours.cold, 0)}x vs our cold run; target >= 200x: ${ratio >= 200 ? 'met' : 'MISSED'}`);
  console.log(`    # Trades ${same ? 'agree' : 'DIFFER'}; Equity Final relative difference ${rel.toExponential(2)}`);
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`backtest benchmarks: node ${process.version}, ${availableParallelism()} cores, load average ${load}`);
const all = WINDOWS.flatMap(readRows);
benchOneMillion(all);
await benchGrid(all);
benchPeer();
