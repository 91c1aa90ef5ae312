import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CandleColumns } from '../market/types.js';
import type { EvaluatedParams } from './evaluate.js';
import type { Objective } from './objective.js';
import type { Params } from './param-space.js';
import type { SignalModuleRef } from './signal.js';
import type { BacktestOptions } from './types.js';
import type { WorkerBatch, WorkerJob, WorkerReply } from './optimize-worker.js';

/** What a pool evaluates: candles, a signal module and the backtest settings. */
export interface PoolJob {
  readonly candles: CandleColumns;
  readonly signal: SignalModuleRef;
  readonly options: BacktestOptions;
  readonly objective: Objective;
}

const RUNNING_TS = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./optimize-worker${RUNNING_TS ? '.ts' : '.js'}`, import.meta.url);

/**
 * Starts a worker on the worker module. Under TypeScript (tsx, vitest) the worker registers tsx's ESM hooks first:
 * on Node 20 `execArgv: ['--import', 'tsx']` does not apply to a worker's entry module, registering in the worker does.
 */
function startWorker(): Worker {
  if (!RUNNING_TS) return new Worker(WORKER_URL);
  const tsxApi = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  const boot = `import(${JSON.stringify(pathToFileURL(tsxApi).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(boot, { eval: true });
}

/** Copies candle columns into SharedArrayBuffers once, so every worker reads the same memory. */
export function shareCandles(c: CandleColumns): CandleColumns {
  const share = (col: Float64Array): Float64Array => {
    if (col.buffer instanceof SharedArrayBuffer) return col;
    const out = new Float64Array(new SharedArrayBuffer(col.byteLength));
    out.set(col);
    return out;
  };
  return { timeMs: share(c.timeMs), open: share(c.open), high: share(c.high), low: share(c.low), close: share(c.close), volume: share(c.volume) };
}

/** A reusable set of worker threads that evaluate parameter combinations, one job at a time. */
export class OptimizerPool {
  readonly size: number;
  private workers: Worker[] = [];
  private nextJobId = 1;
  private queue: Promise<void> = Promise.resolve();

  constructor(size = availableParallelism()) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be a whole number >= 1, got ${size}`);
    this.size = size;
  }

  /** Evaluates `items` in batches; `onRows` gets each batch as it completes. Rejects with the abort reason if aborted. */
  run(job: PoolJob, items: ReadonlyArray<readonly [number, Params]>, onRows: (rows: EvaluatedParams[]) => void, abort?: AbortSignal): Promise<void> {
    const result = this.queue.then(() => this.runNow(job, items, onRows, abort));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Stops every worker; the pool starts new ones if used again. */
  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): Worker[] {
    while (this.workers.length < this.size) {
      const worker = startWorker();
      worker.unref();
      this.workers.push(worker);
    }
    return this.workers;
  }

  private runNow(job: PoolJob, items: ReadonlyArray<readonly [number, Params]>, onRows: (rows: EvaluatedParams[]) => void, abort?: AbortSignal): Promise<void> {
    abort?.throwIfAborted();
    const workers = this.spawn();
    const jobId = this.nextJobId++;
    const batchSize = Math.max(1, Math.min(64, Math.ceil(items.length / (workers.length * 8))));
    let next = 0;
    let pending = 0;
    return new Promise<void>((resolve, reject) => {
      const listeners: Array<() => void> = [];
      let done = false;
      const finish = (err?: unknown): void => {
        if (done) return;
        done = true;
        for (const off of listeners) off();
        for (const worker of workers) worker.unref();
        if (err === undefined) resolve();
        else {
          void this.close();
          reject(err);
        }
      };
      const dispatch = (worker: Worker): void => {
        if (next >= items.length) {
          if (pending === 0) finish();
          return;
        }
        const batch: WorkerBatch = { type: 'batch', jobId, items: items.slice(next, next + batchSize) };
        next += batch.items.length;
        pending++;
        worker.postMessage(batch);
      };
      const onAbort = (): void => finish(abort?.reason);
      abort?.addEventListener('abort', onAbort, { once: true });
      listeners.push(() => abort?.removeEventListener('abort', onAbort));
      for (const worker of workers) {
        const onMessage = (reply: WorkerReply): void => {
          if (reply.jobId !== jobId) return;
          pending--;
          if (reply.type === 'error') return finish(new Error(`optimizer worker failed: ${reply.message}`));
          try {
            onRows(reply.rows);
          } catch (err) {
            return finish(err);
          }
          if (done) return;
          dispatch(worker);
        };
        const onError = (err: Error): void => finish(err);
        const onExit = (code: number): void => finish(new Error(`optimizer worker exited with code ${code}`));
        worker.ref();
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        listeners.push(() => { worker.off('message', onMessage); worker.off('error', onError); worker.off('exit', onExit); });
        worker.postMessage({ type: 'job', jobId, ...job } satisfies WorkerJob);
        dispatch(worker);
      }
      if (items.length === 0) finish();
    });
  }
}
