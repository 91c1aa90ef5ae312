import { createHash, randomBytes } from 'node:crypto';
import type { Deps } from '../deps.js';
import { UserError } from '../errors.js';
import type { SettingsRepository } from '../store/types.js';
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

/** Where the command lines of long action buttons are kept, so a button works hours later, after a restart, on any replica. */
export type ActionLineStore = Pick<SettingsRepository, 'get' | 'setIfAbsent'>;

/** The actions of a reply without duplicates (two buttons of one message may not carry the same data). */
export function uniqueActions(actions: Reply['actions']): NonNullable<Reply['actions']> {
  const seen = new Set<string>();
  return (actions ?? []).filter((a) => !seen.has(a.line) && seen.add(a.line));
}

/**
 * Button data for a reply's actions (buttons that run a command line as the presser). A line short enough travels in
 * the button itself (`run:/ack A17`), so the button needs nothing kept anywhere; a longer one is kept under a key
 * derived from the line (`ra:KEY`), in the store when there is one and in memory.
 */
export class ActionButtons {
  private readonly memory = new Map<string, string>();

  constructor(
    private readonly store?: ActionLineStore,
    private readonly nowMs: () => number = Date.now,
    private readonly capacity = 5_000,
  ) {}

  /** True for the data of an action button. */
  static isAction(data: string): boolean {
    return data.startsWith('run:') || data.startsWith('ra:');
  }

  /** The data a button running `line` carries, within `maxBytes` (UTF-8). */
  async dataFor(line: string, maxBytes: number): Promise<string> {
    const inline = `run:${line}`;
    if (Buffer.byteLength(inline, 'utf8') <= maxBytes) return inline;
    const key = createHash('sha256').update(line).digest('base64url').slice(0, 24);
    if (this.memory.size >= this.capacity) this.memory.delete(this.memory.keys().next().value!);
    this.memory.set(key, line);
    // The memory copy still serves this process when the store cannot be reached.
    await this.store?.setIfAbsent(`button:${key}`, line, this.nowMs()).catch(() => undefined);
    return `ra:${key}`;
  }

  /** The command line a pressed action button runs; undefined when the data is not an action's or its line is gone. */
  async lineOf(data: string): Promise<string | undefined> {
    if (data.startsWith('run:')) return data.slice(4) || undefined;
    if (!data.startsWith('ra:')) return undefined;
    const key = data.slice(3);
    const known = this.memory.get(key);
    if (known !== undefined) return known;
    const stored = await this.store?.get(`button:${key}`).catch(() => undefined);
    return typeof stored === 'string' ? stored : undefined;
  }
}
