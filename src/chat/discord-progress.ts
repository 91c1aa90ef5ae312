/** Timer functions, injectable so tests drive time. */
export interface ProgressTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Progress notes of one command, sent at most once per interval. */
export interface ProgressThrottle {
  /** Takes a new note: sent at once when the interval allows, otherwise the latest is sent when it ends. */
  update(text: string): void;
  /** Drops any note not yet sent and resolves when the ones under way are done; later notes are ignored. */
  close(): Promise<void>;
}

const systemTimers: ProgressTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Throttles progress edits (Discord and Telegram rate-limit message edits): the first at once, then one per `intervalMs`. */
export function throttleProgress(send: (text: string) => Promise<void>, intervalMs: number, timers: ProgressTimers = systemTimers): ProgressThrottle {
  let lastSentMs = Number.NEGATIVE_INFINITY;
  let pending: string | undefined;
  let timer: unknown;
  let closed = false;
  let chain = Promise.resolve();

  const flush = () => {
    timer = undefined;
    if (closed || pending === undefined) return;
    const text = pending;
    pending = undefined;
    lastSentMs = timers.now();
    // Sends run one after another, so an older note never overwrites a newer one.
    chain = chain.then(() => send(text)).catch(() => undefined);
  };

  return {
    update(text) {
      if (closed) return;
      pending = text;
      if (timer !== undefined) return;
      const waitMs = lastSentMs + intervalMs - timers.now();
      if (waitMs <= 0) flush();
      else timer = timers.setTimeout(flush, waitMs);
    },
    async close() {
      closed = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      pending = undefined;
      await chain;
    },
  };
}
