import { UserError } from '../errors.js';
import { Decimal } from './decimal.js';
import type { TradingRepository } from './repository.js';
import { drawdownPct, lossStreak, type RiskSnapshot } from './risk-rules.js';
import type { BreakerEvent, BreakerTrigger, TradingMode } from './types.js';

/** When the breaker trips; a limit left undefined never trips it. */
export interface BreakerLimits {
  readonly maxDailyLoss?: Decimal;
  readonly maxDrawdownPct?: number;
  readonly maxLossStreak?: number;
  /** Trips when at least `minOrders` orders were sent in the last `windowMs` and `maxRatio` or more of them failed. */
  readonly errorRate?: { readonly maxRatio: number; readonly windowMs: number; readonly minOrders: number };
}

/** What the breaker looks at: the risk snapshot and whether the market-data breaker is open. */
export interface BreakerInput {
  readonly snapshot: RiskSnapshot;
  readonly marketDataOpen: boolean;
}

/** The breaker's state as plain data, for /breaker. */
export interface BreakerStatus {
  readonly mode: TradingMode;
  readonly tripped: boolean;
  readonly trigger: BreakerTrigger | undefined;
  readonly detail: string | undefined;
  /** When the current state began (0 when it never changed). */
  readonly sinceMs: number;
  /** Counting of losses and drawdown restarts here: the last reset, or 0. */
  readonly epochStartMs: number;
}

/** Receives every trip and reset after it is stored. */
export type BreakerListener = (event: BreakerEvent) => void;

/**
 * The trading circuit breaker of one mode. It trips (latched) on the daily loss limit, the drawdown limit, a loss
 * streak, a high order error rate or an open market-data breaker; while tripped it refuses new entries and lets
 * exits through. Its events are stored append-only, so its state survives restarts; only `reset` closes it.
 */
export class TradingBreaker {
  private last: BreakerEvent | undefined;
  private readonly outcomes: Array<{ atMs: number; ok: boolean }> = [];
  private readonly listeners = new Set<BreakerListener>();

  private constructor(
    private readonly repo: TradingRepository,
    readonly mode: TradingMode,
    private readonly limits: BreakerLimits,
  ) {}

  /** Restores the breaker of `mode` from its stored events. */
  static async open(repo: TradingRepository, mode: TradingMode, limits: BreakerLimits): Promise<TradingBreaker> {
    const breaker = new TradingBreaker(repo, mode, limits);
    [breaker.last] = await repo.listBreakerEvents(mode, 1);
    return breaker;
  }

  /** True while new entries are refused. */
  get tripped(): boolean {
    return this.last?.kind === 'tripped';
  }

  status(): BreakerStatus {
    const e = this.last;
    return {
      mode: this.mode, tripped: this.tripped, trigger: e?.trigger, detail: e?.detail, sinceMs: e?.atMs ?? 0,
      epochStartMs: this.epochStartMs(),
    };
  }

  /** The time losses and drawdown are counted from: the last reset (0 when never reset). */
  epochStartMs(): number {
    return this.last?.kind === 'reset' ? this.last.atMs : 0;
  }

  /** Registers a listener for trips and resets; returns the function that removes it. */
  onTransition(listener: BreakerListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Notes whether an order reached the broker without error, for the error-rate trigger. */
  recordOrderOutcome(ok: boolean, atMs: number): void {
    this.outcomes.push({ atMs, ok });
    const windowMs = this.limits.errorRate?.windowMs ?? 0;
    while (this.outcomes.length > 0 && this.outcomes[0]!.atMs <= atMs - windowMs) this.outcomes.shift();
  }

  /** The reason a trigger fires now, or undefined. */
  firingTrigger(input: BreakerInput, nowMs: number): { trigger: BreakerTrigger; detail: string } | undefined {
    const { snapshot: s } = input;
    const l = this.limits;
    if (input.marketDataOpen) return { trigger: 'market_data', detail: 'the market-data breaker is open' };
    const loss = s.realizedPnlToday.neg();
    if (l.maxDailyLoss && loss.gte(l.maxDailyLoss)) return { trigger: 'daily_loss', detail: `daily loss ${loss.toFixed(2)} ≥ limit ${l.maxDailyLoss.toString()}` };
    const dd = drawdownPct(s);
    if (l.maxDrawdownPct !== undefined && dd.gte(Decimal.from(l.maxDrawdownPct))) return { trigger: 'drawdown', detail: `drawdown ${dd.toFixed(2)}% ≥ limit ${l.maxDrawdownPct}%` };
    const streak = lossStreak(s);
    if (l.maxLossStreak !== undefined && streak >= l.maxLossStreak) return { trigger: 'loss_streak', detail: `${streak} losing trades in a row ≥ limit ${l.maxLossStreak}` };
    const rate = l.errorRate;
    const recent = this.outcomes.filter((o) => o.atMs > nowMs - (rate?.windowMs ?? 0));
    const failed = recent.filter((o) => !o.ok).length;
    if (rate && recent.length >= rate.minOrders && failed / recent.length >= rate.maxRatio) {
      return { trigger: 'error_rate', detail: `${failed} of the last ${recent.length} orders failed (limit ${Math.round(rate.maxRatio * 100)}%)` };
    }
    return undefined;
  }

  /** Trips the breaker when a trigger fires and it is not tripped already; returns the stored event. */
  async evaluate(input: BreakerInput, nowMs: number): Promise<BreakerEvent | undefined> {
    if (this.tripped) return undefined;
    const firing = this.firingTrigger(input, nowMs);
    if (!firing) return undefined;
    return this.append({ kind: 'tripped', trigger: firing.trigger, detail: firing.detail, by: undefined }, nowMs);
  }

  /** A refusal for an entry while tripped; exits always pass. */
  refusal(side: 'buy' | 'sell'): string | undefined {
    if (!this.tripped || side === 'sell') return undefined;
    return `the ${this.mode} trading breaker is tripped (${this.last?.detail ?? 'unknown'}): new entries are refused, exits are allowed`;
  }

  /** Closes the breaker; counting of losses, drawdown and errors starts again from now. */
  async reset(by: string, nowMs: number): Promise<BreakerEvent> {
    if (!this.tripped) throw new UserError(`the ${this.mode} trading breaker is not tripped`);
    this.outcomes.length = 0;
    return this.append({ kind: 'reset', trigger: undefined, detail: `reset by ${by}`, by }, nowMs);
  }

  /** The newest events first. */
  history(limit: number): Promise<BreakerEvent[]> {
    return this.repo.listBreakerEvents(this.mode, limit);
  }

  private async append(change: Pick<BreakerEvent, 'kind' | 'trigger' | 'detail' | 'by'>, nowMs: number): Promise<BreakerEvent> {
    const event: BreakerEvent = { ...change, mode: this.mode, seq: (this.last?.seq ?? 0) + 1, atMs: nowMs };
    if (!(await this.repo.appendBreakerEvent(event))) {
      // Another process changed the breaker first: adopt its state rather than overwrite it.
      [this.last] = await this.repo.listBreakerEvents(this.mode, 1);
      if (this.last) return this.last;
      throw new Error(`breaker event ${event.seq} of ${this.mode} could not be stored`);
    }
    this.last = event;
    for (const listener of this.listeners) listener(event);
    return event;
  }
}
