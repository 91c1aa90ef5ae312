import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
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

/** A non-negative decimal amount as text (money and amounts stay exact: no float parsing). */
const DECIMAL_TEXT = /^\d+(\.\d+)?$/;

/** A limit: empty means the default, `off` disables it, otherwise a positive decimal. */
const decimalLimit = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim().toLowerCase()))
    .refine((v) => v === 'off' || (DECIMAL_TEXT.test(v) && Number(v) > 0), { message: 'must be a positive number, or off' })
    .transform((v) => (v === 'off' ? undefined : v));

/** A whole-number limit: empty means the default, `off` disables it. */
const countLimit = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v.trim().toLowerCase()))
    .refine((v) => v === 'off' || (/^\d+$/.test(v) && Number(v) > 0), { message: 'must be a positive whole number, or off' })
    .transform((v) => (v === 'off' ? undefined : Number(v)));

const feeRate = z
  .string()
  .default('0.001')
  .refine((v) => DECIMAL_TEXT.test(v.trim()) && Number(v) < 0.1, { message: 'must be a fraction such as 0.001 (0.1 %), below 0.1' })
  .transform((v) => v.trim());

const startingBalances = z
  .string()
  .default('USDT=10000')
  .transform((text, ctx): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const match = /^([A-Za-z0-9]{1,20})=(\d+(?:\.\d+)?)$/.exec(item);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not ASSET=AMOUNT (e.g. USDT=10000,BTC=0.5)` });
        continue;
      }
      out[match[1]!.toUpperCase()] = match[2]!;
    }
    return out;
  });

const symbolList = z
  .string()
  .default('')
  .transform((text) => text.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean))
  .refine((list) => list.every((s) => /^[A-Z0-9]+\/[A-Z0-9]+$/.test(s)), { message: 'must be comma-separated BASE/QUOTE symbols, e.g. BTC/USDT,ETH/USDT' });

/** True when `tz` is an IANA time zone this Node knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

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
    .default('whoami,positions,balance,pnl,trades,orders')
    .transform((text) => text.split(',').map((s) => s.trim().replace(/^\//, '').toLowerCase()).filter(Boolean)),
  EXCHANGE: z
    .string()
    .regex(/^[a-z0-9]+$/, 'must be a ccxt exchange id such as binance, kraken or coinbase')
    .default('binance'),
  EXCHANGE_API_URL: optionalUrl,
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(15_000),
  TRADING_MODE: z.enum(['paper', 'live']).default('paper'),
  QUOTE_ASSET: z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'must be an asset code such as USDT').default('USDT').transform((v) => v.toUpperCase()),
  EXCHANGE_API_KEY: optionalSecret,
  EXCHANGE_API_SECRET: optionalSecret,
  PAPER_STARTING_BALANCE: startingBalances,
  PAPER_SLIPPAGE_BPS: z.coerce.number().min(0).max(1_000).default(5),
  TAKER_FEE_RATE: feeRate,
  MAKER_FEE_RATE: feeRate,
  MAX_QUOTE_AGE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  MAX_ORDER_NOTIONAL: decimalLimit('1000'),
  MAX_POSITION_NOTIONAL: decimalLimit('2500'),
  MAX_OPEN_POSITIONS: countLimit(5),
  MAX_TOTAL_EXPOSURE: decimalLimit('5000'),
  DAILY_LOSS_LIMIT: decimalLimit('250'),
  MAX_DRAWDOWN_PCT: decimalLimit('10'),
  COOLDOWN_LOSSES: countLimit(3),
  COOLDOWN_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  BREAKER_LOSS_STREAK: countLimit(5),
  BREAKER_MAX_ERROR_RATE: z.coerce.number().gt(0).max(1).default(0.5),
  ALLOWED_SYMBOLS: symbolList,
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
  OPS_PORT: z
    .string()
    .default('9464')
    .transform((v) => v.trim().toLowerCase())
    .refine((v) => v === 'off' || (/^\d+$/.test(v) && Number(v) <= 65_535), { message: 'must be a port number (0 = any free port), or off' })
    .transform((v) => (v === 'off' ? undefined : Number(v))),
  JOBS: z.enum(['on', 'off']).default('on'),
  INSTANCE_ID: z.string().regex(/^[A-Za-z0-9_.:-]*$/, 'must be letters, digits, _ . : or -').default(''),
  SCHEDULER_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  REPORT_TIME: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM, 24-hour, e.g. 08:00').default('08:00'),
  REPORT_TIMEZONE: z
    .string()
    .default('UTC')
    .refine((tz) => isTimeZone(tz), { message: 'must be an IANA time zone such as UTC, Europe/Berlin or America/New_York' }),
  ALERT_REPEAT_MINUTES: z.coerce.number().int().min(1).max(1_440).default(15),
  HEARTBEAT_HOURS: countLimit(24),
  DELIVERY_EXPIRY_HOURS: z.coerce.number().gt(0).max(720).default(24),
});

/** Problems that involve more than one variable; checked even when single variables are invalid. */
function crossProblems(env: Record<string, string | undefined>): string[] {
  if (env.TRADING_MODE?.trim() !== 'live') return [];
  return (['EXCHANGE_API_KEY', 'EXCHANGE_API_SECRET'] as const)
    .filter((name) => !env[name]?.trim())
    .map((name) => `${name}: is required when TRADING_MODE=live (an API key allowed to trade, never to withdraw)`);
}

/** Jobs, deliveries, alerts and the ops HTTP endpoint. */
export interface OpsConfig {
  /** Where /healthz, /readyz and /metrics listen; port undefined = off, 0 = any free port. */
  readonly host: string;
  readonly port: number | undefined;
  /** Whether this process runs the scheduled jobs (with other replicas, one leader at a time runs them). */
  readonly jobs: boolean;
  /** This replica's name in leases and logs; defaults to host name and pid. */
  readonly instanceId: string;
  /** How long the scheduler leadership lasts without renewal: a dead leader is replaced after this. */
  readonly schedulerLeaseMs: number;
  /** The default local time and time zone of `/subscribe report`. */
  readonly reportTime: string;
  readonly reportTimeZone: string;
  /** How often an unacknowledged alert is posted again. */
  readonly alertRepeatMs: number;
  /** How often the heartbeat alert (severity info) is posted; undefined = never. */
  readonly heartbeatMs: number | undefined;
  /** A delivery still failing after this long is given up (marked expired, logged, counted). */
  readonly deliveryExpiryMs: number;
}

/** The trading settings: mode, account currency, paper simulation and every risk limit (undefined = off). */
export interface TradingConfig {
  readonly mode: 'paper' | 'live';
  readonly quoteAsset: string;
  /** Per asset, decimal text: the paper account's money at the start. */
  readonly paperStartingBalances: Readonly<Record<string, string>>;
  readonly paperSlippageBps: number;
  /** Fee rates (fractions, decimal text) when the exchange's market data has none. */
  readonly takerFeeRate: string;
  readonly makerFeeRate: string;
  /** Older quotes (by the exchange's timestamp) are never traded on. */
  readonly maxQuoteAgeMs: number;
  readonly limits: {
    readonly allowedSymbols: readonly string[] | undefined;
    readonly maxOrderNotional: string | undefined;
    readonly maxPositionNotional: string | undefined;
    readonly maxOpenPositions: number | undefined;
    readonly maxTotalExposure: string | undefined;
    readonly maxDailyLoss: string | undefined;
    readonly maxDrawdownPct: number | undefined;
    readonly cooldown: { readonly losses: number; readonly durationMs: number } | undefined;
  };
  readonly breaker: { readonly maxLossStreak: number | undefined; readonly maxErrorRate: number };
}

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
  readonly exchangeApiKey: string | undefined;
  readonly exchangeApiSecret: string | undefined;
  readonly trading: TradingConfig;
  readonly ops: OpsConfig;
}

/** Names of the config fields that hold secrets; they are redacted from logs and never shown in chat. */
export const SECRET_CONFIG_KEYS = ['telegramBotToken', 'discordBotToken', 'exchangeApiKey', 'exchangeApiSecret'] as const;

/** Reads `.env` (when present) under the given environment: real environment variables win. */
export function readEnvironment(env: NodeJS.ProcessEnv, dotenvPath = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  return { ...fromFile, ...env };
}

/** Validates the environment into a Config, or throws a ConfigError that lists every problem at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues).map((issue) => {
      const name = issue.path.join('.') || 'environment';
      const value = env[name];
      const shown = value === undefined || /TOKEN|SECRET|KEY|PASSWORD/.test(name) ? '' : ` (got "${value}")`;
      return `${name}${shown}: ${issue.message}`;
    }),
    ...crossProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
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
    exchangeApiKey: e.EXCHANGE_API_KEY,
    exchangeApiSecret: e.EXCHANGE_API_SECRET,
    ops: Object.freeze({
      host: e.OPS_HOST,
      port: e.OPS_PORT,
      jobs: e.JOBS === 'on',
      instanceId: e.INSTANCE_ID || `${hostname()}:${process.pid}`,
      schedulerLeaseMs: e.SCHEDULER_LEASE_MS,
      reportTime: e.REPORT_TIME,
      reportTimeZone: e.REPORT_TIMEZONE,
      alertRepeatMs: e.ALERT_REPEAT_MINUTES * 60_000,
      heartbeatMs: e.HEARTBEAT_HOURS === undefined ? undefined : e.HEARTBEAT_HOURS * 3_600_000,
      deliveryExpiryMs: Math.round(e.DELIVERY_EXPIRY_HOURS * 3_600_000),
    }),
    trading: Object.freeze({
      mode: e.TRADING_MODE,
      quoteAsset: e.QUOTE_ASSET,
      paperStartingBalances: Object.freeze(e.PAPER_STARTING_BALANCE),
      paperSlippageBps: e.PAPER_SLIPPAGE_BPS,
      takerFeeRate: e.TAKER_FEE_RATE,
      makerFeeRate: e.MAKER_FEE_RATE,
      maxQuoteAgeMs: e.MAX_QUOTE_AGE_MS,
      limits: Object.freeze({
        allowedSymbols: e.ALLOWED_SYMBOLS.length > 0 ? e.ALLOWED_SYMBOLS : undefined,
        maxOrderNotional: e.MAX_ORDER_NOTIONAL,
        maxPositionNotional: e.MAX_POSITION_NOTIONAL,
        maxOpenPositions: e.MAX_OPEN_POSITIONS,
        maxTotalExposure: e.MAX_TOTAL_EXPOSURE,
        maxDailyLoss: e.DAILY_LOSS_LIMIT,
        maxDrawdownPct: e.MAX_DRAWDOWN_PCT === undefined ? undefined : Number(e.MAX_DRAWDOWN_PCT),
        cooldown: e.COOLDOWN_LOSSES === undefined ? undefined : { losses: e.COOLDOWN_LOSSES, durationMs: e.COOLDOWN_MINUTES * 60_000 },
      }),
      breaker: Object.freeze({ maxLossStreak: e.BREAKER_LOSS_STREAK, maxErrorRate: e.BREAKER_MAX_ERROR_RATE }),
    }),
  });
}

/** The database URL with any password replaced by `***`, safe to log or show. */
export function redactUrl(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
