import type { Readable, Writable } from 'node:stream';
import { allCommands } from '../commands/index.js';
import { startConsole, localCaller } from './chat/console.js';
import { renderText, replyToJson } from './chat/render-text.js';
import { createCommandRunner } from './chat/run-command.js';
import { loadConfig, readEnvironment, type Config } from './config.js';
import { createDeps } from './deps.js';
import { createLogger, type Logger } from './logger.js';
import { startTelegram, type TelegramAdapter } from './chat/telegram.js';

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
  const logger = rootLogger(config, io, true);
  const deps = await createDeps(config, logger);
  deps.runtime.adapters.push('cli');
  try {
    const runner = createCommandRunner(allCommands, deps);
    const reply = await runner.run(line, localCaller('cli'), { progress: (p) => io.stderr.write(`… ${p}\n`) });
    io.stdout.write(`${json ? JSON.stringify(replyToJson(reply), null, 2) : renderText(reply)}\n`);
    return reply.outcome === 'ok' ? 0 : reply.outcome === 'internal_error' ? 3 : 1;
  } finally {
    await deps.store.close();
  }
}

/** `tradeops start`: the bot process. Resolves with the exit code after a graceful shutdown. */
export async function startBot(io: ProcessIo): Promise<number> {
  const config = loadConfig(readEnvironment(io.env));
  const hasChatToken = config.telegramBotToken !== undefined || config.discordBotToken !== undefined;
  const useConsole = config.console === 'on' || (config.console === 'auto' && !hasChatToken);
  const logger = rootLogger(config, io, useConsole && io.stdin.isTTY === true);
  const deps = await createDeps(config, logger);
  const runner = createCommandRunner(allCommands, deps);
  const telegram: TelegramAdapter | undefined = config.telegramBotToken
    ? startTelegram(runner, {
        token: config.telegramBotToken,
        ...(config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {}),
        ...(config.telegramWebhook ? { webhook: config.telegramWebhook } : {}),
        allowedChatIds: config.telegramAllowedChats,
        logger,
      })
    : undefined;
  if (telegram) deps.runtime.adapters.push('telegram');
  if (config.discordBotToken) logger.warn('DISCORD_BOT_TOKEN is set, but the Discord adapter is not part of this version yet');
  const consoleAdapter = useConsole
    ? startConsole(runner, { input: io.stdin, output: io.stdout, interactive: io.stdin.isTTY === true })
    : undefined;
  if (consoleAdapter) deps.runtime.adapters.push('console');
  logger.info({ store: deps.store.location, adapters: deps.runtime.adapters }, 'tradeops started');

  let exitCode = 0;
  const stopped = new Promise<string>((resolve) => {
    const onSignal = (signal: string) => {
      io.signals.once(signal, () => {
        logger.error({ signal }, 'second signal: exiting without waiting');
        process.exit(130);
      });
      resolve(signal);
    };
    io.signals.once('SIGINT', () => onSignal('SIGINT'));
    io.signals.once('SIGTERM', () => onSignal('SIGTERM'));
    void consoleAdapter?.finished.then(() => resolve('end of console input'));
    telegram?.ready.catch(() => {
      if (consoleAdapter) return;
      exitCode = 2;
      resolve('the Telegram adapter could not start');
    });
  });
  const reason = await stopped;
  logger.info({ reason, inFlight: runner.inFlight }, 'shutting down: no new commands, finishing running ones');
  runner.close();
  consoleAdapter?.stop();
  await telegram?.stop();
  const drained = await Promise.race([
    runner.drain().then(() => true),
    new Promise<boolean>((r) => setTimeout(r, config.shutdownTimeoutMs, false).unref()),
  ]);
  if (!drained) {
    logger.error({ inFlight: runner.inFlight }, 'shutdown timeout: commands still running were abandoned');
    exitCode = 1;
  }
  await deps.store.close();
  logger.info('tradeops stopped');
  logger.flush();
  return exitCode;
}
