import type { Reply, ReplyTable } from './reply.js';

const LEVEL_MARK: Record<Reply['level'], string> = { info: '', success: '✓ ', warning: '! ', error: '✗ ' };

/** Lays a table out in aligned plain-text columns. */
export function renderTableText(table: ReplyTable): string[] {
  const widths = table.columns.map((c, i) =>
    Math.max([...c].length, ...table.rows.map((r) => [...(r[i] ?? '')].length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - [...cell].length));
        return table.align?.[i] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(table.columns), widths.map((w) => '─'.repeat(w)).join('  '), ...table.rows.map(line)];
}

/** A reply's action buttons as the lines to type, e.g. `→ /ack A17 to acknowledge`. */
export function renderActionsText(actions: Reply['actions']): string[] {
  const verb = (label: string) => (/^\p{Lu}\p{Ll}/u.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label);
  return (actions ?? []).map((a) => `→ ${a.line} to ${verb(a.label)}`);
}

/** Renders a reply as plain text for the terminal (console adapter and `tradeops chat`). */
export function renderText(reply: Reply, imagePath?: string): string {
  const out: string[] = [];
  const badges = reply.badges?.length ? `[${reply.badges.join('] [')}] ` : '';
  if (reply.title) out.push(`${LEVEL_MARK[reply.level]}${badges}${reply.title}`);
  reply.lines.forEach((l, i) => out.push(i === 0 && !reply.title ? `${LEVEL_MARK[reply.level]}${badges}${l}` : l));
  if (reply.table) out.push(...(out.length ? [''] : []), ...renderTableText(reply.table));
  if (reply.image) out.push(imagePath ? `Image: ${imagePath} (${reply.image.alt})` : `Image: ${reply.image.alt}`);
  if (reply.usage) out.push(`Usage: ${reply.usage}`);
  out.push(...renderActionsText(reply.actions));
  return out.join('\n');
}

/** The reply as JSON-ready data; an image becomes base64. */
export function replyToJson(reply: Reply): unknown {
  const { image, ...rest } = reply;
  return image ? { ...rest, image: { filename: image.filename, alt: image.alt, pngBase64: Buffer.from(image.png).toString('base64') } } : rest;
}
