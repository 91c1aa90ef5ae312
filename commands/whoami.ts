import { z } from 'zod';
import { defineCommand } from '../src/chat/command.js';

/** /whoami: the caller's platform id and role, so an admin can grant one. */
export const whoami = defineCommand({
  name: 'whoami',
  summary: 'Show your user id and role.',
  usage: '/whoami',
  examples: ['/whoami'],
  role: 'anyone',
  changesState: false,
  args: z.strictObject({}),
  async run(_args, _deps, ctx) {
    const { caller, role } = ctx;
    return {
      level: 'info',
      title: 'You',
      lines: [
        `Id: ${caller.platform}:${caller.userId}${caller.userName ? ` (${caller.userName})` : ''}`,
        `Chat: ${caller.chatId}`,
        `Role: ${role ?? 'none'}${role ? '' : ' (ask an admin to add your id to VIEWER_USERS, TRADER_USERS or ADMIN_USERS)'}`,
      ],
    };
  },
});
