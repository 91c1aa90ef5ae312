import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** A Discord user as the fake sends it in interactions. */
export interface FakeUser {
  readonly id: string;
  readonly username: string;
  readonly globalName?: string;
}

/** A file that came with a message, from a multipart body. */
export interface FakeAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
  readonly description: string | undefined;
}

/** A message as the fake stored it: the original response of an interaction or a follow-up. */
export interface FakeMessage {
  readonly id: string;
  readonly content: string;
  readonly embeds: ReadonlyArray<Record<string, any>>;
  readonly attachments: readonly FakeAttachment[];
  readonly flags: number;
  readonly ephemeral: boolean;
  /** Action rows of buttons, as the bot sent them. */
  readonly components: ReadonlyArray<{ type: number; components: Array<{ type: number; custom_id?: string; label?: string }> }>;
}

/** Everything the bot did with one interaction. */
export interface InteractionState {
  /** Interaction callbacks in order (`type` 4 reply, 5 deferred, 8 autocomplete result …). */
  readonly callbacks: Array<{ type: number; data: Record<string, any> | undefined }>;
  deferred: boolean;
  ephemeral: boolean;
  /** The original response as it stands now. */
  original: FakeMessage | undefined;
  /** Every version of the original response, oldest first (progress edits, then the final one). */
  readonly history: FakeMessage[];
  readonly followups: FakeMessage[];
  /** Autocomplete choices the bot answered with. */
  choices: Array<{ name: string; value: string | number }> | undefined;
}

/** A dispatched interaction: its id and token, and ways to wait for what the bot does with it. */
export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  readonly state: InteractionState;
  /** Resolves with the state once `predicate` holds; rejects after `timeoutMs` with what was seen. */
  until(predicate: (state: InteractionState) => boolean, timeoutMs?: number): Promise<InteractionState>;
  /** The first original response that carries embeds or files (the rendered reply), or an immediate reply. */
  final(timeoutMs?: number): Promise<FakeMessage>;
}

/** One REST request the fake received and how it answered. */
export interface RestCall {
  readonly method: string;
  /** Path under `/api/v10`, e.g. `/interactions/1/tok/callback`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
  /** The JSON body (for multipart, the parsed `payload_json`). */
  readonly body: unknown;
  readonly files: readonly FakeAttachment[];
  readonly authorization: string | undefined;
  readonly atMs: number;
}

/** Where an interaction happens: a guild channel (with the member's role ids) or a DM. */
export interface InteractionPlace {
  readonly channelId?: string;
  readonly guildId?: string;
  readonly memberRoles?: readonly string[];
}

/** A failure the fake answers with instead of serving a request. */
export interface InjectedFailure {
  readonly method?: string;
  /** Matches the path under `/api/v10`. */
  readonly path: RegExp;
  readonly times?: number;
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>> | (() => Record<string, string>);
}

/** A channel the bot can be asked to post in: a server text channel or a DM channel with a user. */
export interface FakeChannel {
  readonly id: string;
  /** `text` (a server channel, the default), `dm`, or `voice` (takes no messages). */
  readonly kind?: 'text' | 'dm' | 'voice';
  readonly guildId?: string;
  /** The other side of a DM channel. */
  readonly recipient?: FakeUser;
  /** The bot was removed or lost access: reading or posting gives 403 Missing Access. */
  readonly forbidden?: boolean;
}

/** Options of {@link startDiscordServer}. */
export interface DiscordServerOptions {
  /** The only bot token accepted (REST `Authorization: Bot …` and IDENTIFY); any token when undefined. */
  readonly token?: string;
  readonly applicationId?: string;
  readonly botUser?: FakeUser;
  readonly heartbeatIntervalMs?: number;
  /** Real Discord forgets an interaction not acknowledged within 3 s; a negative value expires every one at once. */
  readonly interactionTimeoutMs?: number;
}

/** A local server speaking Discord's REST API v10 and gateway, enough for discord.js 14. */
export interface DiscordServer {
  /** Give this to discord.js as `rest.api` (DISCORD_API_URL), e.g. `http://127.0.0.1:41234/api`. */
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly calls: readonly RestCall[];
  /** Commands registered globally (`PUT /applications/{id}/commands`). */
  readonly registeredCommands: ReadonlyArray<Record<string, any>>;
  readonly guildCommands: ReadonlyMap<string, ReadonlyArray<Record<string, any>>>;
  readonly gateway: {
    /** Open gateway connections. */
    readonly connections: number;
    readonly identifies: ReadonlyArray<Record<string, any>>;
    readonly heartbeats: number;
    /** Close codes of the connections the client closed. */
    readonly closeCodes: readonly number[];
  };
  /** Resolves when a client has identified and been sent READY. */
  ready(timeoutMs?: number): Promise<void>;
  /** Dispatches a slash command; option types come from the registered command when known. */
  slash(user: FakeUser, name: string, options?: Record<string, string | number | boolean>, place?: InteractionPlace): InteractionHandle;
  /** Dispatches an autocomplete request with `focused` being typed; resolves with the choices. */
  autocomplete(user: FakeUser, name: string, options: Record<string, string | number>, focused: string, place?: InteractionPlace): Promise<Array<{ name: string; value: string | number }>>;
  /** Dispatches a button click on a message the bot sent. */
  click(user: FakeUser, customId: string, place?: InteractionPlace): InteractionHandle;
  /** Answers matching requests with a 429 like Discord's, `times` times. */
  rateLimit(match: { method?: string; path: RegExp; times?: number; retryAfterMs: number; global?: boolean }): void;
  /** Answers matching requests with an error status, `times` times. */
  fail(failure: InjectedFailure): void;
  /** Requests whose path matches. */
  callsTo(method: string, path: RegExp): RestCall[];
  /** Makes a channel known (GET /channels/{id}, POST /channels/{id}/messages); replaces one with the same id. */
  addChannel(channel: FakeChannel): void;
  /** Messages the bot posted in a channel, oldest first. */
  channelMessages(channelId: string): FakeMessage[];
  close(): Promise<void>;
}

const DEFAULT_BOT: FakeUser = { id: '900000000000000001', username: 'tradeops-bot' };
const OPTION_TYPE = { string: 3, integer: 4, boolean: 5, number: 10 } as const;
const EPHEMERAL = 1 << 6;
const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

let snowflakeCounter = 0n;
function snowflake(): string {
  return (((BigInt(Date.now()) - 1_420_070_400_000n) << 22n) + (snowflakeCounter++ % 4096n)).toString();
}

function apiUser(user: FakeUser, bot = false): Record<string, unknown> {
  return { id: user.id, username: user.username, global_name: user.globalName ?? null, discriminator: '0', avatar: null, bot, public_flags: 0 };
}

/** Discord's own checks on a command list, so a bad registration fails here as it would in production. */
function commandProblems(commands: unknown): string[] {
  if (!Array.isArray(commands)) return ['body must be an array'];
  const problems: string[] = [];
  if (commands.length > 100) problems.push('more than 100 commands');
  for (const c of commands as Array<Record<string, any>>) {
    const where = `command ${String(c.name)}`;
    if (typeof c.name !== 'string' || !NAME.test(c.name) || c.name !== c.name.toLowerCase()) problems.push(`${where}: bad name`);
    if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 100) problems.push(`${where}: description must be 1-100 chars`);
    const options = (c.options ?? []) as Array<Record<string, any>>;
    if (options.length > 25) problems.push(`${where}: more than 25 options`);
    let optionalSeen = false;
    for (const o of options) {
      const at = `${where} option ${String(o.name)}`;
      if (typeof o.name !== 'string' || !NAME.test(o.name) || o.name !== o.name.toLowerCase()) problems.push(`${at}: bad name`);
      if (typeof o.description !== 'string' || o.description.length < 1 || o.description.length > 100) problems.push(`${at}: description must be 1-100 chars`);
      if (!Object.values(OPTION_TYPE).includes(o.type)) problems.push(`${at}: unexpected type ${String(o.type)}`);
      if (o.required && optionalSeen) problems.push(`${at}: required options must come before optional ones`);
      if (!o.required) optionalSeen = true;
      if (o.choices && o.autocomplete) problems.push(`${at}: choices and autocomplete are exclusive`);
      if (o.choices && o.choices.length > 25) problems.push(`${at}: more than 25 choices`);
    }
  }
  return problems;
}

/** Discord's limits on a message body. */
function messageProblems(body: Record<string, any>): string[] {
  const problems: string[] = [];
  if (typeof body.content === 'string' && body.content.length > 2000) problems.push('content longer than 2000');
  const embeds = (body.embeds ?? []) as Array<Record<string, any>>;
  if (embeds.length > 10) problems.push('more than 10 embeds');
  let total = 0;
  embeds.forEach((e, i) => {
    const len = (s: unknown) => (typeof s === 'string' ? s.length : 0);
    if (len(e.title) > 256) problems.push(`embeds.${i}.title longer than 256`);
    if (len(e.description) > 4096) problems.push(`embeds.${i}.description longer than 4096`);
    if (len(e.footer?.text) > 2048) problems.push(`embeds.${i}.footer longer than 2048`);
    const fields = (e.fields ?? []) as Array<Record<string, any>>;
    if (fields.length > 25) problems.push(`embeds.${i} has more than 25 fields`);
    fields.forEach((f, j) => {
      if (len(f.name) > 256 || len(f.value) > 1024) problems.push(`embeds.${i}.fields.${j} too long`);
      total += len(f.name) + len(f.value);
    });
    const hasContent = e.title || e.description || fields.length || e.image || e.footer;
    if (!hasContent) problems.push(`embeds.${i} is empty`);
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
  });
  if (total > 6000) problems.push(`embeds total ${total} characters, more than 6000`);
  const rows = (body.components ?? []) as Array<{ components?: Array<Record<string, any>> }>;
  if (rows.length > 5) problems.push('more than 5 action rows');
  const ids = new Set<string>();
  rows.forEach((row, i) => {
    if ((row.components ?? []).length > 5) problems.push(`components.${i} has more than 5 buttons`);
    for (const button of row.components ?? []) {
      const id = button.custom_id as string | undefined;
      if (id !== undefined && (id.length < 1 || id.length > 100)) problems.push(`custom_id "${id}" must be 1-100 characters`);
      if (id !== undefined && ids.has(id)) problems.push(`custom_id "${id}" is used twice`);
      if (id !== undefined) ids.add(id);
      if (typeof button.label === 'string' && button.label.length > 80) problems.push('button label longer than 80');
    }
  });
  return problems;
}

async function readBody(req: IncomingMessage): Promise<{ json: unknown; files: FakeAttachment[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { json: undefined, files: [] };
  if (!type.startsWith('multipart/form-data')) return { json: JSON.parse(raw.toString('utf8')) as unknown, files: [] };
  const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
  const payload = form.get('payload_json');
  const json = (typeof payload === 'string' ? JSON.parse(payload) : {}) as Record<string, any>;
  const described = (json.attachments ?? []) as Array<{ id: string | number; description?: string }>;
  const files: FakeAttachment[] = [];
  for (const [key, value] of form.entries()) {
    const match = /^files\[(\d+)\]$/.exec(key);
    if (!match || typeof value === 'string') continue;
    const description = described.find((a) => String(a.id) === match[1])?.description;
    files.push({ filename: value.name, contentType: value.type, data: Buffer.from(await value.arrayBuffer()), description });
  }
  return { json, files };
}

/** Starts the fake on 127.0.0.1 at a random port. */
export async function startDiscordServer(options: DiscordServerOptions = {}): Promise<DiscordServer> {
  const applicationId = options.applicationId ?? '900000000000000002';
  const bot = options.botUser ?? DEFAULT_BOT;
  const calls: RestCall[] = [];
  let registered: Array<Record<string, any>> = [];
  const guildCommands = new Map<string, Array<Record<string, any>>>();
  const failures: Array<InjectedFailure & { left: number }> = [];
  const channels = new Map<string, FakeChannel>();
  const posted = new Map<string, FakeMessage[]>();
  const interactions = new Map<string, { id: string; channelId: string; state: InteractionState; createdAtMs: number; notify: () => void }>();
  const sockets = new Set<WebSocket>();
  const identified = new Set<WebSocket>();
  const identifies: Array<Record<string, any>> = [];
  const closeCodes: number[] = [];
  const readyWaiters: Array<() => void> = [];
  let heartbeats = 0;
  let sequence = 0;
  let base = '';

  const authorized = (auth: string | undefined) =>
    auth !== undefined && /^Bot \S+$/.test(auth) && (options.token === undefined || auth === `Bot ${options.token}`);

  function storeMessage(body: Record<string, any>, files: FakeAttachment[], id = snowflake()): FakeMessage {
    const flags = Number(body.flags ?? 0);
    return { id, content: String(body.content ?? ''), embeds: body.embeds ?? [], attachments: files, flags, ephemeral: (flags & EPHEMERAL) !== 0, components: body.components ?? [] };
  }

  function apiMessage(message: FakeMessage, channelId: string): Record<string, unknown> {
    return {
      id: message.id,
      type: 19,
      channel_id: channelId,
      author: apiUser(bot, true),
      content: message.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: message.attachments.map((a, i) => ({ id: String(i), filename: a.filename, size: a.data.length, url: `${base}/attachments/${a.filename}`, proxy_url: `${base}/attachments/${a.filename}`, content_type: a.contentType })),
      embeds: message.embeds,
      pinned: false,
      flags: message.flags,
      components: [],
      webhook_id: applicationId,
      application_id: applicationId,
    };
  }

  function apiChannel(channel: FakeChannel): Record<string, unknown> {
    if (channel.kind === 'dm') return { id: channel.id, type: 1, last_message_id: null, flags: 0, recipients: channel.recipient ? [apiUser(channel.recipient)] : [] };
    const guild_id = channel.guildId ?? '800000000000000001';
    return { id: channel.id, type: channel.kind === 'voice' ? 2 : 0, guild_id, name: `channel-${channel.id.slice(-4)}`, position: 0, permission_overwrites: [], nsfw: false, parent_id: null, flags: 0, rate_limit_per_user: 0 };
  }

  function channelRequest(method: string, id: string, messages: boolean, json: any, files: FakeAttachment[]): { status: number; body?: unknown } {
    const channel = channels.get(id);
    if (!channel) return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
    if (channel.forbidden) return { status: 403, body: { message: 'Missing Access', code: 50001 } };
    if (!messages && method === 'GET') return { status: 200, body: apiChannel(channel) };
    if (!messages || method !== 'POST') return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } };
    if (channel.kind === 'voice') return { status: 400, body: { message: 'Cannot send messages in a non-text channel', code: 50008 } };
    const problems = messageProblems(json ?? {});
    if (problems.length) return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: problems } };
    const message = storeMessage(json ?? {}, files);
    posted.set(id, [...(posted.get(id) ?? []), message]);
    const { webhook_id: _webhook, application_id: _application, ...data } = apiMessage(message, id);
    return { status: 200, body: { ...data, type: 0 } };
  }

  type Handler = (req: { method: string; path: string; query: URLSearchParams; json: any; files: FakeAttachment[]; auth: string | undefined }) => { status: number; body?: unknown; headers?: Record<string, string> };

  const handle: Handler = ({ method, path, query, json, files, auth }) => {
    const needsAuth = !path.startsWith('/interactions/') && !path.startsWith('/webhooks/');
    if (needsAuth && !authorized(auth)) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    if (method === 'GET' && path === '/gateway/bot') {
      return { status: 200, body: { url: base.replace(/^http/, 'ws'), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } } };
    }
    if (method === 'GET' && path === '/gateway') return { status: 200, body: { url: base.replace(/^http/, 'ws') } };
    if (method === 'GET' && path === '/users/@me') return { status: 200, body: apiUser(bot, true) };
    if (method === 'GET' && path === '/applications/@me') return { status: 200, body: { id: applicationId, name: bot.username, flags: 0, bot_public: true } };
    const commandsPath = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path);
    if (commandsPath) {
      if (commandsPath[1] !== applicationId) return { status: 403, body: { message: 'Missing Access', code: 50001 } };
      const guildId = commandsPath[2];
      if (method === 'GET') return { status: 200, body: guildId ? (guildCommands.get(guildId) ?? []) : registered };
      if (method !== 'PUT') return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } };
      const problems = commandProblems(json);
      if (problems.length) return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: problems } };
      const stored = (json as Array<Record<string, any>>).map((c) => ({ ...c, id: snowflake(), application_id: applicationId, type: c.type ?? 1, version: snowflake(), ...(guildId ? { guild_id: guildId } : {}) }));
      if (guildId) guildCommands.set(guildId, stored);
      else registered = stored;
      return { status: 200, body: stored };
    }
    const channelPath = /^\/channels\/(\d+)(\/messages)?$/.exec(path);
    if (channelPath) return channelRequest(method, channelPath[1]!, channelPath[2] !== undefined, json, files);
    const callback = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    if (callback && method === 'POST') {
      const entry = interactions.get(callback[2]!);
      if (!entry || entry.id !== callback[1]) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
      const timeoutMs = options.interactionTimeoutMs ?? 3_000;
      if (entry.state.callbacks.length === 0 && Date.now() - entry.createdAtMs > timeoutMs) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
      if (entry.state.callbacks.length > 0) return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
      const body = json as { type: number; data?: Record<string, any> };
      if (body.type === 4 && body.data) {
        const problems = messageProblems(body.data);
        if (problems.length) return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: problems } };
      }
      const { state } = entry;
      state.callbacks.push({ type: body.type, data: body.data });
      const flags = Number(body.data?.flags ?? 0);
      if (body.type === 5) {
        state.deferred = true;
        state.ephemeral = (flags & EPHEMERAL) !== 0;
      } else if (body.type === 4) {
        state.ephemeral = (flags & EPHEMERAL) !== 0;
        state.original = storeMessage(body.data ?? {}, files);
        state.history.push(state.original);
      } else if (body.type === 8) {
        state.choices = body.data?.choices ?? [];
      } else if (body.type === 6) {
        // DEFERRED_UPDATE_MESSAGE: a component click acknowledged; the message is edited later through the webhook.
        state.deferred = true;
      } else if (body.type === 7 && body.data) {
        // UPDATE_MESSAGE: a component click answered by editing the message it was on.
        state.original = storeMessage(body.data, files);
        state.history.push(state.original);
      }
      entry.notify();
      return query.get('with_response') === 'true' ? { status: 200, body: { interaction: { id: entry.id, type: 2 } } } : { status: 204 };
    }
    const webhook = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(@original|\d+))?$/.exec(path);
    if (webhook) {
      const entry = interactions.get(webhook[2]!);
      if (webhook[1] !== applicationId || !entry) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
      const { state } = entry;
      if (state.callbacks.length === 0) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
      const { channelId } = entry;
      if (method === 'GET' && webhook[3] === '@original') {
        return state.original ? { status: 200, body: apiMessage(state.original, channelId) } : { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      }
      if (method === 'PATCH' && webhook[3]) {
        const problems = messageProblems(json ?? {});
        if (problems.length) return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: problems } };
        const previous = webhook[3] === '@original' ? state.original : state.followups.find((m) => m.id === webhook[3]);
        const merged = storeMessage(
          { content: previous?.content, embeds: previous?.embeds, components: previous?.components, flags: state.ephemeral ? EPHEMERAL : 0, ...json },
          files.length || json?.attachments ? files : [...(previous?.attachments ?? [])],
          previous?.id,
        );
        if (webhook[3] === '@original') {
          state.original = merged;
          state.history.push(merged);
        } else if (previous) {
          state.followups[state.followups.indexOf(previous)] = merged;
        } else {
          return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
        }
        entry.notify();
        return { status: 200, body: apiMessage(merged, channelId) };
      }
      if (method === 'POST' && !webhook[3]) {
        const problems = messageProblems(json ?? {});
        if (problems.length) return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: problems } };
        const message = storeMessage(json ?? {}, files);
        state.followups.push(message);
        entry.notify();
        return { status: 200, body: apiMessage(message, channelId) };
      }
    }
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  };

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? 'GET';
      const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
      const auth = req.headers.authorization;
      let answer: ReturnType<Handler>;
      let body: { json: unknown; files: FakeAttachment[] } = { json: undefined, files: [] };
      try {
        body = await readBody(req);
        const failure = failures.find((f) => f.left > 0 && f.path.test(path) && (f.method === undefined || f.method === method));
        if (!url.pathname.startsWith('/api/v10/')) answer = { status: 404, body: { message: '404: Not Found', code: 0 } };
        else if (failure) {
          failure.left--;
          const headers = typeof failure.headers === 'function' ? failure.headers() : { ...failure.headers };
          answer = { status: failure.status, body: failure.body ?? { message: `${failure.status}`, code: 0 }, headers };
        } else answer = handle({ method, path, query: url.searchParams, json: body.json, files: body.files, auth });
      } catch (error) {
        answer = { status: 400, body: { message: `400: Bad Request (${(error as Error).message})`, code: 50109 } };
      }
      calls.push({ method, path, query: Object.fromEntries(url.searchParams), status: answer.status, body: body.json, files: body.files, authorization: auth, atMs: Date.now() });
      const headers: Record<string, string> = { ...answer.headers };
      // A 204 carries no content-type: discord.js would try to parse an empty JSON body otherwise.
      if (answer.body !== undefined) headers['content-type'] = 'application/json';
      res.writeHead(answer.status, headers);
      res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    })();
  });

  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket, req) => {
    sockets.add(socket);
    const params = new URL(req.url ?? '/', 'http://fake').searchParams;
    if (params.get('v') !== '10' || params.get('encoding') !== 'json') {
      socket.close(4012, 'Invalid API version');
      return;
    }
    const send = (payload: Record<string, unknown>) => socket.send(JSON.stringify(payload));
    socket.on('close', (code) => {
      sockets.delete(socket);
      identified.delete(socket);
      closeCodes.push(code);
    });
    socket.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; d: any };
      if (payload.op === 1) {
        heartbeats++;
        send({ op: 11 });
      } else if (payload.op === 2) {
        if (options.token !== undefined && payload.d?.token !== options.token) {
          socket.close(4004, 'Authentication failed.');
          return;
        }
        identifies.push(payload.d);
        identified.add(socket);
        const sessionId = randomBytes(8).toString('hex');
        send({
          op: 0,
          s: ++sequence,
          t: 'READY',
          d: { v: 10, user: apiUser(bot, true), guilds: [], session_id: sessionId, resume_gateway_url: base.replace(/^http/, 'ws'), shard: payload.d?.shard, application: { id: applicationId, flags: 0 } },
        });
        readyWaiters.splice(0).forEach((resolve) => resolve());
      } else if (payload.op === 6) {
        identified.add(socket);
        send({ op: 0, s: ++sequence, t: 'RESUMED', d: {} });
      }
    });
    send({ op: 10, d: { heartbeat_interval: options.heartbeatIntervalMs ?? 41_250 } });
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  function dispatch(type: number, user: FakeUser, data: Record<string, unknown>, place: InteractionPlace, extra: Record<string, unknown> = {}): InteractionHandle {
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb24.${randomBytes(24).toString('base64url')}`;
    const state: InteractionState = { callbacks: [], deferred: false, ephemeral: false, original: undefined, history: [], followups: [], choices: undefined };
    const waiters = new Set<() => void>();
    const guildId = place.guildId ?? (place.memberRoles ? '800000000000000001' : undefined);
    const channelId = place.channelId ?? '700000000000000001';
    interactions.set(token, { id, channelId, state, createdAtMs: Date.now(), notify: () => waiters.forEach((w) => w()) });
    const who = guildId
      ? { guild_id: guildId, guild: { id: guildId, locale: 'en-US', features: [] }, guild_locale: 'en-US', member: { user: apiUser(user), roles: [...(place.memberRoles ?? [])], permissions: '1024', joined_at: '2025-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0, nick: null, avatar: null, pending: false } }
      : { user: apiUser(user) };
    const d = {
      id,
      application_id: applicationId,
      type,
      token,
      version: 1,
      channel_id: channelId,
      channel: guildId ? { id: channelId, type: 0, guild_id: guildId, name: 'general', flags: 0 } : { id: channelId, type: 1, flags: 0, recipients: [apiUser(user)] },
      app_permissions: '2248473465835073',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: guildId ? { '0': guildId } : { '1': user.id },
      context: guildId ? 0 : 1,
      attachment_size_limit: 10_485_760,
      data,
      ...who,
      ...extra,
    };
    for (const socket of identified) socket.send(JSON.stringify({ op: 0, s: ++sequence, t: 'INTERACTION_CREATE', d }));
    const until = (predicate: (s: InteractionState) => boolean, timeoutMs = 5_000) =>
      new Promise<InteractionState>((resolve, reject) => {
        const check = () => {
          if (!predicate(state)) return;
          cleanup();
          resolve(state);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`interaction ${id}: condition not met in ${timeoutMs} ms; state: ${JSON.stringify(state, (k, v) => (k === 'data' && Buffer.isBuffer(v) ? `<${v.length} bytes>` : v))}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    return {
      id,
      token,
      state,
      until,
      async final(timeoutMs) {
        const done = await until((s) => s.original !== undefined && (!s.deferred || s.original.embeds.length > 0 || s.original.attachments.length > 0), timeoutMs);
        return done.original!;
      },
    };
  }

  function typedOptions(name: string, values: Record<string, string | number | boolean>, focused?: string) {
    const command = registered.find((c) => c.name === name) ?? [...guildCommands.values()].flat().find((c) => c.name === name);
    const declared = (command?.options ?? []) as Array<{ name: string; type: number }>;
    const inferred = (v: unknown) => (typeof v === 'boolean' ? OPTION_TYPE.boolean : typeof v === 'number' ? OPTION_TYPE.number : OPTION_TYPE.string);
    const options = Object.entries(values).map(([key, value]) => ({
      name: key,
      type: declared.find((o) => o.name === key)?.type ?? inferred(value),
      value,
      ...(key === focused ? { focused: true } : {}),
    }));
    return { id: command?.id ?? snowflake(), name, type: 1, options, ...(command?.guild_id ? { guild_id: command.guild_id } : {}) };
  }

  return {
    apiUrl: `${base}/api`,
    gatewayUrl: base.replace(/^http/, 'ws'),
    applicationId,
    calls,
    get registeredCommands() {
      return registered;
    },
    guildCommands,
    gateway: {
      get connections() {
        return sockets.size;
      },
      identifies,
      get heartbeats() {
        return heartbeats;
      },
      closeCodes,
    },
    ready(timeoutMs = 5_000) {
      if (identified.size > 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no client identified in ${timeoutMs} ms`)), timeoutMs);
        readyWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    slash(user, name, values = {}, place = {}) {
      return dispatch(2, user, typedOptions(name, values), place);
    },
    async autocomplete(user, name, values, focused, place = {}) {
      const handle = dispatch(4, user, typedOptions(name, values, focused), place);
      const state = await handle.until((s) => s.choices !== undefined);
      return state.choices!;
    },
    click(user, customId, place = {}) {
      const message = { ...apiMessage(storeMessage({ content: 'earlier reply' }, []), place.channelId ?? '700000000000000001'), components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Go', custom_id: customId }] }] };
      return dispatch(3, user, { custom_id: customId, component_type: 2 }, place, { message });
    },
    rateLimit({ method, path, times = 1, retryAfterMs, global = false }) {
      const seconds = (retryAfterMs / 1000).toFixed(3);
      failures.push({
        method,
        path,
        left: times,
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: retryAfterMs / 1000, global },
        headers: () => ({
          'retry-after': seconds,
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': ((Date.now() + retryAfterMs) / 1000).toFixed(3),
          'x-ratelimit-reset-after': seconds,
          'x-ratelimit-bucket': 'fakebucket',
          'x-ratelimit-scope': global ? 'global' : 'user',
          ...(global ? { 'x-ratelimit-global': 'true' } : {}),
        }),
      });
    },
    fail(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    callsTo(method, path) {
      return calls.filter((c) => c.method === method && path.test(c.path));
    },
    addChannel(channel) {
      channels.set(channel.id, channel);
    },
    channelMessages(channelId) {
      return posted.get(channelId) ?? [];
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The text a reader sees in a message: content, embed titles, descriptions, fields and footers, and .txt files. */
export function messageText(message: FakeMessage): string {
  return [
    message.content,
    ...message.embeds.flatMap((e) => [e.title, e.description, ...((e.fields ?? []) as Array<Record<string, unknown>>).flatMap((f) => [f.name, f.value]), e.footer?.text]),
    ...message.attachments.filter((a) => a.filename.endsWith('.txt')).map((a) => a.data.toString('utf8')),
  ]
    .filter((t): t is string => typeof t === 'string' && t !== '')
    .join('\n');
}

/** The whole answer to an interaction as text: the original response, then the follow-ups. */
export function answerText(state: InteractionState): string {
  return [state.original, ...state.followups].flatMap((m) => (m ? [messageText(m)] : [])).join('\n');
}
