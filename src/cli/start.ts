import { startBot } from '../main.js';
import { UsageError, type Subcommand } from './subcommand.js';

/** `tradeops start`: the bot process. */
export const start: Subcommand = {
  name: 'start',
  summary: 'run the bot (console prompt when no chat token is configured)',
  help: `Usage: tradeops start

Runs the bot: loads the configuration, opens the store (DATABASE_URL), starts the chat adapters and,
unless JOBS=off, the scheduled jobs (with several replicas on one database, the holder of the scheduler
lease runs them). With no TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN (or CONSOLE=on) it opens an interactive
prompt where you, the local user, are admin. Piped input is answered line by line. SIGINT/SIGTERM stop it
gracefully: no new commands or job runs are started, running ones finish (up to SHUTDOWN_TIMEOUT_MS), the
scheduler lease is given up, the store is closed.`,
  async run(argv, io) {
    if (argv.length > 0) throw new UsageError('start takes no arguments');
    return startBot(io);
  },
};
