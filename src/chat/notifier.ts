import type { DeliveryTarget } from '../store/types.js';
import type { Reply } from './reply.js';

/** Why a notification could not be sent, and whether trying again can help. */
export class NotifyError extends Error {
  constructor(
    message: string,
    /** True when trying again cannot help (chat not found, bot blocked or removed, no such platform here). */
    readonly permanent: boolean,
    /** What the platform asked us to wait (Telegram's retry_after, Discord's rate-limit reset), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'NotifyError';
  }
}

/** Sends a message that nobody asked for (a report, an alert) to a chat or channel. */
export interface Notifier {
  /** The platforms this notifier can reach right now. */
  readonly platforms: readonly DeliveryTarget['platform'][];
  /**
   * Sends the reply once (no retries: the delivery log retries) and resolves with the platform's message id;
   * throws NotifyError on failure.
   */
  send(target: DeliveryTarget, reply: Reply): Promise<{ readonly messageRef: string | undefined }>;
}

/**
 * One notifier over the transports running in this process, looked up at each send (a transport may start late or
 * stop). A platform not running here gives a NotifyError that is not permanent: another replica or a restart may have it.
 */
export function combineNotifiers(running: ReadonlyMap<DeliveryTarget['platform'], Notifier>): Notifier {
  return {
    get platforms() {
      return [...running.keys()];
    },
    async send(target, reply) {
      const notifier = running.get(target.platform);
      if (!notifier) throw new NotifyError(`The ${target.platform} transport is not running here.`, false);
      return notifier.send(target, reply);
    },
  };
}
