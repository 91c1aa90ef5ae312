import type { Readable, Writable } from 'node:stream';
import { allCommands } from '../commands/index.js';
import { allJobs } from '../jobs/index.js';
import { startAdapters } from './chat/adapters.js';
import { localCaller } from './chat/console.js';
import { renderText, replyToJson } from './chat/render-text.js';
import { createCommandRunner } from './chat/run-command.js';
import { loadConfig, readEnvironment, type Config } from './config.js';
import { closeDeps, createDeps, tradingOf } from './deps.js';
import { createLogger, type Logger } from './logger.js';
import { watchForAlerts } from './ops/alert-watch.js';
import { startOpsServer } from './ops/http.js';
import type { Job } from './ops/job.js';
import { startJobs } from './ops/start-jobs.js';

/** The process's streams and environment, passed in so tests can drive the bot. */
export interface ProcessIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  /** Where SIGINT/SIGTERM arrive; `process` in production. */
  readonly signals: NodeJS.EventEmitter;
}

function rootLogger(config: Config, io: ProcessIo, quietDefault: boolean): Logger {
  const level = config.logLevel ?? (quietDefault ? 'warn' : 'info');
  return createLogger({ level, pretty: io.stderr.isTTY === true });
}

/** `tradeops chat LINE`: runs one command through the registry and prints the reply. Returns the exit code. */
export async function runChatOnce(line: string, json: boolean, io: ProcessIo): Promise<number> {
  const config = loadConfig(readEnvironment(io.env));
  const deps = await createDeps(config, rootLogger(config, io, true));
  deps.runtime.adapters.push('cli');
  try {
    const runner = createCommandRunner(allCommands, deps);
    const reply = await runner.run(line, localCaller('cli'), { progress: (p) => io.stderr.write(`… ${p}\n`) });
    io.stdout.write(`${json ? JSON.stringify(replyToJson(reply), null, 2) : renderText(reply)}\n`);
    return reply.outcome === 'ok' ? 0 : reply.outcome === 'internal_error' ? 3 : 1;
  } finally {
    await closeDeps(deps);
  }
}

/** `tradeops start`: the bot process, running `jobs` unless JOBS=off. Resolves with the exit code after a graceful shutdown. */
export async function startBot(io: ProcessIo, jobs: readonly Job[] = allJobs): Promise<number> {
  const config = loadConfig(readEnvironment(io.env));
  const interactiveConsole = config.console !== 'off' && io.stdin.isTTY === true && !(config.console === 'auto' && (config.telegramBotToken || config.discordBotToken));
  const logger = rootLogger(config, io, interactiveConsole);
  const deps = await createDeps(config, logger);
  // Up before the start-up reconcile: /healthz answers at once, /readyz says what is not ready yet.
  const ops = config.ops.port === undefined ? undefined : await startOpsServer(deps, { host: config.ops.host, port: config.ops.port });
  // Reconcile open orders with the broker before taking commands; an exchange outage here must not stop the bot.
  const trading = await tradingOf(deps).catch((error: unknown) => void logger.error({ err: error }, 'trading could not start; trading commands will retry'));
  const runner = createCommandRunner(allCommands, deps);
  const adapters = startAdapters(runner, deps, io);
  const scheduler = config.ops.jobs ? startJobs(jobs, deps, adapters.notifier) : undefined;
  // Breaker transitions raise their alerts at once, on any replica; the leader's alerts job posts them.
  const stopAlertHooks = watchForAlerts(deps, trading ?? undefined, (name) => scheduler?.wake(name));
  logger.info({ store: deps.store.location, adapters: deps.runtime.adapters, jobs: scheduler ? jobs.length : 'off' }, 'tradeops started');

  const end = await new Promise<{ reason: string; exitCode: number }>((resolve) => {
    const onSignal = (signal: string) => {
      io.signals.once(signal, () => {
        logger.error({ signal }, 'second signal: exiting without waiting');
        process.exit(130);
      });
      resolve({ reason: signal, exitCode: 0 });
    };
    io.signals.once('SIGINT', () => onSignal('SIGINT'));
    io.signals.once('SIGTERM', () => onSignal('SIGTERM'));
    void adapters.ended.then(resolve);
  });
  logger.info({ reason: end.reason, inFlight: runner.inFlight }, 'shutting down: no new commands, finishing running ones');
  runner.close();
  stopAlertHooks();
  await scheduler?.stop();
  const drained = await Promise.race([
    Promise.all([runner.drain(), adapters.stop()]).then(() => true),
    new Promise<boolean>((r) => setTimeout(r, config.shutdownTimeoutMs, false).unref()),
  ]);
  if (!drained) logger.error({ inFlight: runner.inFlight }, 'shutdown timeout: commands still running were abandoned');
  await ops?.close();
  await closeDeps(deps);
  logger.info('tradeops stopped');
  logger.flush();
  return drained ? end.exitCode : 1;
}
