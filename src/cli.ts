import { backtest } from './cli/backtest.js';
import { chat } from './cli/chat.js';
import { data } from './cli/data.js';
import { optimizeCommand } from './cli/optimize.js';
import { start } from './cli/start.js';
import { UsageError, type Subcommand } from './cli/subcommand.js';
import { ConfigError, TemporaryError, withRetryHint } from './errors.js';
import type { ProcessIo } from './main.js';
import { StoreUnavailableError } from './store/open-store.js';
import { VERSION } from './version.js';

const SUBCOMMANDS: readonly Subcommand[] = [start, chat, data, backtest, optimizeCommand];

function mainHelp(): string {
  const width = Math.max(...SUBCOMMANDS.map((s) => s.name.length)) + 2;
  return `tradeops ${VERSION}: a chat-ops trading bot (paper trading by default)

Usage: tradeops <command> [options]      (tradeops <command> --help for more)

Commands:
${SUBCOMMANDS.map((s) => `  ${s.name.padEnd(width)}${s.summary}`).join('\n')}
  ${'help'.padEnd(width)}show this help, or a command's

Options:
  -h, --help     show help
  -v, --version  show the version

Configuration comes from the environment and an optional .env file; see .env.example.
Exit codes: 0 ok, 1 the command was refused or failed (user error, or an outage: try again), 2 bad configuration or usage,
3 internal error.`;
}

/** Runs the command line; resolves with the process exit code. */
export async function main(argv: readonly string[], io: ProcessIo): Promise<number> {
  const print = (text: string) => io.stdout.write(`${text}\n`);
  const fail = (text: string, code: number) => (io.stderr.write(`tradeops: ${text}\n`), code);
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') return (print(VERSION), 0);
  if (name === undefined) return fail(`a command is needed\n\n${mainHelp()}`, 2);
  if (name === '--help' || name === '-h') return (print(mainHelp()), 0);
  if (name === 'help') {
    const topic = rest[0] === undefined ? undefined : SUBCOMMANDS.find((s) => s.name === rest[0]);
    if (rest[0] !== undefined && !topic) return fail(`no help for "${rest[0]}"\n\n${mainHelp()}`, 2);
    return (print(topic ? topic.help : mainHelp()), 0);
  }
  const subcommand = SUBCOMMANDS.find((s) => s.name === name);
  if (!subcommand) return fail(`unknown command "${name}"\n\n${mainHelp()}`, 2);
  if (rest.includes('--help') || rest.includes('-h')) return (print(subcommand.help), 0);
  try {
    return await subcommand.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message}\n\n${subcommand.help}`, 2);
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return fail(`${(error as Error).message}\n\n${subcommand.help}`, 2);
    if (error instanceof ConfigError) return fail(`${error.message}\nSee .env.example for every variable and its default.`, 2);
    if (error instanceof StoreUnavailableError) return fail(error.message, 2);
    // A passing outage (exchange down, rate limit) is not a bug: say so and when to try again.
    if (error instanceof TemporaryError) return fail(error.saysWhen ? error.message : withRetryHint(error.message, error.retryAfterMs), 1);
    return fail(`internal error: ${(error as Error).message} (run with LOG_LEVEL=debug for details)`, 3);
  }
}
