import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import type { SourceStatsSnapshot } from '../src/market/source-stats.js';
import { formatDuration, formatPct } from '../src/chat/format.js';
import { jobStatusLines, tradingBreakerLine } from '../src/ops/ops-status.js';

/** /status: version, uptime, the store and its health, the chat adapters, breakers, scheduled jobs and deliveries. */
export const status = defineCommand({
  name: 'status',
  summary: 'Show the bot version, uptime, storage health and adapters.',
  usage: '/status',
  examples: ['/status'],
  role: 'viewer',
  changesState: false,
  args: z.strictObject({}),
  async run(_args, deps, ctx) {
    const health = await deps.store.health();
    const { runtime } = deps;
    const [breaker, jobs] = await Promise.all([tradingBreakerLine(deps), jobStatusLines(deps, ctx.nowMs)]);
    const troubled = !health.ok || breaker.tripped || jobs.failed;
    return {
      level: troubled ? 'warning' : 'info',
      title: `tradeops ${runtime.version}`,
      lines: [
        `Uptime: ${formatDuration(ctx.nowMs - runtime.startedAtMs)} (since ${new Date(runtime.startedAtMs).toISOString()})`,
        `Store: ${deps.store.backend} at ${deps.store.location}: ${health.ok ? 'healthy' : `UNHEALTHY: ${health.detail}`} (${health.latencyMs.toFixed(1)} ms)`,
        `Adapters: ${runtime.adapters.length ? runtime.adapters.join(', ') : 'none'}`,
        marketLine(deps.market.quotes.stats(), ctx.nowMs),
        `Trading mode: ${deps.config.trading.mode.toUpperCase()}${deps.config.trading.mode === "live" ? ` on ${deps.config.exchange}` : " (simulated account, real quotes)"}`,
        breaker.line,
        ...jobs.lines,
        `Node ${process.versions.node}, pid ${process.pid}`,
      ],
    };
  },
});

/** One line on the market-data source: requests, success rate, latency, cache, breaker, last success. */
function marketLine(s: SourceStatsSnapshot, nowMs: number): string {
  if (s.requests === 0 && s.cache.hits === 0) return `Market data: ${s.source}, no requests yet`;
  const parts = [
    `${s.requests} requests`,
    s.successRate === undefined ? undefined : `${formatPct(s.successRate * 100).replace('+', '')} ok`,
    s.latencyMs.p50 === undefined ? undefined : `p50 ${s.latencyMs.p50.toFixed(0)} ms, p99 ${s.latencyMs.p99!.toFixed(0)} ms`,
    s.cache.hitRate === undefined ? undefined : `cache hits ${(s.cache.hitRate * 100).toFixed(0)}%`,
    s.breaker ? `breaker ${s.breaker.state}` : undefined,
    s.lastSuccessMs === undefined ? 'no success yet' : `last success ${formatDuration(nowMs - s.lastSuccessMs)} ago`,
  ];
  return `Market data: ${s.source}: ${parts.filter(Boolean).join(', ')}`;
}
