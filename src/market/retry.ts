import { DelegateBackoff, handleWhen, retry, type IRetryBackoffContext } from 'cockatiel';
import { TemporaryError } from '../errors.js';
import { CircuitOpenError } from './circuit-breaker.js';
import { ExchangeOutage } from './exchange-client.js';
import type { RandomSource } from './random.js';

/** How often and how patiently a TemporaryError is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included; 1 = no retry. */
  readonly maxAttempts: number;
  /** The delay before the first retry, doubled for each further one (before jitter). */
  readonly baseDelayMs: number;
  /** No single wait is longer; a Retry-After beyond it ends the retries. */
  readonly maxDelayMs: number;
}

/** Three attempts, 250 ms then 500 ms (with jitter), never a wait over 5 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 5_000 };

/** What {@link withRetry} needs from the outside world. */
export interface RetryDeps {
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: RandomSource;
  /** Called before each wait, e.g. to count retries. */
  readonly onRetry?: (attempt: number, delayMs: number, error: TemporaryError) => void;
}

/**
 * The wait before retry number `attempt` (1-based): exponential with "equal jitter" (half fixed, half random),
 * raised to the server's Retry-After when that is longer. `undefined` when the server asks for more than
 * `maxDelayMs`: then waiting inside one request is pointless and the caller should report the retry-after.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: RandomSource, retryAfterMs = 0): number | undefined {
  if (retryAfterMs > policy.maxDelayMs) return undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.max(jittered, retryAfterMs));
}

/** True for errors worth retrying: temporary ones, except a breaker that is already failing fast. */
export function isRetryable(error: unknown): error is TemporaryError {
  return error instanceof TemporaryError && !(error instanceof CircuitOpenError);
}

/** The pause the server demands: an ExchangeOutage's own wait, else a plain TemporaryError's retry-after. */
const demandedMs = (error: TemporaryError): number => (error instanceof ExchangeOutage ? error.waitAtLeastMs : error.retryAfterMs);

/** Runs `call` and retries it on a retryable TemporaryError, per `policy`; other errors pass through at once. */
export function withRetry<T>(call: (attempt: number) => Promise<T>, policy: RetryPolicy, deps: RetryDeps): Promise<T> {
  let waitMs = 0;
  const retrying = retry(
    handleWhen((error) => isRetryable(error) && demandedMs(error) <= policy.maxDelayMs),
    {
      maxAttempts: policy.maxAttempts - 1,
      // Cockatiel would wait on its own setTimeout; it gets 0 and the injected sleep waits, so tests keep their clock.
      backoff: new DelegateBackoff(({ attempt, result }: IRetryBackoffContext<unknown>) => {
        const error = (result as { error: TemporaryError }).error; // handleWhen lets only such errors through
        waitMs = retryDelayMs(attempt, policy, deps.random, demandedMs(error)) ?? policy.maxDelayMs;
        deps.onRetry?.(attempt, waitMs, error);
        return 0;
      }),
    },
  );
  return retrying.execute(async ({ attempt }) => {
    if (attempt > 0) await deps.sleep(waitMs);
    return call(attempt + 1);
  });
}
