import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/chat/reply.js';
import { DISCORD_LIMITS, escapeDiscord, renderDiscord, renderDiscordProgress, type DiscordMessage } from '../../src/chat/render-discord.js';

/** Every character a reader sees across the messages, attachments included. */
function allText(messages: readonly DiscordMessage[]): string {
  return messages
    .flatMap((m) => [m.content, ...m.embeds.flatMap((e) => [e.title ?? '', e.description ?? '', e.footer?.text ?? '']), ...m.files.filter((f) => f.name.endsWith('.txt')).map((f) => new TextDecoder().decode(f.data))])
    .join('\n');
}

function expectWithinLimits(messages: readonly DiscordMessage[]): void {
  for (const m of messages) {
    expect(m.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(m.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
    let total = 0;
    for (const e of m.embeds) {
      expect(e.title?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.title);
      expect(e.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
      expect(e.footer?.text.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
      expect(e.title || e.description || e.image).toBeTruthy();
      total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0);
    }
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embedsTotal);
  }
}

describe('renderDiscord', () => {
  it('renders a short reply as one embed: title with badges, escaped lines, table block, colour, footer', () => {
    const reply: Reply = {
      level: 'warning',
      title: 'BTC/USDT',
      badges: ['PAPER', 'STALE'],
      lines: ['price *jumped* 5%', '# not a heading', '> not a quote'],
      table: { columns: ['side', 'qty'], rows: [['buy', '1.5'], ['sell', '0.25']], align: ['left', 'right'] },
      usage: '/price SYMBOL',
      requestId: 'abcdef0123456789',
    };
    const [message, ...rest] = renderDiscord(reply);
    expect(rest).toEqual([]);
    expect(message!.content).toBe('');
    expect(message!.embeds).toHaveLength(1);
    const embed = message!.embeds[0]!;
    expect(embed.title).toBe('[PAPER] [STALE] BTC/USDT');
    expect(embed.color).toBe(0xfee75c);
    expect(embed.description).toBe(
      ['price \\*jumped\\* 5%', '\\# not a heading', '\\> not a quote', '', '```', 'side   qty', '────  ────', 'buy    1.5', 'sell  0.25', '```'].join('\n'),
    );
    expect(embed.footer?.text).toBe('Usage: /price SYMBOL · ref abcdef01');
  });

  it('colours by level and says so when there is nothing to show', () => {
    const colors = (['info', 'success', 'warning', 'error'] as const).map((level) => renderDiscord({ level, lines: [] })[0]!.embeds[0]!.color);
    expect(new Set(colors).size).toBe(4);
    expect(renderDiscord({ level: 'info', lines: [] })[0]!.embeds[0]!.description).toBe('(no output)');
  });

  it('sends the image as an attachment shown in the embed, with its text alternative', () => {
    const png = new Uint8Array([137, 80, 78, 71]);
    const [message] = renderDiscord({ level: 'info', title: 'Chart', lines: [], image: { png, filename: 'equity curve.png', alt: 'Equity curve' } });
    expect(message!.files).toEqual([{ name: 'equity_curve.png', data: png, description: 'Equity curve' }]);
    expect(message!.embeds[0]!.image).toEqual({ url: 'attachment://equity_curve.png' });
  });

  it('splits a long reply over several embeds, keeping the table fenced in each, and loses nothing', () => {
    const rows = Array.from({ length: 400 }, (_, i) => [`row-${i}`, String(i * 7)]);
    const reply: Reply = { level: 'info', title: 'Trades', lines: ['intro'], table: { columns: ['id', 'value'], rows } };
    const messages = renderDiscord(reply);
    expectWithinLimits(messages);
    const embeds = messages.flatMap((m) => m.embeds);
    expect(embeds.length).toBeGreaterThan(1);
    for (const e of embeds) expect((e.description!.match(/```/g) ?? []).length % 2).toBe(0);
    const text = allText(messages);
    for (const [id, value] of rows) expect(text).toMatch(new RegExp(`\\b${id} +${value}\\b`));
    expect(embeds[0]!.title).toBe('Trades');
    expect(embeds.slice(1).every((e) => e.title === undefined)).toBe(true);
  });

  it('attaches the full text as a .txt file when the reply needs more than maxMessages messages', () => {
    const lines = Array.from({ length: 3_000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    const messages = renderDiscord({ level: 'info', title: 'Log', lines, requestId: '12345678-aaaa' });
    expect(messages).toHaveLength(1);
    expectWithinLimits(messages);
    const [file] = messages[0]!.files;
    expect(file!.name).toBe('reply-12345678.txt');
    const text = new TextDecoder().decode(file!.data);
    for (const line of lines) expect(text).toContain(line);
    expect(messages[0]!.embeds[0]!.description).toContain('the full reply (3001 lines) is attached as reply-12345678.txt');
  });

  it('splits a single line longer than an embed description instead of cutting it', () => {
    const long = 'word '.repeat(2_000).trim();
    const messages = renderDiscord({ level: 'info', lines: [long] });
    expectWithinLimits(messages);
    expect(allText(messages).replace(/\s+/g, ' ')).toContain(long);
  });

  it('moves a title too long for Discord into the description', () => {
    const title = 'T'.repeat(300);
    const [message] = renderDiscord({ level: 'info', title, lines: ['body'] });
    expect(message!.embeds[0]!.title).toBeUndefined();
    expect(message!.embeds[0]!.description).toContain(title);
  });

  it('stays within every Discord limit and never drops text, whatever the reply', () => {
    const cell = fc.string({ maxLength: 40 });
    fc.assert(
      fc.property(
        fc.record({
          title: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
          lines: fc.array(fc.string({ maxLength: 5_000 }), { maxLength: 30 }),
          rows: fc.array(fc.tuple(cell, cell), { maxLength: 200 }),
          usage: fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
        }),
        ({ title, lines, rows, usage }) => {
          const reply: Reply = { level: 'info', lines, ...(title ? { title } : {}), ...(usage ? { usage } : {}), ...(rows.length ? { table: { columns: ['a', 'b'], rows } } : {}) };
          const messages = renderDiscord(reply);
          expectWithinLimits(messages);
          const seen = allText(messages).replace(/\s+/g, '');
          for (const line of lines) {
            const attached = messages.some((m) => m.files.some((f) => f.name.endsWith('.txt')));
            expect(seen).toContain((attached ? line : escapeDiscord(line)).replace(/\s+/g, ''));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('renderDiscordProgress', () => {
  it('shows the note in the content, escaped and within the content limit', () => {
    expect(renderDiscordProgress('step *1*').content).toBe('⏳ step \\*1\\*');
    const long = renderDiscordProgress('y'.repeat(5_000)).content;
    expect(long.length).toBe(DISCORD_LIMITS.content);
    expect(long.endsWith('…')).toBe(true);
  });
});
