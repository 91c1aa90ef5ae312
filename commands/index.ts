import type { Command } from '../src/chat/command.js';
import { chart } from './chart.js';
import { help } from './help.js';
import { price } from './price.js';
import { status } from './status.js';
import { whales } from './whales.js';
import { whoami } from './whoami.js';

/** Every chat command, in the order /help lists them. */
export const allCommands: readonly Command[] = [help, status, whoami, price, chart, whales];
