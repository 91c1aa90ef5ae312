import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy, type IBackoff } from 'cockatiel';
import { TemporaryError, UserError } from '../errors.js';

/** closed: calls pass · open: calls fail fast · half-open: one probe call decides. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** One change of a breaker's state, as emitted to listeners. */
export interface BreakerTransition {
  readonly source: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly atMs: number;
  readonly consecutiveFailures: number;
  /** The failure that opened (or re-opened) the breaker. */
  readonly reason: string | undefined;
  /** When an open breaker lets the next probe through. */
  readonly retryAtMs: number | undefined;
}

/** A breaker's state as plain data, for /status. */
export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  readonly retryAtMs: number | undefined;
  readonly lastFailure: string | undefined;
}

/** Options of {@link CircuitBreaker}. */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker; 5 by default. */
  readonly failureThreshold?: number;
  /** How long it stays open before a probe; 30 s by default. */
  readonly openMs?: number;
  readonly now?: () => number;
}

/** Thrown, without calling the exchange, while a breaker is open or its probe is in flight. */
export class CircuitOpenError extends TemporaryError {}

/** Cockatiel's state by our name; Isolated (held open by hand) is not used here. */
const stateName = (state: CircuitState): BreakerState =>
  state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';

/**
 * A per-source circuit breaker (cockatiel's, with a consecutive-failure count): after `failureThreshold`
 * consecutive failures it opens and fails fast for `openMs`, then lets one probe through (half-open); the probe's
 * outcome closes or re-opens it. A UserError is an answer from the exchange, so it counts as a success.
 */
export class CircuitBreaker {
  private readonly counter: ConsecutiveBreaker;
  private readonly policy: CircuitBreakerPolicy;
  private readonly listeners = new Set<(t: BreakerTransition) => void>();
  private readonly now: () => number;
  private current: BreakerState = 'closed';
  private retryAtMs: number | undefined;
  /** The streak that opened the breaker; a late success of an older call may reset the live count meanwhile. */
  private failuresAtOpen = 0;

  constructor(
    readonly source: string,
    options: BreakerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.counter = new ConsecutiveBreaker(options.failureThreshold ?? 5);
    this.policy = circuitBreaker(handleWhen((error) => !(error instanceof UserError)), {
      breaker: this.counter,
      halfOpenAfter: this.openFor(options.openMs ?? 30_000),
    });
    this.policy.onStateChange((state) => this.moved(stateName(state)));
  }

  /** Registers a listener for every state change; returns the function that removes it. */
  onTransition(listener: (t: BreakerTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The state as plain data. */
  snapshot(): BreakerSnapshot {
    return { state: this.current, consecutiveFailures: this.counter.state, retryAtMs: this.retryAtMs, lastFailure: this.lastFailure() };
  }

  /** Runs `call` unless the breaker is open or probing; records its outcome. */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    // Cockatiel queues calls behind a half-open probe; we fail them fast instead, as the API promises.
    if (this.policy.state === CircuitState.HalfOpen) throw this.openError('is being probed after an outage');
    // Cockatiel lets a UserError through uncounted; as an answer from the exchange it also ends the failure streak.
    const answered = (): Promise<T> => call().catch((error: unknown) => {
      if (error instanceof UserError) this.counter.success();
      throw error;
    });
    try {
      return await this.policy.execute(answered);
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) throw error;
      throw this.openError(`failed ${this.failuresAtOpen} times in a row (${this.lastFailure() ?? 'unknown'})`);
    }
  }

  /** Cockatiel times the open state with Date.now(); this backoff answers "still open?" from the injected clock. */
  private openFor(openMs: number): IBackoff<unknown> {
    const stillOpen = (): boolean => this.retryAtMs !== undefined && this.now() < this.retryAtMs;
    const backoff: IBackoff<unknown> = {
      get duration() {
        return stillOpen() ? Infinity : -Infinity;
      },
      next: () => {
        this.retryAtMs = this.now() + openMs;
        return backoff;
      },
    };
    return backoff;
  }

  private openError(why: string): CircuitOpenError {
    const nowMs = this.now();
    const waitMs = Math.max(1_000, (this.retryAtMs ?? nowMs) - nowMs);
    return new CircuitOpenError(`${this.source} ${why}`, waitMs, { sayWhen: true });
  }

  private lastFailure(): string | undefined {
    const failure = this.policy.lastFailure;
    if (!failure || !('error' in failure)) return undefined;
    // The failure's own "try again in 2 s" is the retry's advice, not the breaker's: quote its reason, the breaker says when.
    return failure.error instanceof TemporaryError ? failure.error.reason : failure.error.message;
  }

  private moved(to: BreakerState): void {
    const from = this.current;
    this.current = to;
    if (to === 'closed') this.retryAtMs = undefined;
    const opened = to === 'open';
    if (opened) this.failuresAtOpen = this.counter.state;
    const transition: BreakerTransition = {
      source: this.source,
      from,
      to,
      atMs: this.now(),
      consecutiveFailures: this.counter.state,
      reason: opened ? this.lastFailure() : undefined,
      retryAtMs: opened ? this.retryAtMs : undefined,
    };
    for (const listener of this.listeners) listener(transition);
  }
}
