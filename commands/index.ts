import type { Command } from '../src/chat/command.js';
import { help } from './help.js';
import { status } from './status.js';
import { whoami } from './whoami.js';

/** Every chat command, in the order /help lists them. */
export const allCommands: readonly Command[] = [help, status, whoami];
