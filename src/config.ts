import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { ConfigError } from './errors.js';

/** Chat roles, weakest first. */
export const ROLES = ['viewer', 'trader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A platform user or group that is granted a role: `telegram:123`, `discord:456`, `discord-role:789`. */
export interface Grant {
  readonly platform: 'telegram' | 'discord' | 'discord-role' | 'console';
  readonly id: string;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const grantList = z
  .string()
  .default('')
  .transform((text, ctx): Grant[] => {
    const grants: Grant[] = [];
    for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const match = /^(telegram|discord|discord-role|console):([A-Za-z0-9_.-]+)$/.exec(item);
      if (!match) {
        ctx.addIssue({
          code: 'custom',
          message: `"${item}" is not PLATFORM:ID (platform one of telegram, discord, discord-role, console)`,
        });
        continue;
      }
      grants.push({ platform: match[1] as Grant['platform'], id: match[2]! });
    }
    return grants;
  });

const idList = z
  .string()
  .default('')
  .transform((text) => text.split(',').map((s) => s.trim()).filter(Boolean))
  .refine((ids) => ids.every((id) => /^-?\d+$/.test(id)), { message: 'must be comma-separated numeric ids' });

const databaseUrl = z
  .string()
  .default('sqlite:./data/tradeops.db')
  .refine((url) => /^(sqlite:|mongodb:\/\/|mongodb\+srv:\/\/)/.test(url), {
    message: 'must start with sqlite: (e.g. sqlite:./data/tradeops.db) or mongodb:// or mongodb+srv://',
  });

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
  .refine((v) => v === undefined || URL.canParse(v), { message: 'must be a URL such as http://127.0.0.1:8081' });

/** The schema over the environment: every variable tradeops reads, with its default. */
export const envSchema = z.object({
  DATABASE_URL: databaseUrl,
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  ADMIN_USERS: grantList,
  TRADER_USERS: grantList,
  VIEWER_USERS: grantList,
  CONSOLE: z.enum(['auto', 'on', 'off']).default('auto'),
  TELEGRAM_BOT_TOKEN: optionalSecret.refine((v) => v === undefined || /^\d+:[A-Za-z0-9_-]{20,}$/.test(v), {
    message: 'does not look like a Telegram bot token (digits, a colon, then 20+ letters, digits, _ or -; from @BotFather)',
  }),
  TELEGRAM_API_ROOT: optionalUrl,
  TELEGRAM_WEBHOOK_URL: optionalUrl.refine((v) => v === undefined || v.startsWith('https://'), {
    message: 'must be the public https:// URL Telegram will post updates to',
  }),
  TELEGRAM_WEBHOOK_HOST: z.string().default('0.0.0.0'),
  TELEGRAM_WEBHOOK_PORT: z.coerce.number().int().min(1).max(65_535).default(8443),
  TELEGRAM_ALLOWED_CHATS: idList,
  DISCORD_BOT_TOKEN: optionalSecret,
  DISCORD_API_URL: optionalUrl,
  DISCORD_APPLICATION_ID: z.string().regex(/^\d*$/, 'must be a numeric application id').default(''),
  DISCORD_GUILD_ID: z.string().regex(/^\d*$/, 'must be a numeric server (guild) id').default(''),
  DISCORD_ALLOWED_CHANNELS: idList,
  DISCORD_PRIVATE_COMMANDS: z
    .string()
    .default('whoami')
    .transform((text) => text.split(',').map((s) => s.trim().replace(/^\//, '').toLowerCase()).filter(Boolean)),
  EXCHANGE: z
    .string()
    .regex(/^[a-z0-9]+$/, 'must be a ccxt exchange id such as binance, kraken or coinbase')
    .default('binance'),
  EXCHANGE_API_URL: optionalUrl,
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
});

/** Typed, frozen configuration. */
export interface Config {
  readonly databaseUrl: string;
  readonly mongoServerSelectionTimeoutMs: number;
  readonly logLevel: (typeof LOG_LEVELS)[number] | undefined;
  readonly grants: Readonly<Record<Role, readonly Grant[]>>;
  readonly console: 'auto' | 'on' | 'off';
  readonly telegramBotToken: string | undefined;
  readonly telegramApiRoot: string | undefined;
  readonly telegramWebhook: { readonly url: string; readonly host: string; readonly port: number } | undefined;
  readonly telegramAllowedChats: readonly string[];
  readonly discordBotToken: string | undefined;
  readonly discordApiUrl: string | undefined;
  readonly discordApplicationId: string | undefined;
  readonly discordGuildId: string | undefined;
  readonly discordAllowedChannels: readonly string[];
  readonly discordPrivateCommands: readonly string[];
  readonly exchange: string;
  readonly exchangeApiUrl: string | undefined;
  readonly rateLimitPerMinute: number;
  readonly shutdownTimeoutMs: number;
}

/** Names of the config fields that hold secrets; they are redacted from logs and never shown in chat. */
export const SECRET_CONFIG_KEYS = ['telegramBotToken', 'discordBotToken'] as const;

/** Reads `.env` (when present) under the given environment: real environment variables win. */
export function readEnvironment(env: NodeJS.ProcessEnv, dotenvPath = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  return { ...fromFile, ...env };
}

/** Validates the environment into a Config, or throws a ConfigError that lists every problem at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.') || 'environment';
        const value = env[name];
        const shown = value === undefined || /TOKEN|SECRET|KEY|PASSWORD/.test(name) ? '' : ` (got "${value}")`;
        return `${name}${shown}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    mongoServerSelectionTimeoutMs: e.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    grants: Object.freeze({ admin: e.ADMIN_USERS, trader: e.TRADER_USERS, viewer: e.VIEWER_USERS }),
    console: e.CONSOLE,
    telegramBotToken: e.TELEGRAM_BOT_TOKEN,
    telegramApiRoot: e.TELEGRAM_API_ROOT,
    telegramWebhook: e.TELEGRAM_WEBHOOK_URL
      ? Object.freeze({ url: e.TELEGRAM_WEBHOOK_URL, host: e.TELEGRAM_WEBHOOK_HOST, port: e.TELEGRAM_WEBHOOK_PORT })
      : undefined,
    telegramAllowedChats: e.TELEGRAM_ALLOWED_CHATS,
    discordBotToken: e.DISCORD_BOT_TOKEN,
    discordApiUrl: e.DISCORD_API_URL,
    discordApplicationId: e.DISCORD_APPLICATION_ID || undefined,
    discordGuildId: e.DISCORD_GUILD_ID || undefined,
    discordAllowedChannels: e.DISCORD_ALLOWED_CHANNELS,
    discordPrivateCommands: e.DISCORD_PRIVATE_COMMANDS,
    exchange: e.EXCHANGE,
    exchangeApiUrl: e.EXCHANGE_API_URL,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  });
}

/** The database URL with any password replaced by `***`, safe to log or show. */
export function redactUrl(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
