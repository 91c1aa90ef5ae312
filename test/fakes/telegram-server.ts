import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Telegram user or chat as the Bot API sends them. */
export interface TgUser {
  readonly id: number;
  readonly username?: string;
  readonly first_name?: string;
}
export interface TgChat {
  readonly id: number;
  readonly type: 'private' | 'group' | 'supergroup' | 'channel';
  readonly title?: string;
}

/** A message the bot sent, as it stands now (after edits), with its history of texts. */
export interface BotMessage {
  readonly chatId: number;
  readonly messageId: number;
  readonly kind: 'text' | 'photo' | 'document';
  text: string;
  parseMode: string | undefined;
  replyMarkup: { inline_keyboard?: Array<Array<{ text: string; callback_data?: string }>> } | undefined;
  readonly history: string[];
  readonly file?: { readonly filename: string; readonly bytes: Uint8Array };
  /** The message this one quotes (`reply_parameters.message_id`). */
  readonly replyTo?: number;
  /** When the server received it, `performance.now()` ms (for latency figures). */
  readonly atMs?: number;
}

/** One Bot API call the bot made. */
export interface ApiCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly atMs: number;
}

/**
 * How a call fails: 429 with retry_after, a 5xx, a refusal such as 400 chat not found or 403 bot blocked, a dropped
 * connection, or no answer at all (until the client gives up or the server closes).
 */
export type Fault =
  | { status: 429; retryAfterS: number }
  | { status: 500 | 502 | 503 }
  | { status: 400 | 403; description: string }
  | { status: 'drop' }
  | { status: 'hang' };

/**
 * A local Telegram Bot API server for tests: the real telegraf client talks to it over HTTP
 * (`POST /bot<token>/<method>`, JSON or multipart), it queues updates that tests push, long-polls getUpdates
 * with offsets, records everything the bot sends, and can fail chosen calls (429 with retry_after, 5xx).
 */
export class FakeTelegramServer {
  readonly calls: ApiCall[] = [];
  readonly messages: BotMessage[] = [];
  readonly callbackAnswers: Array<{ id: string; text: string | undefined }> = [];
  commands: Array<{ command: string; description: string }> = [];
  webhook: { url: string; secretToken: string | undefined } | undefined;
  private readonly server: Server;
  private readonly queue: unknown[] = [];
  private readonly waiting = new Set<() => void>();
  private readonly watchers = new Set<() => void>();
  private readonly faults = new Map<string, Fault[]>();
  private nextUpdateId = 1;
  private nextMessageId = new Map<number, number>();
  private closed = false;

  private constructor(readonly token: string) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Starts a server on 127.0.0.1 with a random port. */
  static async start(token = '123456:TEST_token_abcdefghijklmnop'): Promise<FakeTelegramServer> {
    const fake = new FakeTelegramServer(token);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The value for telegraf's `apiRoot` (TELEGRAM_API_ROOT). */
  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues a text message from a user, marking a leading /command as telegraf expects. Returns its update id. */
  sendText(from: TgUser, chat: TgChat, text: string): number {
    const command = /^\/\S+/.exec(text);
    const message = {
      message_id: this.allocateMessageId(chat.id),
      date: Math.floor(Date.now() / 1000),
      from: { is_bot: false, first_name: from.first_name ?? from.username ?? 'user', ...from },
      chat,
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    };
    return this.push({ message });
  }

  /** Queues an inline-button press on a message the bot sent. */
  pressButton(from: TgUser, message: BotMessage, data: string): number {
    const callback_query = {
      id: `cb${this.nextUpdateId}`,
      from: { is_bot: false, first_name: from.username ?? 'user', ...from },
      chat_instance: 'ci',
      data,
      message: { message_id: message.messageId, date: 0, chat: { id: message.chatId, type: message.chatId < 0 ? 'supergroup' : 'private' }, text: message.text },
    };
    return this.push({ callback_query });
  }

  /** Makes the next `count` calls of `method` fail in the given way. */
  fail(method: string, count: number, fault: Fault): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), ...Array<Fault>(count).fill(fault)]);
  }

  /** Messages in one chat, oldest first. */
  messagesIn(chatId: number): BotMessage[] {
    return this.messages.filter((m) => m.chatId === chatId);
  }

  /** Resolves when `predicate` holds (checked after every API call), or rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (value !== undefined && value !== false) {
          this.watchers.delete(check);
          clearTimeout(timer);
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms; last calls: ${JSON.stringify(this.calls.slice(-5))}`));
      }, timeoutMs);
      this.watchers.add(check);
      check();
    });
  }

  /** Waits for the bot's answer in a chat: the next message after the ones present now whose text passes `done`. */
  async reply(chatId: number, since: number, done: (m: BotMessage) => boolean = () => true, timeoutMs?: number): Promise<BotMessage> {
    return this.waitFor(() => this.messagesIn(chatId).slice(since).find(done), timeoutMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private push(update: Record<string, unknown>): number {
    const update_id = this.nextUpdateId++;
    this.queue.push({ update_id, ...update });
    for (const wake of this.waiting) wake();
    return update_id;
  }

  private allocateMessageId(chatId: number): number {
    const id = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, id);
    return id;
  }

  private async readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': type }, body }).formData();
      const params: Record<string, unknown> = {};
      for (const [key, value] of form.entries()) {
        params[key] =
          typeof value === 'string'
            ? value
            : { filename: value.name, bytes: new Uint8Array(await value.arrayBuffer()) };
      }
      return params;
    }
    if (body.length === 0) return {};
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url?.split('?')[0] ?? '');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
      for (const watcher of [...this.watchers]) watcher();
    };
    if (!match) return send(404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== this.token) return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = match[2]!;
    const params = await this.readParams(req);
    this.calls.push({ method, params, atMs: Date.now() });
    const fault = this.faults.get(method)?.shift();
    if (fault?.status === 'drop') return void req.socket.destroy();
    if (fault?.status === 'hang') return;
    if (fault?.status === 429) {
      return send(429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${fault.retryAfterS}`,
        parameters: { retry_after: fault.retryAfterS },
      });
    }
    if (fault) {
      const description = 'description' in fault ? fault.description : 'Internal Server Error';
      return send(fault.status, { ok: false, error_code: fault.status, description });
    }
    try {
      const result = await this.answer(method, params);
      send(200, { ok: true, result });
    } catch (error) {
      const { code, description } = error as { code: number; description: string };
      send(code, { ok: false, error_code: code, description });
    }
  }

  private async answer(method: string, params: Record<string, unknown>): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return { id: 999, is_bot: true, first_name: 'TradeOps', username: 'TradeOpsBot', can_join_groups: true };
      case 'deleteWebhook':
        this.webhook = undefined;
        return true;
      case 'setWebhook':
        this.webhook = { url: String(params.url), secretToken: params.secret_token as string | undefined };
        return true;
      case 'setMyCommands':
        this.commands = params.commands as typeof this.commands;
        return true;
      case 'getUpdates':
        return this.getUpdates(params);
      case 'sendMessage':
        return this.record('text', params, String(params.text));
      case 'sendPhoto':
        return this.record('photo', params, String(params.caption ?? ''), params.photo);
      case 'sendDocument':
        return this.record('document', params, String(params.caption ?? ''), params.document);
      case 'editMessageText': {
        const message = this.messages.find((m) => m.chatId === Number(params.chat_id) && m.messageId === Number(params.message_id));
        if (!message) throw { code: 400, description: 'Bad Request: message to edit not found' };
        const markup = parseMarkup(params.reply_markup);
        if (message.text === params.text && JSON.stringify(message.replyMarkup) === JSON.stringify(markup)) {
          throw { code: 400, description: 'Bad Request: message is not modified' };
        }
        message.text = String(params.text);
        message.parseMode = params.parse_mode as string | undefined;
        message.replyMarkup = markup;
        message.history.push(message.text);
        return this.asTelegramMessage(message);
      }
      case 'answerCallbackQuery':
        this.callbackAnswers.push({ id: String(params.callback_query_id), text: params.text as string | undefined });
        return true;
      case 'sendChatAction':
        return true;
      default:
        throw { code: 404, description: `Not Found: method ${method} is not served by the test server` };
    }
  }

  private getUpdates(params: Record<string, unknown>): Promise<unknown[]> {
    const offset = Number(params.offset ?? 0);
    const limit = Number(params.limit ?? 100);
    const timeoutS = Number(params.timeout ?? 0);
    // Updates below the offset are confirmed: Telegram forgets them.
    while (this.queue.length > 0 && (this.queue[0] as { update_id: number }).update_id < offset) this.queue.shift();
    const ready = () => this.queue.slice(0, limit);
    if (this.queue.length > 0 || timeoutS === 0 || this.closed) return Promise.resolve(ready());
    return new Promise((resolve) => {
      const wake = () => {
        this.waiting.delete(wake);
        clearTimeout(timer);
        resolve(ready());
      };
      const timer = setTimeout(wake, Math.min(timeoutS, 2) * 1000);
      this.waiting.add(wake);
    });
  }

  private record(kind: BotMessage['kind'], params: Record<string, unknown>, text: string, file?: unknown): unknown {
    const chatId = Number(params.chat_id);
    if (!Number.isFinite(chatId)) throw { code: 400, description: 'Bad Request: chat not found' };
    if (kind === 'text' && text.length > 4096) throw { code: 400, description: 'Bad Request: message is too long' };
    if (kind === 'text' && text.trim() === '') throw { code: 400, description: 'Bad Request: message text is empty' };
    if (kind !== 'text' && parsedLength(text, params.parse_mode) > 1024) throw { code: 400, description: 'Bad Request: message caption is too long' };
    const quoted = typeof params.reply_parameters === 'string' ? (JSON.parse(params.reply_parameters) as unknown) : params.reply_parameters;
    const replyTo = (quoted as { message_id?: number } | undefined)?.message_id;
    const message: BotMessage = {
      chatId,
      messageId: this.allocateMessageId(chatId),
      kind,
      text,
      parseMode: params.parse_mode as string | undefined,
      replyMarkup: parseMarkup(params.reply_markup),
      history: [text],
      atMs: performance.now(),
      ...(file && typeof file === 'object' ? { file: file as BotMessage['file'] & object } : {}),
      ...(replyTo === undefined ? {} : { replyTo }),
    };
    this.messages.push(message);
    return this.asTelegramMessage(message);
  }

  private asTelegramMessage(m: BotMessage): unknown {
    return { message_id: m.messageId, date: Math.floor(Date.now() / 1000), chat: { id: m.chatId, type: 'private' }, text: m.text };
  }
}

/** A caption's length as Telegram counts it: after HTML tags and entities are parsed (a cut entity stays as literal text). */
function parsedLength(text: string, parseMode: unknown): number {
  return parseMode === 'HTML' ? text.replace(/<[^>]*>/g, '').replace(/&(?:amp|lt|gt|quot|#\d+|#x[\da-f]+);/gi, '&').length : text.length;
}

function parseMarkup(markup: unknown): BotMessage['replyMarkup'] {
  if (markup === undefined) return undefined;
  return (typeof markup === 'string' ? JSON.parse(markup) : markup) as BotMessage['replyMarkup'];
}
