import { UserError } from '../errors.js';
import { Decimal } from './decimal.js';
import { ACTIVE_STATUSES } from './order-lifecycle.js';
import type { TradingRepository } from './repository.js';
import type { Order, OrderSide, OrderType, TradingMode } from './types.js';

/** Which protective exit an order is: a stop-loss (resting stop sell) or a take-profit (resting limit sell). */
export type ProtectiveRole = 'stop-loss' | 'take-profit';

/** How many of the newest filled entries each pass looks at for exits still to place (after a crash, too). */
const RECENT_ENTRIES = 100;

/** The client order id of an entry's stop-loss or take-profit: fixed, so placing it twice places it once. */
export const protectiveOrderId = (parentId: string, role: ProtectiveRole): string => `${parentId}-${role === 'stop-loss' ? 'sl' : 'tp'}`;

/** The role of a protective exit, or undefined for any other order. */
export function protectiveRole(order: Pick<Order, 'parentClientOrderId' | 'type'>): ProtectiveRole | undefined {
  if (order.parentClientOrderId === undefined) return undefined;
  return order.type === 'stop' ? 'stop-loss' : 'take-profit';
}

/** Refuses a stop-loss or take-profit on the wrong side of the entry: for a buy, sl below the bid/entry and tp above the entry. */
export function checkProtectivePrices(side: OrderSide, entry: Decimal, bid: Decimal, sl: Decimal | undefined, tp: Decimal | undefined): void {
  if ((sl ?? tp) === undefined) return;
  if (side !== 'buy') throw new UserError('sl= and tp= protect an entry: use them on /buy (spot, long only). Nothing was placed.');
  const below = Decimal.min(entry, bid);
  if (sl && !sl.lt(below)) throw new UserError(`the stop-loss sl=${sl.toString()} must be below the entry and the current bid (${below.toString()}): nothing was placed.`);
  if (tp && !tp.gt(entry)) throw new UserError(`the take-profit tp=${tp.toString()} must be above the entry (${entry.toString()}): nothing was placed.`);
}

/** What placing one protective exit needs from the order service. */
export interface ProtectiveExit {
  readonly clientOrderId: string;
  /** Also the OCO group: the paper broker holds the position once for both exits. */
  readonly parentClientOrderId: string;
  readonly symbol: string;
  readonly type: OrderType;
  readonly amount: Decimal;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  readonly requestedBy: string;
}

/** The order service's hands: place an exit, cancel an order. */
export interface ProtectionPorts {
  readonly repo: TradingRepository;
  readonly mode: TradingMode;
  place(exit: ProtectiveExit): Promise<unknown>;
  cancel(clientOrderId: string): Promise<unknown>;
}

/** What one protection pass did. */
export interface ProtectionReport {
  readonly placed: string[];
  readonly cancelled: string[];
  readonly failed: Array<{ clientOrderId: string; reason: string }>;
}

/** The exits a filled entry asks for, for its filled amount. */
function exitsOf(entry: Order): ProtectiveExit[] {
  const common = { parentClientOrderId: entry.clientOrderId, symbol: entry.symbol, amount: entry.filledAmount, requestedBy: entry.requestedBy };
  return [
    ...(entry.stopLossPrice ? [{ ...common, clientOrderId: protectiveOrderId(entry.clientOrderId, 'stop-loss'), type: 'stop' as const, stopPrice: entry.stopLossPrice }] : []),
    ...(entry.takeProfitPrice ? [{ ...common, clientOrderId: protectiveOrderId(entry.clientOrderId, 'take-profit'), type: 'limit' as const, limitPrice: entry.takeProfitPrice }] : []),
  ];
}

/**
 * One pass over protective exits, safe to repeat and to run after a restart (the links are stored on the orders):
 * places the exits of filled entries that lack them; cancels an exit whose sibling filled, or whose position no
 * longer holds its amount (closed or sold by hand).
 */
export async function protectPositions(p: ProtectionPorts): Promise<ProtectionReport> {
  const report: ProtectionReport = { placed: [], cancelled: [], failed: [] };
  const attempt = async (id: string, done: string[], run: () => Promise<unknown>) => {
    try {
      await run();
      done.push(id);
    } catch (error) {
      report.failed.push({ clientOrderId: id, reason: (error as Error).message });
    }
  };
  const entries = await p.repo.listOrders({ mode: p.mode, statuses: ['filled'], limit: RECENT_ENTRIES });
  for (const entry of entries.reverse()) {
    if (entry.side !== 'buy') continue;
    for (const exit of exitsOf(entry)) {
      if (!(await p.repo.getOrder(exit.clientOrderId))) await attempt(exit.clientOrderId, report.placed, () => p.place(exit));
    }
  }
  const active = (await p.repo.listOrders({ mode: p.mode, statuses: ACTIVE_STATUSES, limit: 10_000 })).filter((o) => o.parentClientOrderId !== undefined);
  const positions = new Map((await p.repo.listPositions(p.mode)).map((pos) => [pos.symbol, pos.amount]));
  for (const exit of active) {
    const role = protectiveRole(exit)!;
    const sibling = await p.repo.getOrder(protectiveOrderId(exit.parentClientOrderId!, role === 'stop-loss' ? 'take-profit' : 'stop-loss'));
    const held = positions.get(exit.symbol) ?? Decimal.ZERO;
    if (sibling?.status === 'filled' || held.lt(exit.amount.minus(exit.filledAmount))) {
      await attempt(exit.clientOrderId, report.cancelled, () => p.cancel(exit.clientOrderId));
    }
  }
  return report;
}

/**
 * Before a sell by hand (/sell, /close): cancels the symbol's protective exits that what is left of the position
 * would no longer cover, so the sell can use the amount they hold.
 */
export async function releaseExits(p: ProtectionPorts, symbol: string, sellAmount: Decimal): Promise<ProtectionReport> {
  const report: ProtectionReport = { placed: [], cancelled: [], failed: [] };
  const position = (await p.repo.listPositions(p.mode)).find((pos) => pos.symbol === symbol);
  const left = (position?.amount ?? Decimal.ZERO).minus(sellAmount);
  const exits = await p.repo.listOrders({ mode: p.mode, symbol, statuses: ACTIVE_STATUSES, limit: 10_000 });
  for (const exit of exits.filter((o) => o.parentClientOrderId !== undefined && left.lt(o.amount.minus(o.filledAmount)))) {
    try {
      await p.cancel(exit.clientOrderId);
      report.cancelled.push(exit.clientOrderId);
    } catch (error) {
      report.failed.push({ clientOrderId: exit.clientOrderId, reason: (error as Error).message });
    }
  }
  return report;
}
