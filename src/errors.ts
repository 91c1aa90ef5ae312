/** A mistake the user can fix; its message is shown to them as is. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** The usage line of the command that failed, when there is one. */
    readonly usage?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Options of {@link TemporaryError}. */
export interface TemporaryErrorOptions {
  readonly cause?: unknown;
  /** End the message with when to try again ("…; try again in 30 s."), so whoever shows it need not add it. */
  readonly sayWhen?: boolean;
}

/** A passing outage (network, rate limit, exchange down): try again after `retryAfterMs`. */
export class TemporaryError extends Error {
  override readonly name = 'TemporaryError';
  /** The outage in words, without when to try again: the part to quote or to build on. */
  readonly reason: string;
  /** Whether `message` already says when to try again. */
  readonly saysWhen: boolean;
  constructor(
    reason: string,
    readonly retryAfterMs: number,
    options: TemporaryErrorOptions = {},
  ) {
    const { sayWhen = false, ...errorOptions } = options;
    super(sayWhen ? withRetryHint(reason, retryAfterMs) : reason, errorOptions);
    this.reason = reason;
    this.saysWhen = sayWhen;
  }
}

/** The configuration is invalid; every problem is listed in `problems`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Renders a retry delay for people: "in 30 s", "in 2 min". */
export function describeRetry(retryAfterMs: number): string {
  if (retryAfterMs < 60_000) return `in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`;
  return `in ${Math.ceil(retryAfterMs / 60_000)} min`;
}

/** `reason` followed by when to try again; after a full sentence (ending in "."), as a sentence of its own. */
export function withRetryHint(reason: string, retryAfterMs: number): string {
  const when = describeRetry(retryAfterMs);
  return /[.!?]$/.test(reason) ? `${reason} Try again ${when}.` : `${reason}; try again ${when}.`;
}
