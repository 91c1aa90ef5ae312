import type { Readable, Writable } from 'node:stream';
import type { Deps } from '../deps.js';
import type { DeliveryTarget } from '../store/types.js';
import { consoleNotifier, startConsole } from './console.js';
import { privateInGuilds, startDiscord } from './discord.js';
import { combineNotifiers, type Notifier } from './notifier.js';
import type { CommandRunner } from './run-command.js';
import { startTelegram } from './telegram.js';

/** The chat transports running in this process. */
export interface RunningAdapters {
  /** Resolves with a reason when the bot should stop on its own: console input ended, or no transport could start. */
  readonly ended: Promise<{ reason: string; exitCode: number }>;
  /** Sends notifications through the transports running now; `platforms` lists them (Discord once connected). */
  readonly notifier: Notifier;
  stop(): Promise<void>;
}

/**
 * Starts every configured transport over one runner: Telegram and Discord when their tokens are set, the console
 * when asked for or when no token is set. A transport that fails never stops the others.
 */
export function startAdapters(
  runner: CommandRunner,
  deps: Deps,
  io: { stdin: Readable & { isTTY?: boolean }; stdout: Writable },
): RunningAdapters {
  const { config, logger } = deps;
  const names = deps.runtime.adapters;
  const hasChatToken = config.telegramBotToken !== undefined || config.discordBotToken !== undefined;
  const stops: Array<() => Promise<void>> = [];
  const reachable = new Map<DeliveryTarget['platform'], Notifier>();
  let stopping = false;
  let live = 0;
  let endWith: (end: { reason: string; exitCode: number }) => void = () => undefined;
  const ended = new Promise<{ reason: string; exitCode: number }>((resolve) => (endWith = resolve));
  const lost = (name: 'telegram' | 'discord') => {
    reachable.delete(name);
    names.splice(names.indexOf(name), 1);
    if (--live === 0) endWith({ reason: `no chat transport is running (${name} could not start)`, exitCode: 2 });
  };

  if (config.console === 'on' || (config.console === 'auto' && !hasChatToken)) {
    const adapter = startConsole(runner, { input: io.stdin, output: io.stdout, interactive: io.stdin.isTTY === true });
    names.push('console');
    reachable.set('console', consoleNotifier(io.stdout));
    live++;
    stops.push(async () => adapter.stop());
    void adapter.finished.then(() => endWith({ reason: 'end of console input', exitCode: 0 }));
  }
  if (config.telegramBotToken) {
    const telegram = startTelegram(runner, {
      token: config.telegramBotToken,
      ...(config.telegramApiRoot ? { apiRoot: config.telegramApiRoot } : {}),
      ...(config.telegramWebhook ? { webhook: config.telegramWebhook } : {}),
      allowedChatIds: config.telegramAllowedChats,
      actionLines: deps.store.settings,
      logger,
    });
    names.push('telegram');
    reachable.set('telegram', telegram.notifier);
    live++;
    stops.push(() => telegram.stop());
    telegram.ready.catch(() => lost('telegram'));
  }
  if (config.discordBotToken) {
    names.push('discord');
    live++;
    const discord = startDiscord(runner, {
      token: config.discordBotToken,
      ...(config.discordApiUrl ? { apiUrl: config.discordApiUrl } : {}),
      ...(config.discordApplicationId ? { applicationId: config.discordApplicationId } : {}),
      ...(config.discordGuildId ? { guildId: config.discordGuildId } : {}),
      allowedChannelIds: config.discordAllowedChannels,
      ephemeral: privateInGuilds(config.discordPrivateCommands),
      symbols: async () => (await deps.market.exchange.listMarkets()).filter((m) => m.active).map((m) => m.symbol),
      actionLines: deps.store.settings,
      logger,
    });
    void discord.then((adapter) => !stopping && reachable.set('discord', adapter.notifier), () => undefined);
    discord.catch((error: unknown) => {
      logger.error({ err: error }, 'the Discord transport could not start');
      lost('discord');
    });
    stops.push(async () => (await discord.catch(() => undefined))?.stop());
  }
  return {
    ended,
    notifier: combineNotifiers(reachable),
    async stop() {
      stopping = true;
      reachable.clear();
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
}
