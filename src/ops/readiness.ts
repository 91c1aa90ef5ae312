import type { Deps } from '../deps.js';
import { formatDuration } from '../chat/format.js';

/** What readiness looks at. */
export type ReadinessSources = Pick<Deps, 'config' | 'clock' | 'store' | 'market' | 'runtime'>;

/** One readiness check: whether it passes, and why, in words an operator can act on. */
export interface ReadinessCheck {
  readonly ok: boolean;
  readonly detail: string;
}

/** The answer of /readyz: ready when every check passes. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: { readonly store: ReadinessCheck; readonly exchange: ReadinessCheck; readonly chat: ReadinessCheck };
}

/** Options of {@link checkReadiness}. */
export interface ReadinessOptions {
  /** A check that has not answered after this long fails; 2 s. */
  readonly timeoutMs?: number;
}

/** Rejects with "`what` took longer than `ms` ms" unless `promise` settles first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The chat transports whose tokens are configured. */
export function expectedAdapters(config: Deps['config']): string[] {
  return [...(config.telegramBotToken ? ['telegram'] : []), ...(config.discordBotToken ? ['discord'] : [])];
}

/** Runs every check: the store answers, the market-data breaker lets calls through, every configured chat transport runs. */
export async function checkReadiness(deps: ReadinessSources, options: ReadinessOptions = {}): Promise<Readiness> {
  const checks = { store: await storeCheck(deps, options.timeoutMs ?? 2_000), exchange: exchangeCheck(deps), chat: chatCheck(deps) };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

async function storeCheck(deps: ReadinessSources, timeoutMs: number): Promise<ReadinessCheck> {
  try {
    const health = await withTimeout(deps.store.health(), timeoutMs, `the ${deps.store.backend} health check`);
    return { ok: health.ok, detail: `${deps.store.backend}: ${health.ok ? 'ok' : health.detail} (${health.latencyMs.toFixed(1)} ms)` };
  } catch (error) {
    return { ok: false, detail: `${deps.store.backend}: ${(error as Error).message}` };
  }
}

/** Fails while the market-data breaker refuses calls; an idle exchange (no calls yet) is fine. */
function exchangeCheck(deps: ReadinessSources): ReadinessCheck {
  const nowMs = deps.clock.now();
  const stats = deps.market.quotes.stats();
  const breaker = deps.market.exchange.breaker.snapshot();
  const source = deps.market.exchange.id;
  const lastSuccess = stats.lastSuccessMs === undefined ? 'no answer yet' : `last answer ${formatDuration(nowMs - stats.lastSuccessMs)} ago`;
  if (breaker.state === 'half-open') return { ok: false, detail: `${source}: the market-data breaker is probing after an outage (${lastSuccess})` };
  if (breaker.state === 'open' && (breaker.retryAtMs === undefined || nowMs < breaker.retryAtMs)) {
    const probe = breaker.retryAtMs === undefined ? '' : `; next probe in ${formatDuration(breaker.retryAtMs - nowMs)}`;
    return { ok: false, detail: `${source}: the market-data breaker is open after ${breaker.consecutiveFailures} failures (${breaker.lastFailure ?? 'unknown'})${probe}; ${lastSuccess}` };
  }
  return { ok: true, detail: `${source}: breaker ${breaker.state}, ${lastSuccess}` };
}

function chatCheck(deps: ReadinessSources): ReadinessCheck {
  const running = deps.runtime.adapters;
  const missing = expectedAdapters(deps.config).filter((name) => !running.includes(name));
  if (missing.length > 0) return { ok: false, detail: `configured but not running: ${missing.join(', ')} (running: ${running.join(', ') || 'none'})` };
  // A replica without chat tokens (a jobs-only standby) is ready: it is doing what it was configured to do.
  return { ok: true, detail: running.length === 0 ? 'no chat transport configured' : `running: ${running.join(', ')}` };
}
