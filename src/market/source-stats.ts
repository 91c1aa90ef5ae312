import type { BreakerSnapshot } from './circuit-breaker.js';

/** How one exchange call ended. */
export type CallOutcome = 'ok' | 'user-error' | 'temporary-error' | 'error' | 'rejected-by-breaker';

/** Monitoring figures for one data source, as plain data (shown by /status, exported as metrics). */
export interface SourceStatsSnapshot {
  readonly source: string;
  /** Calls sent to the exchange (each retry counts), and how they ended. */
  readonly requests: number;
  readonly outcomes: Readonly<Record<CallOutcome, number>>;
  /** Share of sent calls the exchange answered (a UserError is an answer); undefined before the first call. */
  readonly successRate: number | undefined;
  readonly retries: number;
  /** Latency of sent calls over the recent window, ms. */
  readonly latencyMs: { readonly samples: number; readonly p50: number | undefined; readonly p99: number | undefined; readonly max: number | undefined };
  readonly cache: { readonly hits: number; readonly misses: number; readonly coalesced: number; readonly hitRate: number | undefined };
  readonly breaker: BreakerSnapshot | undefined;
  readonly lastSuccessMs: number | undefined;
  readonly lastFailure: { readonly atMs: number; readonly reason: string } | undefined;
}

/** A fixed-size window of recent latency samples with percentiles. */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private size = 0;
  private next = 0;

  constructor(capacity = 1024) {
    this.samples = new Float64Array(capacity);
  }

  /** Adds one sample, dropping the oldest when full. */
  add(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    this.size = Math.min(this.size + 1, this.samples.length);
  }

  /** The p-th percentile (0–100, nearest rank) of the window; undefined when empty. */
  percentile(p: number): number | undefined {
    if (this.size === 0) return undefined;
    const sorted = this.samples.slice(0, this.size).sort();
    return sorted[Math.min(this.size - 1, Math.max(0, Math.ceil((p / 100) * this.size) - 1))];
  }

  get count(): number {
    return this.size;
  }
}

/** Counters for one source; the guarded client and the quote service write to it. */
export class SourceStats {
  private readonly outcomes: Record<CallOutcome, number> = { ok: 0, 'user-error': 0, 'temporary-error': 0, error: 0, 'rejected-by-breaker': 0 };
  private readonly latency = new LatencyWindow();
  private retries = 0;
  private hits = 0;
  private misses = 0;
  private coalesced = 0;
  private lastSuccessMs: number | undefined;
  private lastFailure: { atMs: number; reason: string } | undefined;

  constructor(
    readonly source: string,
    private readonly now: () => number,
  ) {}

  /** Records one call and how it ended; `latencyMs` is undefined for calls the breaker refused. */
  recordCall(outcome: CallOutcome, latencyMs: number | undefined, reason?: string): void {
    this.outcomes[outcome]++;
    if (latencyMs !== undefined) this.latency.add(latencyMs);
    if (outcome === 'ok' || outcome === 'user-error') this.lastSuccessMs = this.now();
    else this.lastFailure = { atMs: this.now(), reason: reason ?? outcome };
  }

  recordRetry(): void {
    this.retries++;
  }

  /** Records a cache lookup: a hit, a miss (an exchange call follows), or a request that joined one in flight. */
  recordCache(result: 'hit' | 'miss' | 'coalesced'): void {
    if (result === 'hit') this.hits++;
    else if (result === 'miss') this.misses++;
    else this.coalesced++;
  }

  /** The figures as plain data. */
  snapshot(breaker?: BreakerSnapshot): SourceStatsSnapshot {
    const sent = this.outcomes.ok + this.outcomes['user-error'] + this.outcomes['temporary-error'] + this.outcomes.error;
    const lookups = this.hits + this.misses + this.coalesced;
    return {
      source: this.source,
      requests: sent,
      outcomes: { ...this.outcomes },
      successRate: sent === 0 ? undefined : (this.outcomes.ok + this.outcomes['user-error']) / sent,
      retries: this.retries,
      latencyMs: { samples: this.latency.count, p50: this.latency.percentile(50), p99: this.latency.percentile(99), max: this.latency.percentile(100) },
      cache: { hits: this.hits, misses: this.misses, coalesced: this.coalesced, hitRate: lookups === 0 ? undefined : (this.hits + this.coalesced) / lookups },
      breaker,
      lastSuccessMs: this.lastSuccessMs,
      lastFailure: this.lastFailure,
    };
  }
}
