import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  HTTPError,
  MessagePayload,
  RateLimitError,
  REST,
  Routes,
  type Client,
} from 'discord.js';
import { uniqueActions, type ActionButtons } from './confirm.js';
import { NotifyError, type Notifier } from './notifier.js';
import { discordPayload, renderDiscord } from './render-discord.js';
import type { Reply } from './reply.js';

/** Discord's limit on a component's custom_id, in characters (we count bytes, which is stricter). */
export const DISCORD_CUSTOM_ID_LIMIT = 100;
const BUTTONS_PER_ROW = 5;
const LABEL_LIMIT = 80;

/** Button rows for a reply's actions, five to a row, at most `maxRows` rows (Discord allows five per message). */
export async function discordActionRows(actions: Reply['actions'], buttons: ActionButtons, maxRows = 5): Promise<Array<ActionRowBuilder<ButtonBuilder>>> {
  const all = await Promise.all(
    uniqueActions(actions)
      .slice(0, maxRows * BUTTONS_PER_ROW)
      .map(async (a) =>
        new ButtonBuilder()
          .setCustomId(await buttons.dataFor(a.line, DISCORD_CUSTOM_ID_LIMIT))
          .setLabel(a.label.slice(0, LABEL_LIMIT))
          .setStyle(ButtonStyle.Primary),
      ),
  );
  const rows: Array<ActionRowBuilder<ButtonBuilder>> = [];
  for (let i = 0; i < all.length; i += BUTTONS_PER_ROW) rows.push(new ActionRowBuilder<ButtonBuilder>().addComponents(all.slice(i, i + BUTTONS_PER_ROW)));
  return rows;
}

/** A REST client that tries each request once and throws on a rate limit instead of waiting: the delivery log retries. */
export function oneAttemptRest(token: string, apiUrl: string | undefined): REST {
  return new REST({ ...(apiUrl ? { api: apiUrl } : {}), retries: 0, rejectOnRateLimit: () => true }).setToken(token);
}

/** What a failed Discord call means for a notification: wait as told (429), try again (5xx, network), or give up. */
export function discordNotifyError(error: unknown): NotifyError {
  if (error instanceof NotifyError) return error;
  if (error instanceof RateLimitError) {
    return new NotifyError(`Discord rate limit on ${error.method.toUpperCase()} ${error.route}${error.global ? ' (global)' : ''}`, false, Math.max(0, error.retryAfter));
  }
  if (error instanceof DiscordAPIError) {
    const what = `Discord answered ${error.status}: ${error.message}`;
    if (error.status === 429) {
      const retryAfterS = (error.rawError as { retry_after?: number }).retry_after;
      return new NotifyError(what, false, retryAfterS === undefined ? undefined : retryAfterS * 1000);
    }
    // A refused bot token (401) is fixed by an admin and a restart, which may come before the notification expires.
    if (error.status === 401 || error.status >= 500) return new NotifyError(what, false);
    // Missing Access, Unknown Channel, Cannot send messages to this user, a message Discord will not take: the same send keeps failing.
    return new NotifyError(what, true);
  }
  if (error instanceof HTTPError) return new NotifyError(`Discord answered ${error.status}: ${error.message}`, false);
  return new NotifyError(`Discord could not be reached: ${error instanceof Error ? error.message : String(error)}`, false);
}

/** Options of {@link discordNotifier}. */
export interface DiscordNotifierOptions {
  /** The gateway client: fetches (and caches) channels by id. */
  readonly client: Client;
  /** Posts the messages; see {@link oneAttemptRest}. */
  readonly rest: REST;
  /** Encodes action buttons; the transport that answers their clicks must use the same one. */
  readonly buttons: ActionButtons;
}

/** Posts a reply to a channel (a server channel or a DM channel): embeds as replies, buttons under the last message. */
async function post(options: DiscordNotifierOptions, channelId: string, reply: Reply): Promise<string> {
  const channel = await options.client.channels.fetch(channelId, { allowUnknownGuild: true });
  if (!channel?.isSendable()) throw new NotifyError(`Discord channel ${channelId} does not take messages (it is not a text channel).`, true);
  const messages = renderDiscord(reply);
  const rows = await discordActionRows(reply.actions, options.buttons);
  let firstId: string | undefined;
  for (const [i, message] of messages.entries()) {
    const components = i === messages.length - 1 ? rows : [];
    const { body, files } = await MessagePayload.create(channel, { ...discordPayload(message), components }).resolveBody().resolveFiles();
    const sent = (await options.rest.post(Routes.channelMessages(channel.id), { body, files: files ?? [] })) as { id: string };
    firstId ??= sent.id;
  }
  return firstId!;
}

/**
 * Sends notifications to Discord channels by id, rendered as replies are. One attempt per send: no retries here (the
 * delivery log retries), failures become NotifyError. The message ref is the id of the first message sent.
 */
export function discordNotifier(options: DiscordNotifierOptions): Notifier {
  return {
    platforms: ['discord'],
    async send(target, reply) {
      try {
        return { messageRef: await post(options, target.chatId, reply) };
      } catch (error) {
        throw discordNotifyError(error);
      }
    },
  };
}
