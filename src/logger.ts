import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Paths pino blanks out in every log line: config secrets, tokens, API keys, passwords. */
export const REDACT_PATHS = [
  'telegramBotToken',
  'discordBotToken',
  'exchangeApiKey',
  'exchangeApiSecret',
  '*.telegramBotToken',
  '*.discordBotToken',
  '*.exchangeApiKey',
  '*.exchangeApiSecret',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'headers.authorization',
  '*.headers.authorization',
];

/** Options for the root logger. */
export interface LoggerOptions {
  readonly level: string;
  /** Pretty, human-readable lines (for a terminal) instead of JSON. */
  readonly pretty: boolean;
  /** Where lines go; default standard error, so standard output stays free for replies. */
  readonly destination?: DestinationStream;
}

/** Creates the root pino logger; JSON lines, or pretty ones on a terminal, always with secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true, ignore: 'pid,hostname' } },
    });
  }
  return pino(base, pino.destination(2));
}
