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

/** The order service's hands: place an exit, place a stop-loss + take-profit pair, cancel an order. */
export interface ProtectionPorts {
  readonly repo: TradingRepository;
  readonly mode: TradingMode;
  place(exit: ProtectiveExit): Promise<unknown>;
  /** Places [stop-loss, take-profit] as one native OCO; absent when the broker has none (each exit is then placed alone). */
  placePair?(exits: readonly [ProtectiveExit, ProtectiveExit]): Promise<unknown>;
  cancel(clientOrderId: string): Promise<unknown>;
}

/** What one protection pass did. */
export interface ProtectionReport {
  readonly placed: string[];
  readonly cancelled: string[];
  readonly failed: Array<{ clientOrderId: string; reason: string }>;
}

/** What {@link releaseExits} did, with the exits it cancelled (to put back if the sell fails). */
export interface ReleaseReport extends ProtectionReport {
  readonly released: Order[];
}

/** Runs `run`, then lists `ids` under `done`, or each under `failed` with the reason. */
async function attempt(report: ProtectionReport, ids: readonly string[], done: string[], run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
    done.push(...ids);
  } catch (error) {
    report.failed.push(...ids.map((clientOrderId) => ({ clientOrderId, reason: (error as Error).message })));
  }
}

/** Places exits: as one OCO pair when there are two and the broker has it, else one by one. */
async function placeExits(p: ProtectionPorts, report: ProtectionReport, exits: readonly ProtectiveExit[]): Promise<void> {
  const [first, second] = exits;
  if (first && second && p.placePair) {
    await attempt(report, [first.clientOrderId, second.clientOrderId], report.placed, () => p.placePair!([first, second]));
    return;
  }
  for (const exit of exits) await attempt(report, [exit.clientOrderId], report.placed, () => p.place(exit));
}

/** The filled protective exits as `parent|role` keys: an active exit whose sibling's key is here must go. */
async function filledExitKeys(p: ProtectionPorts): Promise<Set<string>> {
  const filled = await p.repo.listOrders({ mode: p.mode, statuses: ['filled'], limit: 10_000 });
  return new Set(filled.filter((o) => o.parentClientOrderId !== undefined).map((o) => `${o.parentClientOrderId}|${protectiveRole(o)}`));
}

/** True when an exit of the same entry and the other role has filled (its one-cancels-the-other sibling). */
function siblingFilled(filledExits: ReadonlySet<string>, exit: Order): boolean {
  const sibling: ProtectiveRole = protectiveRole(exit) === 'stop-loss' ? 'take-profit' : 'stop-loss';
  return filledExits.has(`${exit.parentClientOrderId}|${sibling}`);
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
 * places the exits of filled entries that lack them (both at once as an OCO when the broker has it); cancels an exit
 * whose sibling filled, or whose position no longer holds its amount (closed or sold by hand).
 */
export async function protectPositions(p: ProtectionPorts): Promise<ProtectionReport> {
  const report: ProtectionReport = { placed: [], cancelled: [], failed: [] };
  const entries = await p.repo.listOrders({ mode: p.mode, statuses: ['filled'], limit: RECENT_ENTRIES });
  for (const entry of entries.reverse()) {
    if (entry.side !== 'buy') continue;
    const exits = exitsOf(entry);
    const stored = await Promise.all(exits.map((exit) => p.repo.getOrder(exit.clientOrderId)));
    if (stored.every((o) => o !== undefined)) continue;
    // A pair goes out as one OCO unless one leg already went out alone (a leg still `new` was never sent).
    const pair = stored.every((o) => o === undefined || o.status === 'new');
    await placeExits(p, report, pair ? exits : exits.filter((_, i) => stored[i] === undefined));
  }
  const active = (await p.repo.listOrders({ mode: p.mode, statuses: ACTIVE_STATUSES, limit: 10_000 })).filter((o) => o.parentClientOrderId !== undefined);
  const positions = new Map((await p.repo.listPositions(p.mode)).map((pos) => [pos.symbol, pos.amount]));
  let filledExits: Set<string> | undefined;
  for (const exit of active) {
    const held = positions.get(exit.symbol) ?? Decimal.ZERO;
    if (held.lt(exit.amount.minus(exit.filledAmount)) || siblingFilled((filledExits ??= await filledExitKeys(p)), exit)) {
      await attempt(report, [exit.clientOrderId], report.cancelled, () => p.cancel(exit.clientOrderId));
      filledExits = undefined; // a cancel can find the exit filled after all, which ends its sibling in this same pass
    }
  }
  return report;
}

/**
 * Before a sell by hand (/sell, /close): cancels the symbol's protective exits that what is left of the position
 * would no longer cover, so the sell can use the amount they hold. `released` lists them, for {@link restoreExits}.
 */
export async function releaseExits(p: ProtectionPorts, symbol: string, sellAmount: Decimal): Promise<ReleaseReport> {
  const report: ReleaseReport = { placed: [], cancelled: [], failed: [], released: [] };
  const position = (await p.repo.listPositions(p.mode)).find((pos) => pos.symbol === symbol);
  const left = (position?.amount ?? Decimal.ZERO).minus(sellAmount);
  const exits = await p.repo.listOrders({ mode: p.mode, symbol, statuses: ACTIVE_STATUSES, limit: 10_000 });
  for (const exit of exits.filter((o) => o.parentClientOrderId !== undefined && left.lt(o.amount.minus(o.filledAmount)))) {
    await attempt(report, [exit.clientOrderId], report.cancelled, () => p.cancel(exit.clientOrderId));
    if (report.cancelled.includes(exit.clientOrderId)) report.released.push(exit);
  }
  return report;
}

/**
 * After a sell by hand that did not sell (refused, rejected, expired unfilled): places the exits it released again,
 * under new ids (`…-sl-2`), for what they had left, capped at what the position still holds.
 */
export async function restoreExits(p: ProtectionPorts, released: readonly Order[]): Promise<ProtectionReport> {
  const report: ProtectionReport = { placed: [], cancelled: [], failed: [] };
  const [first] = released;
  if (!first) return report;
  const held = (await p.repo.listPositions(p.mode)).find((pos) => pos.symbol === first.symbol)?.amount ?? Decimal.ZERO;
  const family = await p.repo.listOrders({ mode: p.mode, symbol: first.symbol, limit: 10_000 });
  const byParent = new Map<string, ProtectiveExit[]>();
  for (const exit of released) {
    const amount = Decimal.min(held, exit.amount.minus(exit.filledAmount));
    const role = protectiveRole(exit)!;
    const parent = exit.parentClientOrderId!;
    if (!amount.isPositive()) continue;
    const generation = family.filter((o) => o.parentClientOrderId === parent && protectiveRole(o) === role).length + 1;
    const again: ProtectiveExit = {
      clientOrderId: `${protectiveOrderId(parent, role)}-${generation}`, parentClientOrderId: parent, symbol: exit.symbol, type: exit.type, amount,
      ...(exit.limitPrice ? { limitPrice: exit.limitPrice } : {}), ...(exit.stopPrice ? { stopPrice: exit.stopPrice } : {}), requestedBy: exit.requestedBy,
    };
    byParent.set(parent, [...(byParent.get(parent) ?? []), again].sort((a, b) => (a.type === 'stop' ? -1 : b.type === 'stop' ? 1 : 0)));
  }
  for (const exits of byParent.values()) await placeExits(p, report, exits);
  return report;
}
