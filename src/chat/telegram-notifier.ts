import { TelegramError, type Telegram } from 'telegraf';
import type { InlineKeyboardButton } from 'telegraf/types';
import { uniqueActions, type ActionButtons } from './confirm.js';
import { NotifyError, type Notifier } from './notifier.js';
import type { Reply } from './reply.js';
import { renderTelegramPages, telegramCaption, TELEGRAM_CAPTION_LIMIT } from './render-telegram.js';
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

/** True for Bot API failures worth retrying: Telegram's 429 and 5xx, and network errors (no answer, a dropped connection). */
export function isTelegramTransient(error: unknown): boolean {
  if (error instanceof TelegramError) return error.code === 429 || error.code >= 500;
  const name = (error as { name?: string } | undefined)?.name;
  const code = (error as { code?: string } | undefined)?.code;
  return name === 'FetchError' || name === 'AbortError' || (typeof code === 'string' && /^E[A-Z]+/.test(code));
}

/** The wait Telegram asked for (a 429's retry_after), in milliseconds, when it sent one. */
export function telegramRetryAfterMs(error: unknown): number | undefined {
  const retryAfterS = error instanceof TelegramError ? error.parameters?.retry_after : undefined;
  return retryAfterS === undefined ? undefined : retryAfterS * 1000;
}

/** What a failed Bot API call means for a notification: wait as told (429), try again (5xx, network), or give up (400, 403). */
export function telegramNotifyError(error: unknown): NotifyError {
  if (!(error instanceof TelegramError)) {
    const reason = error instanceof Error ? error.message : String(error);
    // Anything but a network failure is a fault on our side, not the chat's: not permanent, and the delivery expires anyway.
    return new NotifyError(isTelegramTransient(error) ? `Telegram could not be reached: ${reason}` : `Telegram send failed: ${reason}`, false);
  }
  const what = `Telegram answered ${error.code}: ${error.description}`;
  if (isTelegramTransient(error)) return new NotifyError(what, false, telegramRetryAfterMs(error));
  // A refused bot token (401) is fixed by an admin and a restart, which may come before the notification expires.
  if (error.code === 401) return new NotifyError(what, false);
  // Chat not found, bot blocked or removed, a message Telegram will not take: the same send keeps failing.
  return new NotifyError(what, true);
}

/** How the tail of a reply is sent: the reply path retries each call, the notifier makes one attempt within a deadline. */
export interface TelegramTailOptions {
  /** The whole reply as a .txt file (it has too many pages to send or page through): the file's name and caption. */
  readonly file?: { readonly filename: string; readonly caption: string };
  /** Wraps each Bot API call; one plain attempt when absent. */
  readonly call?: <T>(send: () => Promise<T>) => Promise<T>;
  /** Aborts the calls (the notifier's deadline). */
  readonly signal?: CallOptions['signal'];
}

/** Sends what follows a reply's text messages: the whole text as a .txt file when asked, then the image as a photo. */
export async function sendTelegramTail(telegram: Telegram, chatId: number | string, reply: Reply, options: TelegramTailOptions): Promise<void> {
  const call = options.call ?? ((send) => send());
  const callOptions = { signal: options.signal };
  const file = options.file;
  if (file) {
    const document = { source: Buffer.from(renderText(reply), 'utf8'), filename: file.filename };
    await call(() => telegram.callApi('sendDocument', { chat_id: chatId, document, caption: file.caption }, callOptions));
  }
  const image = reply.image;
  if (image) {
    const photo = { source: Buffer.from(image.png), filename: image.filename };
    await call(() => telegram.callApi('sendPhoto', { chat_id: chatId, photo, caption: telegramCaption(image.alt), parse_mode: 'HTML' }, callOptions));
  }
}

/** Sends a reply to a chat: pages of HTML (actions under the last), a long one also as .txt, the image as a photo. */
async function post(telegram: Telegram, chatId: string, reply: Reply, options: TelegramNotifierOptions): Promise<number> {
  // telegraf types the signal as its polyfill's; node-fetch takes the built-in one.
  const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000) as unknown as CallOptions['signal'];
  const pages = renderTelegramPages(reply);
  const rows = await telegramActionRows(reply.actions, options.buttons);
  const markup = rows.length > 0 ? { reply_markup: { inline_keyboard: rows } } : {};
  const image = reply.image;
  if (image && pages.length === 1 && pages[0]!.length <= TELEGRAM_CAPTION_LIMIT) {
    const photo = { source: Buffer.from(image.png), filename: image.filename };
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
  const file = whole ? { filename: 'notification.txt', caption: `The whole message (${pages.length} pages) is attached.` } : undefined;
  await sendTelegramTail(telegram, chatId, reply, { file, signal });
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
