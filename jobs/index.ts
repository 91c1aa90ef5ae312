import type { Job } from '../src/ops/job.js';
import { alerts } from './alerts.js';
import { candleBackfill } from './candle-backfill.js';
import { dailyReport } from './daily-report.js';
import { deliveries } from './deliveries.js';
import { positionRefresh } from './position-refresh.js';
import { signalWatch } from './signal-watch.js';

/** Every scheduled job; `tradeops start` hands them to the scheduler. */
export const allJobs: readonly Job[] = [
  deliveries,
  alerts,
  dailyReport,
  positionRefresh,
  candleBackfill,
  signalWatch,
];
