import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';
import { allows } from '../src/chat/roles.js';
import { UserError } from '../src/errors.js';

/** /help: the command list generated from the registry, or one command's usage and examples. */
export const help = defineCommand({
  name: 'help',
  summary: 'List the commands, or show how to use one.',
  usage: '/help [COMMAND]',
  examples: ['/help', '/help status'],
  role: 'anyone',
  changesState: false,
  positional: ['command'],
  args: z.strictObject({ command: z.string().optional() }),
  async run({ command }, _deps, ctx) {
    if (command !== undefined) {
      const name = command.replace(/^\//, '').toLowerCase();
      const found = ctx.commands.find((c) => c.name === name);
      if (!found) throw new UserError(`There is no command /${name}. Type /help for the list.`);
      return {
        level: 'info',
        title: `/${found.name}: ${found.summary}`,
        lines: [`Usage: ${found.usage}`, `Needs: ${found.role === 'anyone' ? 'nothing (anyone)' : `the ${found.role} role`}`, ...found.examples.map((e) => `Example: ${e}`)],
      };
    }
    const visible = ctx.commands.filter((c) => allows(ctx.role, c.role));
    const hidden = ctx.commands.length - visible.length;
    return {
      level: 'info',
      title: 'Commands',
      lines: hidden > 0 ? [`${hidden} more need a role you do not have; see /whoami.`] : [],
      table: { columns: ['command', 'what it does'], rows: visible.map((c) => [c.usage, c.summary]) },
    };
  },
});
