import { describe, expect, it } from 'vitest';
import { loadConfig, redactUrl } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { memoryLog } from './support/test-deps.js';

describe('config', () => {
  it('has a default for everything, giving a zero-setup SQLite bot in paper mode', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('sqlite:./data/tradeops.db');
    expect(config.console).toBe('auto');
    expect(config.exchange).toBe('binance');
    expect(config.telegramBotToken).toBeUndefined();
    expect(config.grants).toEqual({ admin: [], trader: [], viewer: [] });
    // Account data is answered privately in public Discord channels unless configured otherwise.
    expect(config.discordPrivateCommands).toEqual(['whoami', 'positions', 'balance', 'pnl', 'trades', 'orders']);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses role grants per platform', () => {
    const config = loadConfig({ ADMIN_USERS: 'telegram:1, discord:2', TRADER_USERS: 'discord-role:77' });
    expect(config.grants.admin).toEqual([
      { platform: 'telegram', id: '1' },
      { platform: 'discord', id: '2' },
    ]);
    expect(config.grants.trader).toEqual([{ platform: 'discord-role', id: '77' }]);
  });

  it('lists every problem at once, in plain words', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'postgres://x', LOG_LEVEL: 'loud', ADMIN_USERS: 'bob', SHUTDOWN_TIMEOUT_MS: 'soon' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/DATABASE_URL .*must start with sqlite:/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL/);
    expect(problems.join('\n')).toMatch(/ADMIN_USERS.*"bob" is not PLATFORM:ID/);
    expect(problems.join('\n')).toMatch(/SHUTDOWN_TIMEOUT_MS/);
  });

  it('never echoes a secret value in a config error', () => {
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: 'SECRET-but-malformed' })).toThrow(/TELEGRAM_BOT_TOKEN: does not look like/);
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: 'SECRET-but-malformed' })).not.toThrow(/SECRET/);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '123456:AAE_abcdefghijklmnopqrstu' }).telegramBotToken).toBe(
      '123456:AAE_abcdefghijklmnopqrstu',
    );
  });

  it('reads the jobs and ops settings, with defaults and plain-word errors', () => {
    const ops = loadConfig({}).ops;
    expect(ops).toMatchObject({ host: '127.0.0.1', port: 9464, jobs: true, reportTime: '08:00', reportTimeZone: 'UTC', alertRepeatMs: 900_000, heartbeatMs: 86_400_000 });
    expect(ops.instanceId).toMatch(/:\d+$/);
    const custom = loadConfig({ OPS_PORT: 'off', JOBS: 'off', INSTANCE_ID: 'bot-a', HEARTBEAT_HOURS: 'off', REPORT_TIMEZONE: 'Europe/Berlin' }).ops;
    expect(custom).toMatchObject({ port: undefined, jobs: false, instanceId: 'bot-a', heartbeatMs: undefined, reportTimeZone: 'Europe/Berlin' });
    expect(loadConfig({ OPS_PORT: '0' }).ops.port).toBe(0);
    expect(() => loadConfig({ REPORT_TIMEZONE: 'Mars/Olympus', REPORT_TIME: '8am', OPS_PORT: 'x' })).toThrow(
      /OPS_PORT \(got "x"\): must be a port number[\s\S]*REPORT_TIME \(got "8am"\): must be HH:MM[\s\S]*REPORT_TIMEZONE \(got "Mars\/Olympus"\): must be an IANA time zone/,
    );
  });

  it('hides a MongoDB password when the URL is shown', () => {
    expect(redactUrl('mongodb://bob:hunter2@db:27017/x')).toBe('mongodb://bob:***@db:27017/x');
    expect(redactUrl('mongodb+srv://bob:p%40ss@cluster/x')).toBe('mongodb+srv://bob:***@cluster/x');
    expect(redactUrl('sqlite:./data/tradeops.db')).toBe('sqlite:./data/tradeops.db');
  });
});

describe('logging', () => {
  it('redacts secrets from log lines', () => {
    const log = memoryLog();
    const logger = createLogger({ level: 'info', pretty: false, destination: log.stream });
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: '123:SECRETTOKEN_abcdefghijklmnop', DISCORD_BOT_TOKEN: 'DISCORDSECRET' });
    logger.info({ config }, 'config loaded');
    logger.child({ request: { token: 'TOKENVALUE', headers: { authorization: 'Bot AUTHVALUE' } } }).info('call');
    logger.info({ exchange: { apiKey: 'KEYVALUE', secret: 'SECRETVALUE' } }, 'keys');
    const text = log.lines.join('\n');
    for (const secret of ['SECRETTOKEN', 'DISCORDSECRET', 'TOKENVALUE', 'AUTHVALUE', 'KEYVALUE', 'SECRETVALUE']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(log.lines).toHaveLength(3);
  });
});
