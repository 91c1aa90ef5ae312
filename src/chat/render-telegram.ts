import type { Reply } from './reply.js';
import { renderTableText } from './render-text.js';

/** Telegram's limit on a message's text, in characters (after entity parsing; we count the HTML to be safe). */
export const TELEGRAM_MESSAGE_LIMIT = 4096;
/** Telegram's limit on a photo or document caption. */
export const TELEGRAM_CAPTION_LIMIT = 1024;

const LEVEL_ICON: Record<Reply['level'], string> = { info: '', success: '✅ ', warning: '⚠️ ', error: '❌ ' };

/** Escapes text for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts raw text into pieces whose escaped form fits `limit`, never inside an escape sequence. */
function splitRaw(text: string, limit: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let size = 0;
  for (const ch of text) {
    const cost = escapeHtml(ch).length;
    if (size + cost > limit) (pieces.push(piece), (piece = ''), (size = 0));
    piece += ch;
    size += cost;
  }
  if (piece !== '' || pieces.length === 0) pieces.push(piece);
  return pieces;
}

/** Text as an HTML photo or document caption: the raw text is cut to fit TELEGRAM_CAPTION_LIMIT once escaped, so no escape sequence is split. */
export function telegramCaption(text: string): string {
  return escapeHtml(splitRaw(text, TELEGRAM_CAPTION_LIMIT)[0]!);
}

/** The reply as self-contained HTML blocks (no tag spans two blocks), in order. */
function blocks(reply: Reply, limit: number): string[] {
  const out: string[] = [];
  const badges = reply.badges?.length ? reply.badges.map((b) => `[${escapeHtml(b)}]`).join(' ') + ' ' : '';
  if (reply.title) out.push(`${LEVEL_ICON[reply.level]}<b>${badges}${escapeHtml(reply.title)}</b>`);
  reply.lines.forEach((line, i) => {
    const prefix = i === 0 && !reply.title ? `${LEVEL_ICON[reply.level]}${badges ? `<b>${badges.trim()}</b> ` : ''}` : '';
    splitRaw(line, limit - prefix.length).forEach((piece, j) => out.push((j === 0 ? prefix : '') + escapeHtml(piece)));
  });
  if (reply.table) {
    const [header, rule, ...rows] = renderTableText(reply.table);
    const wrap = (lines: string[]) => `<pre>${escapeHtml(lines.join('\n'))}</pre>`;
    let chunk: string[] = [];
    for (const row of rows.length ? rows : ['']) {
      const candidate = wrap([header!, rule!, ...chunk, row]);
      if (candidate.length > limit && chunk.length > 0) (out.push(wrap([header!, rule!, ...chunk])), (chunk = []));
      chunk.push(row);
    }
    const last = wrap([header!, rule!, ...chunk]);
    if (last.length <= limit) out.push(last);
    else splitRaw([header, rule, ...chunk].join('\n'), limit - 11).forEach((p) => out.push(`<pre>${escapeHtml(p)}</pre>`));
  }
  if (reply.usage) out.push(`<i>Usage: ${escapeHtml(reply.usage)}</i>`);
  if (out.length === 0) out.push(escapeHtml(reply.image?.alt ?? '(empty reply)'));
  return out;
}

/**
 * Renders a reply as Telegram HTML pages, each within `limit` characters (room is kept for a page counter).
 * Nothing is dropped: a reply longer than one message becomes several pages.
 */
export function renderTelegramPages(reply: Reply, limit = TELEGRAM_MESSAGE_LIMIT - 32): string[] {
  const pages: string[] = [];
  let page = '';
  for (const block of blocks(reply, limit)) {
    const next = page === '' ? block : `${page}\n${block}`;
    if (next.length > limit && page !== '') (pages.push(page), (page = block));
    else page = next;
  }
  pages.push(page);
  return pages;
}
