import { TelegramError, type Telegram } from 'telegraf';
import type { InlineKeyboardButton } from 'telegraf/types';
import { uniqueActions, type ActionButtons } from './confirm.js';
import { NotifyError, type Notifier } from './notifier.js';
import type { Reply } from './reply.js';
import { escapeHtml, renderTelegramPages, TELEGRAM_CAPTION_LIMIT } from './render-telegram.js';
import { renderText } from './render-text.js';

type CallOptions = NonNullable<Parameters<Telegram['callApi']>[2]>;

/** Telegram's limit on a button's callback data, in bytes. */
export const TELEGRAM_CALLBACK_DATA_LIMIT = 64;

/** Options of {@link telegramNotifier}. */
export interface TelegramNotifierOptions {
  /** Encodes action buttons; the transport that answers their presses must use the same one. */
  readonly buttons: ActionButtons;
  /** A message longer than this many pages is sent as its first page plus the whole text as a .txt file. */
  readonly maxPages?: number;
  /** A send not answered within this long fails (transient), so one stuck connection cannot hold up every delivery; 30 s. */
  readonly timeoutMs?: number;
}

/** Inline keyboard rows for a reply's actions, three buttons to a row. */
export async function telegramActionRows(actions: Reply['actions'], buttons: ActionButtons): Promise<InlineKeyboardButton[][]> {
  const all = await Promise.all(
    uniqueActions(actions).map(async (a) => ({ text: a.label, callback_data: await buttons.dataFor(a.line, TELEGRAM_CALLBACK_DATA_LIMIT) })),
  );
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < all.length; i += 3) rows.push(all.slice(i, i + 3));
  return rows;
}

/** What a failed Bot API call means for a notification: wait as told (429), try again (5xx, network), or give up (400, 403). */
export function telegramNotifyError(error: unknown): NotifyError {
  if (!(error instanceof TelegramError)) {
    return new NotifyError(`Telegram could not be reached: ${error instanceof Error ? error.message : String(error)}`, false);
  }
  const what = `Telegram answered ${error.code}: ${error.description}`;
  if (error.code === 429) {
    const retryAfterS = error.parameters?.retry_after;
    return new NotifyError(what, false, retryAfterS === undefined ? undefined : retryAfterS * 1000);
  }
  // A refused bot token (401) is fixed by an admin and a restart, which may come before the notification expires.
  if (error.code >= 500 || error.code === 401) return new NotifyError(what, false);
  // Chat not found, bot blocked or removed, a message Telegram will not take: the same send keeps failing.
  return new NotifyError(what, true);
}

/** Text as an HTML caption, shortened so that no escape sequence is cut. */
function captionOf(text: string): string {
  let raw = text;
  while (escapeHtml(raw).length > TELEGRAM_CAPTION_LIMIT) raw = raw.slice(0, raw.length - Math.ceil((escapeHtml(raw).length - TELEGRAM_CAPTION_LIMIT) / 5));
  return escapeHtml(raw);
}

/** Sends a reply to a chat: pages of HTML (actions under the last), a long one also as .txt, the image as a photo. */
async function post(telegram: Telegram, chatId: string, reply: Reply, options: TelegramNotifierOptions): Promise<number> {
  // telegraf types the signal as its polyfill's; node-fetch takes the built-in one.
  const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000) as unknown as CallOptions['signal'];
  const pages = renderTelegramPages(reply);
  const rows = await telegramActionRows(reply.actions, options.buttons);
  const markup = rows.length > 0 ? { reply_markup: { inline_keyboard: rows } } : {};
  const image = reply.image;
  const photo = image && { source: Buffer.from(image.png), filename: image.filename };
  if (photo && pages.length === 1 && pages[0]!.length <= TELEGRAM_CAPTION_LIMIT) {
    return (await telegram.callApi('sendPhoto', { chat_id: chatId, photo, caption: pages[0]!, parse_mode: 'HTML', ...markup }, { signal })).message_id;
  }
  const whole = pages.length > (options.maxPages ?? 10);
  const texts = whole ? pages.slice(0, 1) : pages;
  let firstId: number | undefined;
  for (const [i, page] of texts.entries()) {
    const counter = texts.length > 1 ? `\n<i>(${i + 1}/${texts.length})</i>` : '';
    const last = i === texts.length - 1;
    const sent = await telegram.callApi('sendMessage', { chat_id: chatId, text: page + counter, parse_mode: 'HTML', ...(last ? markup : {}) }, { signal });
    firstId ??= sent.message_id;
  }
  if (whole) {
    const document = { source: Buffer.from(renderText(reply), 'utf8'), filename: 'notification.txt' };
    await telegram.callApi('sendDocument', { chat_id: chatId, document, caption: `The whole message (${pages.length} pages) is attached.` }, { signal });
  }
  if (photo) {
    await telegram.callApi('sendPhoto', { chat_id: chatId, photo, caption: captionOf(image.alt), parse_mode: 'HTML' }, { signal });
  }
  return firstId!;
}

/**
 * Sends notifications through the Bot API (telegraf's callApi, for the timeout), rendered as replies are. One attempt per send: no retries here (the
 * delivery log retries), failures become NotifyError. The message ref is the id of the first message sent.
 */
export function telegramNotifier(telegram: Telegram, options: TelegramNotifierOptions): Notifier {
  return {
    platforms: ['telegram'],
    async send(target, reply) {
      try {
        return { messageRef: String(await post(telegram, target.chatId, reply, options)) };
      } catch (error) {
        throw telegramNotifyError(error);
      }
    },
  };
}
