import { UserError } from '../errors.js';

/** One slow job (backtest, optimisation) per user at a time, each cancellable. */
export class JobSlots {
  private readonly running = new Map<string, { what: string; controller: AbortController }>();

  /** Runs `work` in the user's slot; a UserError when one is already running (wait, or /cancel job). */
  async run<T>(userKey: string, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const busy = this.running.get(userKey);
    if (busy) throw new UserError(`Your ${busy.what} is still running. Wait for it, or stop it with /cancel job.`);
    const controller = new AbortController();
    this.running.set(userKey, { what, controller });
    try {
      return await work(controller.signal);
    } finally {
      this.running.delete(userKey);
    }
  }

  /** Cancels the user's running job; its name, or undefined when none was running. */
  cancel(userKey: string): string | undefined {
    const job = this.running.get(userKey);
    job?.controller.abort();
    return job?.what;
  }

  /** Cancels every running job (shutdown). */
  cancelAll(): void {
    for (const job of this.running.values()) job.controller.abort();
  }
}
