import { defineOrderCommand } from '../src/chat/order-command.js';

/** /buy SYMBOL AMOUNT|$VALUE [limit=PRICE] [stop=PRICE]: an entry, through the risk rules and the breaker. */
export const buy = defineOrderCommand('buy');
