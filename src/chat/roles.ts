import { ROLES, type Grant, type Role } from '../config.js';

/** Who is calling: the platform, the user id, and (Discord) the ids of the roles the member has. */
export interface Caller {
  readonly platform: 'console' | 'cli' | 'telegram' | 'discord';
  readonly userId: string;
  readonly userName: string | undefined;
  readonly chatId: string;
  /** Discord guild role ids of the member, when the platform has them. */
  readonly groupIds?: readonly string[];
  /** True in a one-to-one chat with the bot (a Telegram private chat, a Discord DM): nobody else reads the replies. */
  readonly privateChat?: boolean;
}

/** The role a command needs: one of the chat roles, or `anyone` for commands such as /help and /whoami. */
export type RequiredRole = Role | 'anyone';

/** The strongest role granted to the caller, or undefined when none is (deny by default). */
export function roleOf(caller: Caller, grants: Readonly<Record<Role, readonly Grant[]>>): Role | undefined {
  if (caller.platform === 'console' || caller.platform === 'cli') return 'admin';
  const matches = (g: Grant) =>
    (g.platform === caller.platform && g.id === caller.userId) ||
    (caller.platform === 'discord' && g.platform === 'discord-role' && (caller.groupIds ?? []).includes(g.id));
  for (const role of [...ROLES].reverse()) if (grants[role].some(matches)) return role;
  return undefined;
}

/** True when a caller with `role` may run a command that requires `required`. */
export function allows(role: Role | undefined, required: RequiredRole): boolean {
  if (required === 'anyone') return true;
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(required);
}
