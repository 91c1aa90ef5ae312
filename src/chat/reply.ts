import type { AuditOutcome } from '../store/types.js';

/** How a reply should look: neutral, good news, a caution, or a failure. */
export type ReplyLevel = 'info' | 'success' | 'warning' | 'error';

/** A table of text cells; `align` per column, left by default. */
export interface ReplyTable {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  readonly align?: ReadonlyArray<'left' | 'right'>;
}

/** A PNG image with a file name and a text alternative. */
export interface ReplyImage {
  readonly png: Uint8Array;
  readonly filename: string;
  readonly alt: string;
}

/** What a command returns, platform-neutral: the chat transports only render it. */
export interface Reply {
  readonly level: ReplyLevel;
  readonly title?: string;
  readonly lines: readonly string[];
  readonly table?: ReplyTable;
  readonly image?: ReplyImage;
  /** Labels that must stay visible wherever the reply is shown: PAPER, LIVE, SYNTHETIC, STALE. */
  readonly badges?: readonly string[];
  /**
   * A pending confirmation: the command line that carries it out. Transports offer it as a Confirm button
   * (and a Cancel one); the console shows the line to type.
   */
  readonly confirm?: { readonly line: string; readonly expiresAtMs: number };
  /**
   * Buttons that run a command line as the person who presses them, e.g. Acknowledge → `/ack A17`. Transports show
   * buttons (Telegram inline keyboard, Discord components); the console shows the lines to type.
   */
  readonly actions?: ReadonlyArray<{ readonly label: string; readonly line: string }>;
  /** The usage line, shown under an error about how a command was called. */
  readonly usage?: string;
  /** How the command ended; set by the runner. */
  readonly outcome?: AuditOutcome;
  /** Correlates the reply with log lines and the audit log; set by the runner. */
  readonly requestId?: string;
}

/** A plain informational reply. */
export function info(title: string | undefined, lines: readonly string[], extra: Partial<Reply> = {}): Reply {
  return { level: 'info', ...(title === undefined ? {} : { title }), lines, ...extra };
}

/** An error reply. */
export function failure(message: string, extra: Partial<Reply> = {}): Reply {
  return { level: 'error', lines: [message], ...extra };
}
