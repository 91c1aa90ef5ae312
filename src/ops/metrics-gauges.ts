import { Counter, Gauge, type Registry } from 'prom-client';
import type { Deps } from '../deps.js';
import type { SourceStatsSnapshot } from '../market/source-stats.js';
import { expectedAdapters, withTimeout } from './readiness.js';

/** The live parts of the bot /metrics samples at each scrape. */
export type MetricsSources = Pick<Deps, 'config' | 'clock' | 'store' | 'market' | 'runtime' | 'logger'>;

/** A store read taking longer than this leaves its family empty for the scrape (and counts a failure). */
const SAMPLE_TIMEOUT_MS = 2_000;
const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;
const snake = (s: string): string => s.replace(/-/g, '_');

type Sources = () => MetricsSources | undefined;
type Emit<L extends string> = (labels: Partial<Record<L, string>>, value: number) => void;

/** A gauge emptied and refilled from `sample` at each scrape; nothing is emitted before the bot is watched. */
function sampledGauge<L extends string>(
  registry: Registry, name: string, help: string, labelNames: readonly L[], sources: Sources,
  sample: (s: MetricsSources, set: Emit<L>) => void | Promise<void>,
): void {
  new Gauge<L>({
    name, help, labelNames, registers: [registry],
    async collect() {
      this.reset();
      const s = sources();
      if (s) await sample(s, (labels, value) => this.set(labels, value));
    },
  });
}

/** A counter re-read at each scrape from a monotonic count kept elsewhere (the exchange stats). */
function sampledCounter<L extends string>(
  registry: Registry, name: string, help: string, labelNames: readonly L[], sources: Sources,
  sample: (s: MetricsSources, set: Emit<L>) => void,
): void {
  new Counter<L>({
    name, help, labelNames, registers: [registry],
    collect() {
      this.reset();
      const s = sources();
      if (s) sample(s, (labels, value) => this.inc(labels, value));
    },
  });
}

/** Registers every scrape-time family on `registry`; each reads the sources current at scrape time. */
export function registerStateGauges(registry: Registry, sources: Sources): void {
  registerExchangeGauges(registry, sources);
  registerStoredStateGauges(registry, sources);
  sampledGauge(registry, 'tradeops_scheduler_leader', 'Whether this replica holds the scheduler lease and runs the jobs (1) or not (0); absent with JOBS=off.', ['instance'], sources, (s, set) => {
    const leader = s.runtime.scheduler?.leader();
    if (leader) set({ instance: s.config.ops.instanceId }, leader.self ? 1 : 0);
  });
  sampledGauge(registry, 'tradeops_chat_adapter_up', 'Chat transports: 1 running, 0 configured (token set) but not running.', ['adapter'], sources, (s, set) => {
    for (const adapter of expectedAdapters(s.config)) set({ adapter }, 0);
    for (const adapter of s.runtime.adapters) set({ adapter }, 1);
  });
  sampledGauge(registry, 'tradeops_build_info', 'Always 1; the labels name the running version and replica.', ['version', 'instance'], sources, (s, set) => {
    set({ version: s.runtime.version, instance: s.config.ops.instanceId }, 1);
  });
}

function registerExchangeGauges(registry: Registry, sources: Sources): void {
  const stats = (s: MetricsSources): SourceStatsSnapshot => s.market.quotes.stats();
  sampledCounter(registry, 'tradeops_exchange_requests_total', 'Exchange calls by source and outcome (each retry counts; rejected_by_breaker never reached the exchange).', ['source', 'outcome'], sources, (s, set) => {
    const st = stats(s);
    for (const [outcome, n] of Object.entries(st.outcomes)) set({ source: st.source, outcome: snake(outcome) }, n);
  });
  sampledCounter(registry, 'tradeops_exchange_retries_total', 'Exchange calls retried after a temporary error, by source.', ['source'], sources, (s, set) => {
    const st = stats(s);
    set({ source: st.source }, st.retries);
  });
  sampledGauge(registry, 'tradeops_exchange_success_ratio', 'Share of calls sent to the exchange that it answered, by source; absent before the first call.', ['source'], sources, (s, set) => {
    const st = stats(s);
    if (st.successRate !== undefined) set({ source: st.source }, st.successRate);
  });
  sampledGauge(registry, 'tradeops_exchange_latency_seconds', 'Exchange call latency over the last 1024 calls, by source and percentile (p50, p99, max).', ['source', 'percentile'], sources, (s, set) => {
    const st = stats(s);
    for (const percentile of ['p50', 'p99', 'max'] as const) {
      const ms = st.latencyMs[percentile];
      if (ms !== undefined) set({ source: st.source, percentile }, ms / 1000);
    }
  });
  sampledCounter(registry, 'tradeops_exchange_cache_lookups_total', 'Quote cache lookups by source and result (hit, miss, coalesced = joined a call in flight).', ['source', 'result'], sources, (s, set) => {
    const { source, cache } = stats(s);
    for (const result of ['hits', 'misses', 'coalesced'] as const) set({ source, result: result === 'hits' ? 'hit' : result === 'misses' ? 'miss' : result }, cache[result]);
  });
  sampledGauge(registry, 'tradeops_exchange_cache_hit_ratio', 'Share of quote lookups served without a new exchange call, by source; absent before the first lookup.', ['source'], sources, (s, set) => {
    const st = stats(s);
    if (st.cache.hitRate !== undefined) set({ source: st.source }, st.cache.hitRate);
  });
  sampledGauge(registry, 'tradeops_exchange_last_success_age_seconds', 'Seconds since the exchange last answered, by source; absent before its first answer.', ['source'], sources, (s, set) => {
    const st = stats(s);
    if (st.lastSuccessMs !== undefined) set({ source: st.source }, Math.max(0, s.clock.now() - st.lastSuccessMs) / 1000);
  });
  sampledGauge(registry, 'tradeops_market_breaker_state', 'The market-data circuit breaker by source: 1 for its current state (closed, open, half-open), 0 for the others.', ['source', 'state'], sources, (s, set) => {
    const { state } = s.market.exchange.breaker.snapshot();
    for (const candidate of BREAKER_STATES) set({ source: s.market.exchange.id, state: candidate }, candidate === state ? 1 : 0);
  });
  sampledGauge(registry, 'tradeops_market_breaker_consecutive_failures', 'Consecutive failed exchange calls counted by the market-data breaker, by source.', ['source'], sources, (s, set) => {
    set({ source: s.market.exchange.id }, s.market.exchange.breaker.snapshot().consecutiveFailures);
  });
}

type Series = Array<[Record<string, string>, number]>;

/** What one scrape read from the store; a family is undefined when its read failed or timed out. */
interface StoredReadings {
  readonly tradingBreaker: Series | undefined;
  readonly deliveries: Series | undefined;
}

/**
 * Families read from the store. One round of reads serves every family of a scrape (collectors start together),
 * and the failure counter waits for it, so a failed or slow read shows in the same scrape: family empty, failure counted.
 */
function registerStoredStateGauges(registry: Registry, sources: Sources): void {
  let round: Promise<StoredReadings> | undefined;
  const failures = new Counter({
    name: 'tradeops_metric_sample_failures_total',
    help: 'Scrapes where a family could not be read from the store (it is left without samples), by family.',
    labelNames: ['family'] as const,
    registers: [registry],
    async collect() {
      const s = sources();
      if (s) await readings(s);
    },
  });
  const attempt = async (s: MetricsSources, family: string, read: () => Promise<Series>): Promise<Series | undefined> => {
    try {
      return await withTimeout(read(), SAMPLE_TIMEOUT_MS, `reading ${family}`);
    } catch (error) {
      failures.inc({ family });
      s.logger.warn({ err: error, family }, 'a metric could not be read from the store');
      return undefined;
    }
  };
  const readAll = async (s: MetricsSources): Promise<StoredReadings> => {
    const mode = s.config.trading.mode;
    const [tradingBreaker, deliveries] = await Promise.all([
      attempt(s, 'tradeops_trading_breaker_tripped', async () => {
        const [last] = await s.store.trading.listBreakerEvents(mode, 1);
        return [[{ mode }, last?.kind === 'tripped' ? 1 : 0]];
      }),
      attempt(s, 'tradeops_delivery_log_entries', async () => Object.entries(await s.store.deliveries.counts()).map(([state, n]) => [{ state }, n])),
    ]);
    return { tradingBreaker, deliveries };
  };
  const readings = (s: MetricsSources): Promise<StoredReadings> => (round ??= readAll(s).finally(() => (round = undefined)));
  const stored = (name: string, help: string, labelNames: readonly string[], pick: (r: StoredReadings) => Series | undefined) =>
    sampledGauge(registry, name, help, labelNames, sources, async (s, set) => {
      for (const [labels, value] of pick(await readings(s)) ?? []) set(labels, value);
    });
  stored('tradeops_trading_breaker_tripped', 'The trading breaker of the configured mode, as stored: 1 tripped (new entries refused), 0 closed.', ['mode'], (r) => r.tradingBreaker);
  stored('tradeops_delivery_log_entries', 'Deliveries in the delivery log by state (pending = still being tried, expired = given up).', ['state'], (r) => r.deliveries);
}
