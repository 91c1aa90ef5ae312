import { createHash } from 'node:crypto';
import { DelegateBackoff, handleWhen, retry } from 'cockatiel';
import { Telegraf, TelegramError, type Context } from 'telegraf';
import type { InlineKeyboardButton, Message } from 'telegraf/types';
import type { Logger } from '../logger.js';
import { ActionButtons, ConfirmationButtons, type ActionLineStore } from './confirm.js';
import { throttleProgress } from './discord-progress.js';
import type { Notifier } from './notifier.js';
import type { Reply } from './reply.js';
import { renderTelegramPages } from './render-telegram.js';
import type { CommandRunner } from './run-command.js';
import type { Caller } from './roles.js';
import { isTelegramTransient, sendTelegramTail, telegramActionRows, telegramNotifier, telegramRetryAfterMs } from './telegram-notifier.js';

/** How the Telegram transport is set up. */
export interface TelegramOptions {
  readonly token: string;
  /** TELEGRAM_API_ROOT: another Bot API server (self-hosted, or a test server). */
  readonly apiRoot?: string;
  /** Webhook mode (TELEGRAM_WEBHOOK_URL): the public https URL Telegram posts to, and where to listen locally. */
  readonly webhook?: { readonly url: string; readonly host: string; readonly port: number };
  /** Group chats and channels that may use the bot; private chats always may (roles still apply). */
  readonly allowedChatIds: readonly string[];
  readonly logger: Logger;
  /** A reply not ready after this long is acknowledged with a "working" message that is then edited. */
  readonly ackAfterMs?: number;
  /** Progress edits happen at most this often. */
  readonly progressEveryMs?: number;
  /** Replies longer than this many pages are also sent whole as a .txt file. */
  readonly maxPages?: number;
  /** Keeps the command lines of action buttons too long to travel in the button (the settings store). */
  readonly actionLines?: ActionLineStore;
}

/** The running Telegram transport. */
export interface TelegramAdapter {
  /** Resolves once the bot is connected (getMe answered), for tests and /status. */
  readonly ready: Promise<void>;
  /** Sends notifications to chats (one attempt each); usable before `ready`. */
  readonly notifier: Notifier;
  /** Stops receiving updates and waits for replies being sent. */
  stop(): Promise<void>;
}

const PAGE_TTL_MS = 60 * 60_000;
const MAX_PAGED_REPLIES = 500;

/** Telegram's retry_after when it sent one (at most 5 minutes), else exponential backoff with jitter. */
function delayFor(error: unknown, attempt: number): number {
  const retryAfterMs = telegramRetryAfterMs(error);
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 300_000);
  const base = Math.min(30_000, 500 * 2 ** (attempt - 1));
  return base / 2 + (base / 2) * ((attempt * 7919) % 100) / 100;
}

/** Starts the Telegram transport with telegraf: long polling by default, a webhook when configured. */
export function startTelegram(runner: CommandRunner, options: TelegramOptions): TelegramAdapter {
  const log = options.logger.child({ adapter: 'telegram' });
  const bot = new Telegraf(options.token, {
    handlerTimeout: Number.POSITIVE_INFINITY,
    telegram: { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}), webhookReply: false },
  });
  const allowedChats = new Set(options.allowedChatIds);
  const ackAfterMs = options.ackAfterMs ?? 700;
  const progressEveryMs = options.progressEveryMs ?? 1_500;
  const maxPages = options.maxPages ?? 10;
  const pages = new Map<string, { pages: string[]; rows: InlineKeyboardButton[][]; expiresAtMs: number }>();
  const confirmations = new ConfirmationButtons(MAX_PAGED_REPLIES);
  const actionButtons = new ActionButtons(options.actionLines);
  const sending = new Set<Promise<unknown>>();
  const outbound = retry(handleWhen(isTelegramTransient), {
    maxAttempts: 6,
    backoff: new DelegateBackoff((ctx: { attempt: number; result: unknown }) =>
      delayFor((ctx.result as { error?: unknown }).error, ctx.attempt),
    ),
  });
  outbound.onRetry((r) => log.warn({ err: 'error' in r ? r.error : undefined, delayMs: r.delay }, 'Telegram call failed; retrying'));
  const call = <T>(fn: () => Promise<T>) => outbound.execute(fn);

  // The page row comes first; confirmation and action buttons stay under it on every page.
  const keyboard = (index: number, count: number, rows: InlineKeyboardButton[][] = []) => ({
    inline_keyboard: [
      [
        ...(index > 0 ? [{ text: '◀ prev', callback_data: `pg:${index - 1}` }] : []),
        { text: `${index + 1}/${count}`, callback_data: 'pg:noop' },
        ...(index < count - 1 ? [{ text: 'next ▶', callback_data: `pg:${index + 1}` }] : []),
      ],
      ...rows,
    ],
  });

  /** Sends (or shows in place of the acknowledgement) a reply; `replyTo` quotes the message whose button was pressed. */
  async function deliver(chatId: number, reply: Reply, ack: Message.TextMessage | undefined, replyTo?: number): Promise<void> {
    const rendered = renderTelegramPages(reply);
    const paged = rendered.length > 1 && rendered.length <= maxPages;
    const rows = [...(reply.confirm ? confirmRows(reply.confirm) : []), ...(await telegramActionRows(reply.actions, actionButtons))];
    const markup = paged ? keyboard(0, rendered.length, rows) : rows.length > 0 ? { inline_keyboard: rows } : undefined;
    const extra = { parse_mode: 'HTML' as const, ...(markup ? { reply_markup: markup } : {}) };
    const quote = replyTo === undefined ? {} : { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } };
    const first = rendered[0]!;
    const sent = ack
      ? await call(() => bot.telegram.editMessageText(chatId, ack.message_id, undefined, first, extra))
      : await call(() => bot.telegram.sendMessage(chatId, first, { ...extra, ...quote }));
    const messageId = typeof sent === 'object' ? sent.message_id : ack!.message_id;
    if (paged) {
      if (pages.size >= MAX_PAGED_REPLIES) pages.delete(pages.keys().next().value!);
      pages.set(`${chatId}:${messageId}`, { pages: rendered, rows, expiresAtMs: Date.now() + PAGE_TTL_MS });
    }
    const file =
      rendered.length > maxPages
        ? { filename: `reply-${(reply.requestId ?? 'full').slice(0, 8)}.txt`, caption: `The whole reply (${rendered.length} pages) is attached.` }
        : undefined;
    await sendTelegramTail(bot.telegram, chatId, reply, { file, call });
  }

  async function onCommand(ctx: Context & { message: Message.TextMessage }): Promise<void> {
    const { chat, from, text } = ctx.message;
    const chatId = chat.id;
    if (chat.type !== 'private' && !allowedChats.has(String(chatId))) {
      log.warn({ chatId, userId: from.id }, 'command from a chat that is not allowed');
      await call(() =>
        bot.telegram.sendMessage(chatId, `Sorry, this chat is not allowed to use the bot. An admin can add its id (${chatId}) to TELEGRAM_ALLOWED_CHATS.`),
      );
      return;
    }
    const caller: Caller = {
      platform: 'telegram',
      userId: String(from.id),
      userName: from.username ?? from.first_name,
      chatId: String(chatId),
      privateChat: chat.type === 'private',
    };
    let ack: Promise<Message.TextMessage | undefined> | undefined;
    const acknowledge = (text: string) =>
      (ack ??= call(() => bot.telegram.sendMessage(chatId, text)).catch((error: unknown) => {
        log.warn({ err: error }, 'could not acknowledge a slow command');
        return undefined;
      }));
    const name = text.split(/\s/)[0]!.replace(/@\w+$/, '');
    const timer = setTimeout(() => void acknowledge(`⏳ Working on ${name}…`), ackAfterMs);
    // A note is not worth a retry: a failed edit is skipped, and the answer waits for an edit under way so it is not overwritten.
    const progress = throttleProgress(async (note) => {
      const sentBefore = ack !== undefined;
      const message = await acknowledge(note);
      if (message && sentBefore) await bot.telegram.editMessageText(chatId, message.message_id, undefined, note).catch(() => undefined);
    }, progressEveryMs);
    const reply = await runner.run(text, caller, { progress: (note) => progress.update(`⏳ ${name}: ${note}`) });
    clearTimeout(timer);
    await progress.close();
    await deliver(chatId, reply, await ack);
  }

  function confirmRows(confirm: NonNullable<Reply['confirm']>): InlineKeyboardButton[][] {
    const key = confirmations.offer(confirm);
    return [[{ text: '✅ Confirm', callback_data: `cf:${key}` }, { text: '✖ Cancel', callback_data: `cx:${key}` }]];
  }

  /** An action press (e.g. Acknowledge) runs the button's command line as the presser; the answer quotes the message. */
  async function onAction(ctx: Context, data: string): Promise<void> {
    const query = ctx.callbackQuery!;
    const message = query.message;
    const line = message ? await actionButtons.lineOf(data) : undefined;
    const answer = (text?: string) => call(() => bot.telegram.answerCbQuery(query.id, text));
    if (!message || line === undefined) return void (await answer('This button is no longer active; please type the command instead.'));
    const chat = message.chat;
    if (chat.type !== 'private' && !allowedChats.has(String(chat.id))) {
      log.warn({ chatId: chat.id, userId: query.from.id }, 'button press in a chat that is not allowed');
      return void (await answer('Sorry, this chat is not allowed to use the bot.'));
    }
    await answer(`Running ${line}`.slice(0, 200));
    const caller: Caller = {
      platform: 'telegram', userId: String(query.from.id), userName: query.from.username ?? query.from.first_name, chatId: String(chat.id), privateChat: chat.type === 'private',
    };
    const reply = await runner.run(line, caller);
    await deliver(chat.id, reply, undefined, message.message_id);
  }

  /** A Confirm press runs the confirmed command line as the presser; the runner checks the token is theirs. */
  async function onConfirm(ctx: Context, data: string): Promise<void> {
    const query = ctx.callbackQuery!;
    const message = query.message;
    const line = message ? confirmations.take(data.slice(3)) : undefined;
    if (!message || line === undefined) return void (await call(() => bot.telegram.answerCbQuery(query.id, 'This confirmation is no longer active.')));
    await call(() => bot.telegram.answerCbQuery(query.id));
    if (data.startsWith('cx:')) {
      await call(() => bot.telegram.editMessageText(message.chat.id, message.message_id, undefined, 'Cancelled.'));
      return;
    }
    const caller: Caller = {
      platform: 'telegram',
      userId: String(query.from.id),
      userName: query.from.username ?? query.from.first_name,
      chatId: String(message.chat.id),
      privateChat: message.chat.type === 'private',
    };
    const reply = await runner.run(line, caller);
    await deliver(message.chat.id, reply, message as Message.TextMessage);
  }

  async function onPage(ctx: Context, data: string): Promise<void> {
    const message = ctx.callbackQuery?.message;
    const id = ctx.callbackQuery!.id;
    if (data === 'pg:noop' || !message) return void (await call(() => bot.telegram.answerCbQuery(id)));
    const entry = pages.get(`${message.chat.id}:${message.message_id}`);
    const index = Number(data.slice(3));
    if (!entry || entry.expiresAtMs < Date.now() || !(index >= 0 && index < entry.pages.length)) {
      await call(() => bot.telegram.answerCbQuery(id, 'These pages expired; run the command again.'));
      return;
    }
    await call(() => bot.telegram.answerCbQuery(id));
    await call(() =>
      bot.telegram.editMessageText(message.chat.id, message.message_id, undefined, entry.pages[index]!, {
        parse_mode: 'HTML',
        reply_markup: keyboard(index, entry.pages.length, entry.rows),
      }),
    );
  }

  const track = (work: Promise<unknown>) => {
    const tracked = work.catch((error: unknown) => log.error({ err: error }, 'Telegram reply failed'));
    sending.add(tracked);
    void tracked.finally(() => sending.delete(tracked));
  };
  // Handlers do not await the command: polling goes on fetching updates while slow commands run.
  bot.on('text', (ctx) => {
    if (ctx.message.text.startsWith('/')) track(onCommand(ctx));
    else if (ctx.chat.type === 'private') track(call(() => ctx.reply('Commands start with /. Try /help.')));
  });
  bot.on('callback_query', (ctx) => {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : '';
    if (data.startsWith('pg:')) track(onPage(ctx, data));
    else if (data.startsWith('cf:') || data.startsWith('cx:')) track(onConfirm(ctx, data));
    else if (ActionButtons.isAction(data)) track(onAction(ctx, data));
    else track(call(() => ctx.answerCbQuery('This button is no longer active.')));
  });
  bot.catch((error) => log.error({ err: error }, 'Telegram update handler failed'));

  let stopped = false;
  const ready = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          const launchOptions = options.webhook
            ? {
                webhook: {
                  domain: new URL(options.webhook.url).host,
                  path: new URL(options.webhook.url).pathname,
                  host: options.webhook.host,
                  port: options.webhook.port,
                  secretToken: createHash('sha256').update(options.token).digest('hex').slice(0, 48),
                },
              }
            : {};
          bot.launch(launchOptions, () => resolve()).then(() => resolve(), reject);
        });
        await call(() =>
          bot.telegram.setMyCommands(
            runner.commands.map((c) => ({ command: c.name, description: c.summary.slice(0, 256) })),
          ),
        );
        log.info({ username: bot.botInfo?.username, mode: options.webhook ? 'webhook' : 'polling' }, 'Telegram connected');
        return;
      } catch (error) {
        if (error instanceof TelegramError && error.code === 401) {
          log.error('Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized); the Telegram adapter is off');
          throw error;
        }
        const delayMs = Math.min(60_000, 1_000 * 2 ** (attempt - 1));
        log.error({ err: error, delayMs }, 'cannot reach Telegram; retrying');
        await new Promise((r) => setTimeout(r, delayMs).unref());
      }
    }
  })();
  ready.catch(() => undefined);

  return {
    ready,
    notifier: telegramNotifier(bot.telegram, { buttons: actionButtons, maxPages }),
    async stop() {
      stopped = true;
      try {
        bot.stop('shutdown');
      } catch {
        // not running yet: nothing to stop
      }
      while (sending.size > 0) await Promise.allSettled([...sending]);
    },
  };
}
