import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';

/** Formats a duration for people: `3d 4h`, `5m 12s`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3_600), Math.floor((s % 3_600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** /status: version, uptime, the store and its health, and the chat adapters running. */
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
    return {
      level: health.ok ? 'info' : 'warning',
      title: `tradeops ${runtime.version}`,
      lines: [
        `Uptime: ${formatDuration(ctx.nowMs - runtime.startedAtMs)} (since ${new Date(runtime.startedAtMs).toISOString()})`,
        `Store: ${deps.store.backend} at ${deps.store.location}: ${health.ok ? 'healthy' : `UNHEALTHY: ${health.detail}`} (${health.latencyMs.toFixed(1)} ms)`,
        `Adapters: ${runtime.adapters.length ? runtime.adapters.join(', ') : 'none'}`,
        `Trading mode: paper`,
        `Node ${process.versions.node}, pid ${process.pid}`,
      ],
    };
  },
});
