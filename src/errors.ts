/** A mistake the user can fix; its message is shown to them as is. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** The usage line of the command that failed, when there is one. */
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** A passing outage (network, rate limit, exchange down): try again after `retryAfterMs`. */
export class TemporaryError extends Error {
  override readonly name = 'TemporaryError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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
