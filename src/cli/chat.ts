import { parseArgs } from 'node:util';
import { runChatOnce } from '../main.js';
import { UsageError, type Subcommand } from './subcommand.js';

/** `tradeops chat "<line>"`: one chat command through the registry. */
export const chat: Subcommand = {
  name: 'chat',
  summary: 'run one chat command, print the reply, and exit',
  help: `Usage: tradeops chat "<command line>" [--json]

Runs one chat command (the same registry, validation and permissions as in chat; you are the local admin)
and prints the reply. Examples:
  tradeops chat "/status"
  tradeops chat "/help status" --json

  --json   print the platform-neutral Reply object as JSON
Exit code 0 on success, 1 when the command was refused or failed, 3 on an internal error.`,
  async run(argv, io) {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { json: { type: 'boolean' } } });
    if (positionals.length !== 1) throw new UsageError('chat takes one command line in quotes, e.g. tradeops chat "/status"');
    return runChatOnce(positionals[0]!, values.json === true, io);
  },
};
