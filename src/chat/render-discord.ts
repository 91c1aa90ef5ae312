import { AttachmentBuilder, escapeMarkdown, type APIEmbed } from 'discord.js';
import type { Reply } from './reply.js';
import { renderTableText, renderText } from './render-text.js';

/** Discord's size limits on a message, in characters. */
export const DISCORD_LIMITS = {
  content: 2_000,
  title: 256,
  description: 4_096,
  footer: 2_048,
  embedsPerMessage: 10,
  embedsTotal: 6_000,
} as const;

/** A file sent with a message. */
export interface DiscordFile {
  readonly name: string;
  readonly data: Uint8Array;
  readonly description?: string;
}

/** One Discord message: text content (empty clears an earlier progress note), embeds and files. */
export interface DiscordMessage {
  readonly content: string;
  readonly embeds: readonly APIEmbed[];
  readonly files: readonly DiscordFile[];
}

/** Options of {@link renderDiscord}. */
export interface RenderDiscordOptions {
  /** Above this many messages the full text goes into a .txt attachment instead. */
  readonly maxMessages?: number;
  /** Room for the description of each embed; Discord's limit by default. */
  readonly descriptionLimit?: number;
}

const COLORS: Record<Reply['level'], number> = { info: 0x5865f2, success: 0x57f287, warning: 0xfee75c, error: 0xed4245 };
const FENCE = '```';

/** Escapes Discord markdown so text shows as typed (headings, links and quotes included). */
export function escapeDiscord(text: string): string {
  return escapeMarkdown(text, { heading: true, maskedLink: true }).replace(/^>/gm, '\\>');
}

/** Splits one line into pieces no longer than `max`, at a space when there is one. */
function splitLine(line: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max);
    let cut = space > max / 2 ? space : max;
    // Never split an escape sequence: a trailing backslash would escape the line break instead.
    while (cut > 1 && rest[cut - 1] === '\\') cut--;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^ /, '');
  }
  pieces.push(rest);
  return pieces;
}

/** Packs text lines and a code block into descriptions of at most `limit` characters; code stays fenced in each. */
function packDescriptions(text: readonly string[], code: readonly string[], limit: number): string[] {
  const chunks: string[] = [];
  let lines: string[] = [];
  let size = 0;
  let inCode = false;
  const flush = () => {
    // A block opened on the last line of a chunk moves whole to the next one.
    if (inCode && lines.at(-1) === FENCE && lines.length > 1) lines.pop();
    else if (inCode) lines.push(FENCE);
    if (lines.length === 0) return;
    chunks.push(lines.join('\n'));
    lines = inCode ? [FENCE] : [];
    size = inCode ? FENCE.length : 0;
  };
  const add = (line: string) => {
    const reserve = inCode ? FENCE.length + 1 : 0;
    if (lines.length > 0 && size + 1 + line.length + reserve > limit) flush();
    size += (lines.length > 0 ? 1 : 0) + line.length;
    lines.push(line);
  };
  for (const line of text) splitLine(line, limit).forEach(add);
  if (code.length > 0) {
    if (text.length > 0) add('');
    add(FENCE);
    inCode = true;
    // A fence inside a cell would end the block early; a zero-width space keeps the backticks apart.
    for (const line of code) splitLine(line.replaceAll(FENCE, '`\u200b``'), limit - 2 * (FENCE.length + 1)).forEach(add);
    lines.push(FENCE);
    inCode = false;
  }
  if (lines.length > 0) chunks.push(lines.join('\n'));
  return chunks;
}

function embedSize(embed: APIEmbed): number {
  return (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0);
}

/** Groups embeds into messages within the per-message count and total-size limits. */
function packMessages(embeds: readonly APIEmbed[]): APIEmbed[][] {
  const messages: APIEmbed[][] = [];
  let current: APIEmbed[] = [];
  let size = 0;
  for (const embed of embeds) {
    const next = embedSize(embed);
    if (current.length > 0 && (current.length === DISCORD_LIMITS.embedsPerMessage || size + next > DISCORD_LIMITS.embedsTotal)) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(embed);
    size += next;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}

/** A file name Discord accepts in `attachment://` references. */
function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(-100) || 'file';
}

/**
 * Renders a reply as Discord messages: embeds coloured by level, badges before the title, the table as a code
 * block, the usage line and reference in the footer, the image as an attachment. Long replies are split over
 * embeds and messages; beyond `maxMessages` the first part is shown and the full text is attached as a .txt
 * file. Nothing is dropped.
 */
export function renderDiscord(reply: Reply, options: RenderDiscordOptions = {}): DiscordMessage[] {
  const maxMessages = options.maxMessages ?? 3;
  const limit = options.descriptionLimit ?? DISCORD_LIMITS.description;
  const badges = reply.badges?.length ? `[${reply.badges.join('] [')}]` : '';
  const fullTitle = [badges, reply.title ?? ''].filter(Boolean).join(' ');
  const title = escapeDiscord(fullTitle);
  const titleFits = title.length <= DISCORD_LIMITS.title;
  const footerParts = [reply.usage ? `Usage: ${reply.usage}` : '', reply.requestId ? `ref ${reply.requestId.slice(0, 8)}` : ''].filter(Boolean);
  const footerFits = footerParts.join(' · ').length <= DISCORD_LIMITS.footer;
  const text = [
    ...(titleFits || !title ? [] : [`**${title}**`]),
    ...reply.lines.map(escapeDiscord),
    ...(footerFits || !reply.usage ? [] : [`Usage: ${escapeDiscord(reply.usage)}`]),
  ];
  const code = reply.table ? renderTableText(reply.table) : [];
  const footer = footerParts.length ? (footerFits ? footerParts.join(' · ') : footerParts.filter((p) => !p.startsWith('Usage:')).join(' · ')) : '';
  const image = reply.image ? { ...reply.image, filename: safeFileName(reply.image.filename) } : undefined;
  const imageFile: DiscordFile[] = image ? [{ name: image.filename, data: image.png, description: image.alt.slice(0, 1024) }] : [];

  const build = (descriptions: readonly string[]): APIEmbed[] =>
    (descriptions.length ? descriptions : [(titleFits && title) || image ? '' : '(no output)']).map((description, i, all) => ({
      color: COLORS[reply.level],
      ...(i === 0 && titleFits && title ? { title } : {}),
      ...(description ? { description } : {}),
      ...(i === all.length - 1 && footer ? { footer: { text: footer } } : {}),
      ...(i === all.length - 1 && image ? { image: { url: `attachment://${image.filename}` } } : {}),
    }));

  // Title, description and footer of one embed together must stay within the per-message total.
  const room = Math.min(limit, DISCORD_LIMITS.embedsTotal - (titleFits ? title.length : 0) - footer.length);
  const messages = packMessages(build(packDescriptions(text, code, room)));
  if (messages.length <= maxMessages) {
    return messages.map((embeds, i) => ({ content: '', embeds, files: i === messages.length - 1 ? imageFile : [] }));
  }
  const name = `reply-${reply.requestId?.slice(0, 8) ?? 'full'}.txt`;
  const full = renderText(reply);
  const note = `… the full reply (${full.split('\n').length} lines) is attached as ${name}.`;
  const first = packDescriptions(text, code, room - note.length - 2)[0] ?? '';
  const [embed] = build([`${first}\n\n${note}`]);
  return [{ content: '', embeds: [embed!], files: [{ name, data: new TextEncoder().encode(full), description: 'The full reply as text' }, ...imageFile] }];
}

/** The progress note shown while a command runs, in the message content. */
export function renderDiscordProgress(text: string): DiscordMessage {
  const content = `⏳ ${escapeDiscord(text)}`;
  return { content: content.length <= DISCORD_LIMITS.content ? content : `${content.slice(0, DISCORD_LIMITS.content - 1)}…`, embeds: [], files: [] };
}

/** A rendered message as discord.js message options: embeds, files as attachments, and no pings. */
export function discordPayload(message: DiscordMessage) {
  return {
    content: message.content,
    embeds: [...message.embeds],
    files: message.files.map((f) => new AttachmentBuilder(Buffer.from(f.data), { name: f.name, ...(f.description ? { description: f.description } : {}) })),
    allowedMentions: { parse: [] as [] },
  };
}
