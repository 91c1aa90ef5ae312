import type { ProcessIo } from '../main.js';

/** One `tradeops` subcommand: its help text and what it does with its arguments; resolves with the exit code. */
export interface Subcommand {
  readonly name: string;
  /** One line for `tradeops --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  run(argv: readonly string[], io: ProcessIo): Promise<number>;
}

/** A mistake in how a subcommand was called: printed with its help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
