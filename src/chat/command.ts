import type { z } from 'zod';
import type { Role } from '../config.js';
import type { Deps } from '../deps.js';
import type { Logger } from '../logger.js';
import type { Reply } from './reply.js';
import type { Caller, RequiredRole } from './roles.js';

/** Everything a command knows about the call besides its arguments. */
export interface CommandContext {
  readonly caller: Caller;
  /** The caller's strongest role, or undefined. */
  readonly role: Role | undefined;
  readonly requestId: string;
  readonly log: Logger;
  readonly nowMs: number;
  /** The whole command registry (for /help). */
  readonly commands: readonly Command[];
  /** Reports progress of a slow command; transports show it by editing the acknowledgement. */
  readonly progress: (text: string) => void;
  /** Aborted when the caller cancels or the bot shuts down. */
  readonly signal: AbortSignal;
}

/** A chat command: one file in `commands/`, run the same way on every platform. */
export interface Command {
  /** Lower-case name without the slash. */
  readonly name: string;
  /** One line for /help. */
  readonly summary: string;
  /** The usage line, e.g. `/price SYMBOL [SYMBOL…]`. */
  readonly usage: string;
  readonly examples: readonly string[];
  readonly role: RequiredRole;
  /** State-changing commands are written to the audit log. */
  readonly changesState: boolean;
  /**
   * Names given to positional arguments, in order; a final name ending in `...` collects the rest into an array.
   * `key=value` options keep their key.
   */
  readonly positional: readonly string[];
  /** Validates the named arguments; errors are shown to the user with the usage line. */
  readonly args: z.ZodType;
  run(args: unknown, deps: Deps, ctx: CommandContext): Promise<Reply>;
}

/** Defines a command with its argument schema, so `run` receives the parsed, typed arguments. */
export function defineCommand<S extends z.ZodType>(
  spec: Omit<Command, 'positional' | 'args' | 'run'> & {
    readonly positional?: readonly string[];
    readonly args: S;
    run(args: z.output<S>, deps: Deps, ctx: CommandContext): Promise<Reply>;
  },
): Command {
  return { positional: [], ...spec, run: (args, deps, ctx) => spec.run(args as z.output<S>, deps, ctx) };
}
