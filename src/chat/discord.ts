import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  RESTEvents,
  Routes,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import type { Logger } from '../logger.js';
import type { Command } from './command.js';
import { ActionButtons, ConfirmationButtons, type ActionLineStore } from './confirm.js';
import { discordActionRows, discordNotifier, oneAttemptRest } from './discord-notifier.js';
import { commandLineFor, isSymbolOption, optionSpecs, slashCommandFor, suggestSymbols, type OptionSpec } from './discord-options.js';
import { throttleProgress } from './discord-progress.js';
import { discordPayload, renderDiscord, renderDiscordProgress, type DiscordMessage } from './render-discord.js';
import type { Notifier } from './notifier.js';
import type { Reply } from './reply.js';
import type { Caller } from './roles.js';
import type { CommandRunner } from './run-command.js';

/** Where a slash command was used, for deciding whether its answer is private. */
export interface DiscordPlace {
  readonly command: string;
  readonly channelId: string;
  /** Undefined in a direct message. */
  readonly guildId: string | undefined;
}

/** Options of {@link startDiscord}. */
export interface DiscordOptions {
  readonly token: string;
  /** Defaults to the application of the bot token (from READY). */
  readonly applicationId?: string;
  /** The REST API base (DISCORD_API_URL), e.g. `http://127.0.0.1:8082/api`; Discord's own by default. */
  readonly apiUrl?: string;
  readonly logger: Logger;
  /** When set, commands from any other channel get a polite private refusal. */
  readonly allowedChannelIds?: readonly string[];
  /** Registers the commands in this guild only (they appear at once; global ones can take a while). */
  readonly guildId?: string;
  /** Symbols suggested while a user types a `symbol`/`symbols` option; no suggestions when undefined. */
  readonly symbols?: () => readonly string[] | Promise<readonly string[]>;
  /** True when the answer should be visible to the caller only (e.g. account data in a public channel). */
  readonly ephemeral?: (place: DiscordPlace) => boolean;
  /** At most one progress edit per this many ms; default 1500. */
  readonly progressIntervalMs?: number;
  /** How long stop() waits for answers under way; default 10 s. */
  readonly stopTimeoutMs?: number;
  /** Keeps the command lines of action buttons too long to travel in the button (the settings store). */
  readonly actionLines?: ActionLineStore;
}

/** The running Discord transport. */
export interface DiscordAdapter {
  readonly applicationId: string;
  /** Sends notifications to channels by id (one attempt each). */
  readonly notifier: Notifier;
  /** Stops taking interactions, lets answers under way finish (bounded), then disconnects. */
  stop(): Promise<void>;
}

/** An `ephemeral` predicate: the named commands answer privately in guild channels (DMs are private anyway). */
export function privateInGuilds(commandNames: readonly string[]): (place: DiscordPlace) => boolean {
  const names = new Set(commandNames);
  return (place) => place.guildId !== undefined && names.has(place.command);
}

const NO_MENTIONS = { parse: [] as [] };

function memberRoleIds(interaction: Interaction): string[] | undefined {
  const member = interaction.member;
  if (!member) return undefined;
  return Array.isArray(member.roles) ? [...member.roles] : [...member.roles.cache.keys()];
}

/** Connects to Discord, registers one slash command per registry command, and answers them through `runner`. */
export async function startDiscord(runner: CommandRunner, options: DiscordOptions): Promise<DiscordAdapter> {
  const log = options.logger.child({ adapter: 'discord' });
  const commands = new Map<string, { command: Command; specs: OptionSpec[] }>(runner.commands.map((c) => [c.name, { command: c, specs: optionSpecs(c) }]));
  const allowed = options.allowedChannelIds?.length ? new Set(options.allowedChannelIds) : undefined;
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: options.apiUrl ? { api: options.apiUrl } : {} });
  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  client.on(Events.Warn, (message) => log.warn({ message }, 'discord client warning'));
  client.on(Events.ShardError, (error) => log.warn({ err: error }, 'discord gateway connection error'));
  client.rest.on(RESTEvents.RateLimited, (info) =>
    log.warn({ route: info.route, method: info.method, retryAfterMs: info.retryAfter, global: info.global, scope: info.scope }, 'discord rate limit; waiting'),
  );

  /** Runs a send; a failure is logged, never thrown. */
  async function attempt(what: string, context: Record<string, unknown>, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      log.error({ err: error, ...context }, `discord: could not ${what}`);
      return false;
    }
  }

  async function answerCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const channelId = interaction.channelId;
    const context = { interactionId: interaction.id, command: interaction.commandName, userId: interaction.user.id, channelId };
    const refuse = (content: string) => attempt('refuse', context, () => interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS }));
    if (stopping) return void (await refuse('The bot is restarting; try again in a moment.'));
    // The allow-list covers server channels; direct messages are always allowed (roles still apply), as on Telegram.
    if (allowed && interaction.guildId !== null && !allowed.has(channelId)) {
      log.info(context, 'discord: command from a channel not in the allow-list');
      return void (await refuse('Sorry, I do not take commands in this channel. Please use one of the channels set up for me.'));
    }
    const guildId = interaction.guildId ?? undefined;
    const ephemeral = options.ephemeral?.({ command: interaction.commandName, channelId, guildId }) ?? false;
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    // Discord forgets an interaction not acknowledged within 3 s; a command that cannot be answered is not run.
    if (!(await attempt('acknowledge', context, () => interaction.deferReply(flags ? { flags } : {})))) return;

    const values = Object.fromEntries(interaction.options.data.flatMap((o) => (o.value === undefined ? [] : [[o.name, o.value]])));
    const known = commands.get(interaction.commandName);
    const line = known ? commandLineFor(known.command, values) : `/${interaction.commandName}`;
    const groupIds = memberRoleIds(interaction);
    const caller: Caller = { platform: 'discord', userId: interaction.user.id, userName: interaction.user.username, chatId: channelId, ...(groupIds ? { groupIds } : {}), privateChat: !interaction.inGuild() };
    const progress = throttleProgress(async (text) => {
      await attempt('show progress', context, () => interaction.editReply(discordPayload(renderDiscordProgress(text))));
    }, options.progressIntervalMs ?? 1_500);
    const reply = await runner.run(line, caller, { progress: (text) => progress.update(text) });
    await progress.close();
    await deliver(interaction, reply, flags, { ...context, requestId: reply.requestId });
  }

  /** Shows the reply in place of the acknowledgement, the rest of a long one as follow-ups. */
  async function deliver(interaction: ChatInputCommandInteraction | ButtonInteraction, reply: Reply, flags: MessageFlags.Ephemeral | undefined, context: Record<string, unknown>): Promise<void> {
    const confirm = reply.confirm ? [confirmButtons(reply.confirm)] : [];
    const rows = [...confirm, ...(await discordActionRows(reply.actions, actionButtons, 5 - confirm.length))];
    const edit = (message: DiscordMessage) => interaction.editReply({ ...discordPayload(message), components: rows });
    const [first, ...rest] = renderDiscord(reply);
    if (first && !(await attempt('send the reply', context, () => edit(first)))) {
      const ref = reply.requestId ? ` (ref ${reply.requestId.slice(0, 8)})` : '';
      await attempt('send the fallback reply', context, () => edit({ content: `Sorry, I could not show the answer here${ref}.`, embeds: [], files: [] }));
      return;
    }
    for (const message of rest) {
      if (!(await attempt('send a follow-up', context, () => interaction.followUp({ ...discordPayload(message), ...(flags ? { flags } : {}) })))) return;
    }
  }

  async function answerAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const spec = commands.get(interaction.commandName)?.specs.find((s) => s.name === focused.name);
    let choices: Array<{ name: string; value: string }> = [];
    if (spec && options.symbols && isSymbolOption(spec)) {
      try {
        choices = suggestSymbols(await options.symbols(), String(focused.value), spec.variadic);
      } catch (error) {
        log.warn({ err: error }, 'discord: could not list symbols for autocomplete');
      }
    }
    await attempt('answer autocomplete', { interactionId: interaction.id }, () => interaction.respond(choices));
  }

  const confirmations = new ConfirmationButtons();
  const actionButtons = new ActionButtons(options.actionLines);
  function confirmButtons(confirm: NonNullable<Reply['confirm']>) {
    const key = confirmations.offer(confirm);
    return new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId(`cf:${key}`).setLabel('Confirm').setStyle(ButtonStyle.Danger),
      new ButtonBuilder().setCustomId(`cx:${key}`).setLabel('Cancel').setStyle(ButtonStyle.Secondary),
    );
  }

  /** An action click (e.g. Acknowledge) runs the button's command line as the clicker, answered in a new message. */
  async function answerAction(interaction: ButtonInteraction): Promise<void> {
    const context = { interactionId: interaction.id, button: interaction.customId, userId: interaction.user.id, channelId: interaction.channelId };
    const refuse = (content: string) => attempt('refuse a button', context, () => interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS }));
    const line = await actionButtons.lineOf(interaction.customId);
    if (line === undefined) return void (await refuse('This button is no longer active; please type the command instead.'));
    if (stopping) return void (await refuse('The bot is restarting; try again in a moment.'));
    if (allowed && interaction.guildId !== null && !allowed.has(interaction.channelId)) {
      return void (await refuse('Sorry, I do not take commands in this channel. Please use one of the channels set up for me.'));
    }
    const command = /^\/?([^\s@]+)/.exec(line)?.[1]?.toLowerCase() ?? '';
    const ephemeral = options.ephemeral?.({ command, channelId: interaction.channelId, guildId: interaction.guildId ?? undefined }) ?? false;
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    if (!(await attempt('acknowledge a button', context, () => interaction.deferReply(flags ? { flags } : {})))) return;
    const groupIds = memberRoleIds(interaction);
    const caller: Caller = { platform: 'discord', userId: interaction.user.id, userName: interaction.user.username, chatId: interaction.channelId, ...(groupIds ? { groupIds } : {}), privateChat: !interaction.inGuild() };
    const reply = await runner.run(line, caller);
    await deliver(interaction, reply, flags, { ...context, requestId: reply.requestId });
  }

  /** A Confirm click runs the confirmed command line as the clicker; the runner checks the token is theirs. */
  async function answerButton(interaction: ButtonInteraction): Promise<void> {
    if (ActionButtons.isAction(interaction.customId)) return answerAction(interaction);
    const line = /^c[fx]:/.test(interaction.customId) ? confirmations.take(interaction.customId.slice(3)) : undefined;
    const context = { interactionId: interaction.id, button: interaction.customId, userId: interaction.user.id };
    if (line === undefined) {
      await attempt('answer a button', context, () =>
        interaction.reply({ content: 'This control is no longer active; please run the command again.', flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS }),
      );
      return;
    }
    if (interaction.customId.startsWith('cx:')) {
      await attempt('cancel', context, () => interaction.update({ content: 'Cancelled.', embeds: [], components: [] }));
      return;
    }
    if (!(await attempt('acknowledge a button', context, () => interaction.deferUpdate()))) return;
    const groupIds = memberRoleIds(interaction);
    const caller: Caller = { platform: 'discord', userId: interaction.user.id, userName: interaction.user.username, chatId: interaction.channelId, ...(groupIds ? { groupIds } : {}), privateChat: !interaction.inGuild() };
    const reply = await runner.run(line, caller);
    await deliver(interaction, reply, undefined, { ...context, requestId: reply.requestId });
  }

  async function answer(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return answerAutocomplete(interaction);
    if (interaction.isChatInputCommand()) return answerCommand(interaction);
    if (interaction.isButton()) return answerButton(interaction);
    if (interaction.isRepliable()) {
      // Other components from an old message get a hint instead of "interaction failed".
      await attempt('answer a component', { interactionId: interaction.id }, () =>
        interaction.reply({ content: 'This control is no longer active; please run the command again.', flags: MessageFlags.Ephemeral, allowedMentions: NO_MENTIONS }),
      );
    }
  }

  client.on(Events.InteractionCreate, (interaction) => {
    const task = answer(interaction).catch((error: unknown) => log.error({ err: error, interactionId: interaction.id }, 'discord: interaction failed'));
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  });

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  let applicationId: string;
  try {
    await client.login(options.token);
    await ready;
    applicationId = options.applicationId ?? client.application?.id ?? '';
    if (!applicationId) throw new Error('Discord did not say which application the bot token belongs to; set the application id.');
    const body = runner.commands.map((c) => slashCommandFor(c, { autocomplete: options.symbols !== undefined }));
    const route = options.guildId ? Routes.applicationGuildCommands(applicationId, options.guildId) : Routes.applicationCommands(applicationId);
    await client.rest.put(route, { body });
    log.info({ applicationId, commands: body.length, guildId: options.guildId, user: client.user?.tag }, 'discord connected; slash commands registered');
  } catch (error) {
    await client.destroy();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  async function stop(): Promise<void> {
    stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.stopTimeoutMs ?? 10_000).unref()));
    await Promise.race([Promise.allSettled([...inFlight]), timeout]);
    clearTimeout(timer);
    if (inFlight.size > 0) log.warn({ unanswered: inFlight.size }, 'discord: stopping with answers still under way');
    await client.destroy();
    log.info('discord disconnected');
  }

  return {
    applicationId,
    notifier: discordNotifier({ client, rest: oneAttemptRest(options.token, options.apiUrl), buttons: actionButtons }),
    stop: () => (stopped ??= stop()),
  };
}
