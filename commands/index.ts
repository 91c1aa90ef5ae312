import type { Command } from '../src/chat/command.js';
import { ack } from './ack.js';
import { alerts } from './alerts.js';
import { backtest } from './backtest.js';
import { balance } from './balance.js';
import { breaker } from './breaker.js';
import { buy } from './buy.js';
import { cancel } from './cancel.js';
import { chart } from './chart.js';
import { close } from './close.js';
import { help } from './help.js';
import { optimize } from './optimize.js';
import { orders } from './orders.js';
import { pnl } from './pnl.js';
import { positions } from './positions.js';
import { price } from './price.js';
import { report } from './report.js';
import { sell } from './sell.js';
import { signals } from './signals.js';
import { status } from './status.js';
import { subscribe } from './subscribe.js';
import { subscriptions } from './subscriptions.js';
import { trades } from './trades.js';
import { unsubscribe } from './unsubscribe.js';
import { watch } from './watch.js';
import { whales } from './whales.js';
import { whoami } from './whoami.js';

/** Every chat command, in the order /help lists them. */
export const allCommands: readonly Command[] = [
  help, status, whoami, price, chart, whales,
  signals, watch, backtest, optimize,
  buy, sell, close, orders, cancel, positions, balance, pnl, trades, breaker,
  report, subscribe, unsubscribe, subscriptions, alerts, ack,
];
