import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerStateGauges, type MetricsSources } from './metrics-gauges.js';

export type { MetricsSources } from './metrics-gauges.js';

/** The bot's Prometheus metrics; recorded by the runner, the scheduler and the delivery log, read by /metrics. */
export interface OpsMetrics {
  readonly registry: Registry;
  /** The Content-Type of {@link OpsMetrics.scrape}'s text. */
  readonly contentType: string;
  commandFinished(command: string, outcome: string, durationMs: number): void;
  jobFinished(job: string, outcome: 'ok' | 'failed' | 'skipped', durationMs: number): void;
  delivery(source: string, outcome: 'delivered' | 'retry' | 'expired'): void;
  /**
   * Samples these live parts of the bot at every scrape (exchange stats, breakers, deliveries, leadership,
   * adapters); until called, those families have no samples. Calling it again switches to the new sources.
   */
  watch(sources: MetricsSources): void;
  /** Runs the scrape-time samplers and renders every metric in the Prometheus text format. */
  scrape(): Promise<string>;
}

/** Creates a registry of its own (not prom-client's global one), so several bots can live in one test process. */
export function createOpsMetrics(): OpsMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'tradeops' });
  collectDefaultMetrics({ register: registry, prefix: 'tradeops_' });
  const commandSeconds = new Histogram({
    name: 'tradeops_command_duration_seconds',
    help: 'Chat command latency, from receipt to reply, by command (unknown = not a command of this bot).',
    labelNames: ['command'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const commands = new Counter({
    name: 'tradeops_commands_total',
    help: 'Chat commands by command and outcome (ok, user_error, denied, temporary_error, internal_error).',
    labelNames: ['command', 'outcome'] as const,
    registers: [registry],
  });
  const jobRuns = new Counter({
    name: 'tradeops_job_runs_total',
    help: 'Scheduled job runs by job and outcome (ok, failed, skipped).',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  });
  const jobSeconds = new Histogram({
    name: 'tradeops_job_duration_seconds',
    help: 'Scheduled job run time by job.',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'tradeops_deliveries_total',
    help: 'Report, alert and watch delivery attempts by source and outcome (delivered, retry, expired).',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'tradeops_uptime_seconds',
    help: 'Seconds since this process started.',
    registers: [registry],
    collect() {
      this.set(process.uptime());
    },
  });
  let sources: MetricsSources | undefined;
  registerStateGauges(registry, () => sources);
  return {
    registry,
    contentType: registry.contentType,
    commandFinished(command, outcome, durationMs) {
      commandSeconds.observe({ command }, durationMs / 1000);
      commands.inc({ command, outcome });
    },
    jobFinished(job, outcome, durationMs) {
      jobRuns.inc({ job, outcome });
      if (outcome !== 'skipped') jobSeconds.observe({ job }, durationMs / 1000);
    },
    delivery(source, outcome) {
      deliveries.inc({ source, outcome });
    },
    watch(next) {
      sources = next;
    },
    scrape() {
      return registry.metrics();
    },
  };
}
