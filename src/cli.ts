import { parseArgs } from 'node:util';
import { ConfigError } from './errors.js';
import { runChatOnce, startBot, type ProcessIo } from './main.js';
import { StoreUnavailableError } from './store/open-store.js';
import { VERSION } from './version.js';

const HELP: Record<string, string> = {
  main: `tradeops ${VERSION}: a chat-ops trading bot (paper trading by default)

Usage: tradeops <command> [options]

Commands:
  start                 run the bot (console prompt when no chat token is configured)
  chat "<command>"      run one chat command, print the reply, and exit
  help [command]        show this help, or a command's

Options:
  -h, --help            show help
  -v, --version         show the version

Configuration comes from the environment and an optional .env file; see .env.example.
Exit codes: 0 ok, 1 the command was refused or failed (user error), 2 bad configuration or usage,
3 internal error.`,
  start: `Usage: tradeops start

Runs the bot: loads the configuration, opens the store (DATABASE_URL), and starts the chat adapters.
With no TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN (or CONSOLE=on) it opens an interactive prompt where you,
the local user, are admin. Piped input is answered line by line. SIGINT/SIGTERM stop it gracefully: no new
commands are taken, running ones finish (up to SHUTDOWN_TIMEOUT_MS), the store is closed.`,
  chat: `Usage: tradeops chat "<command line>" [--json]

Runs one chat command (the same registry, validation and permissions as in chat; you are the local admin)
and prints the reply. Examples:
  tradeops chat "/status"
  tradeops chat "/help status" --json

  --json   print the platform-neutral Reply object as JSON
Exit code 0 on success, 1 when the command was refused or failed, 3 on an internal error.`,
};

/** Runs the command line; resolves with the process exit code. */
export async function main(argv: readonly string[], io: ProcessIo): Promise<number> {
  const print = (text: string) => io.stdout.write(`${text}\n`);
  const fail = (text: string, code: number) => (io.stderr.write(`tradeops: ${text}\n`), code);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' }, json: { type: 'boolean' } },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n${HELP.main}`, 2);
  }
  const [command, ...rest] = parsed.positionals;
  const { values } = parsed;
  if (values.version) return (print(VERSION), 0);
  if (command === undefined || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !(topic in HELP)) return fail(`no help for "${topic}"\n${HELP.main}`, 2);
    print(HELP[topic ?? 'main']!);
    return values.help || command === 'help' ? 0 : 2;
  }
  if (!(command in HELP) || command === 'main') return fail(`unknown command "${command}"\n\n${HELP.main}`, 2);
  if (values.help) return (print(HELP[command]!), 0);
  try {
    if (command === 'start') {
      if (rest.length > 0) return fail(`start takes no arguments\n\n${HELP.start}`, 2);
      return await startBot(io);
    }
    if (rest.length !== 1) return fail(`chat takes one command line in quotes, e.g. tradeops chat "/status"\n\n${HELP.chat}`, 2);
    return await runChatOnce(rest[0]!, values.json === true, io);
  } catch (error) {
    if (error instanceof ConfigError) return fail(`${error.message}\nSee .env.example for every variable and its default.`, 2);
    if (error instanceof StoreUnavailableError) return fail(error.message, 2);
    return fail(`internal error: ${(error as Error).message} (run with LOG_LEVEL=debug for details)`, 3);
  }
}
