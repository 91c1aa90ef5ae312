import { parentPort } from 'node:worker_threads';
import type { CandleColumns } from '../market/types.js';
import { createEvaluator, loadSignal, type EvaluatedParams } from './evaluate.js';
import type { Objective } from './objective.js';
import type { Params } from './param-space.js';
import type { SignalModuleRef } from './signal.js';
import type { BacktestOptions } from './types.js';

/** A job: candles (views on SharedArrayBuffers), the signal to load and how to evaluate. */
export interface WorkerJob {
  readonly type: 'job';
  readonly jobId: number;
  readonly candles: CandleColumns;
  readonly signal: SignalModuleRef;
  readonly options: BacktestOptions;
  readonly objective: Objective;
}

/** A batch of combinations of the current job. */
export interface WorkerBatch {
  readonly type: 'batch';
  readonly jobId: number;
  readonly items: ReadonlyArray<readonly [index: number, params: Params]>;
}

/** What a worker answers: the rows of a batch, or an error. */
export type WorkerReply =
  | { readonly type: 'rows'; readonly jobId: number; readonly rows: EvaluatedParams[] }
  | { readonly type: 'error'; readonly jobId: number; readonly message: string };

const port = parentPort;
if (port) {
  let jobId = -1;
  let evaluator: Promise<(index: number, params: Params) => EvaluatedParams> | undefined;
  port.on('message', (msg: WorkerJob | WorkerBatch) => {
    if (msg.type === 'job') {
      jobId = msg.jobId;
      evaluator = loadSignal(msg.signal.module, msg.signal.export).then((fn) =>
        createEvaluator(msg.candles, fn, msg.options, msg.objective));
      evaluator.catch(() => undefined);
      return;
    }
    const current = evaluator;
    if (msg.jobId !== jobId || !current) return;
    current.then(
      (evaluate) => port.postMessage({ type: 'rows', jobId: msg.jobId, rows: msg.items.map(([i, p]) => evaluate(i, p)) } satisfies WorkerReply),
      (err: unknown) => port.postMessage({ type: 'error', jobId: msg.jobId, message: String(err) } satisfies WorkerReply),
    ).catch((err: unknown) => port.postMessage({ type: 'error', jobId: msg.jobId, message: String(err) } satisfies WorkerReply));
  });
}
