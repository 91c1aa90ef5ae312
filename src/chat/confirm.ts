import { randomBytes } from 'node:crypto';
import type { Deps } from '../deps.js';
import { UserError } from '../errors.js';
import type { CommandContext } from './command.js';
import type { Reply } from './reply.js';

/** How long a confirmation stays valid. */
export const CONFIRM_TTL_MS = 60_000;

interface Pending {
  readonly platform: string;
  readonly userId: string;
  readonly command: string;
  readonly expiresAtMs: number;
}

/**
 * Asks the caller to confirm a risky action, or lets it through when the call carries a valid confirmation.
 * The first call returns a Reply with `confirm`: the same command line plus `confirm=TOKEN`, which a transport
 * offers as a button (the console shows it to type). The token is for this user and command only, expires after
 * a minute, and works once, even with two bot replicas (it is consumed with a unique insert).
 * Returns undefined when confirmed.
 */
export async function requireConfirmation(
  deps: Deps,
  ctx: CommandContext,
  request: { readonly token: string | undefined; readonly line: string; readonly prompt: string; readonly command: string },
): Promise<Reply | undefined> {
  const nowMs = ctx.nowMs;
  if (request.token === undefined) {
    const token = randomBytes(6).toString('hex');
    const pending: Pending = { platform: ctx.caller.platform, userId: ctx.caller.userId, command: request.command, expiresAtMs: nowMs + CONFIRM_TTL_MS };
    await deps.store.settings.set(`confirm:${token}`, { ...pending }, nowMs);
    const line = `${request.line} confirm=${token}`;
    return {
      level: 'warning',
      title: 'Please confirm',
      lines: [request.prompt, `This expires in ${CONFIRM_TTL_MS / 1000} s. To go ahead: ${line}`],
      confirm: { line, expiresAtMs: pending.expiresAtMs },
    };
  }
  const stored = (await deps.store.settings.get(`confirm:${request.token}`)) as Pending | undefined;
  const mine = stored && stored.platform === ctx.caller.platform && stored.userId === ctx.caller.userId && stored.command === request.command;
  if (!mine) throw new UserError('That confirmation is not valid for you and this command. Run the command again to get a new one.');
  if (stored.expiresAtMs <= nowMs) throw new UserError('That confirmation expired. Run the command again to get a new one.');
  if (!(await deps.store.settings.setIfAbsent(`confirm-used:${request.token}`, nowMs, nowMs))) {
    throw new UserError('That confirmation was already used.');
  }
  return undefined;
}

/**
 * Confirmations a transport shows as Confirm/Cancel buttons. A button carries only a short key (the token; button
 * data is 64–100 bytes at most), and the command line it runs stays here until it is pressed once.
 */
export class ConfirmationButtons {
  private readonly pending = new Map<string, string>();

  constructor(private readonly capacity = 500) {}

  /** Remembers a reply's confirmation; returns the key its buttons carry. */
  offer(confirm: NonNullable<Reply['confirm']>): string {
    const key = /confirm=(\w+)/.exec(confirm.line)?.[1] ?? String(this.pending.size);
    if (this.pending.size >= this.capacity) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(key, confirm.line);
    return key;
  }

  /** The command line of a pressed button, once; undefined when unknown or already pressed. */
  take(key: string): string | undefined {
    const line = this.pending.get(key);
    this.pending.delete(key);
    return line;
  }
}
