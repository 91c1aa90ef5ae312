import { defineOrderCommand } from '../src/chat/order-command.js';

/** /sell SYMBOL AMOUNT|$VALUE [limit=PRICE] [stop=PRICE]: an exit from a held position (allowed while the breaker is tripped). */
export const sell = defineOrderCommand('sell');
