import type { Broker, BrokerOrder } from './broker.js';
import { ACTIVE_STATUSES, isNews } from './order-lifecycle.js';
import type { TradingRepository } from './repository.js';
import type { Order, OrderState, RecordedFill } from './types.js';

/** What bringing one order into agreement with the broker did. */
export interface SyncResult {
  readonly order: Order;
  /** Fills recorded now (fills the ledger already had are not repeated). */
  readonly newFills: RecordedFill[];
}

/**
 * Brings the ledger's copy of an order into agreement with the broker's: records every fill the ledger lacks
 * (idempotent per fill id), then appends a transition when the status or filled amount changed. Safe to repeat.
 */
export async function syncOrder(repo: TradingRepository, order: Order, remote: BrokerOrder, nowMs: number): Promise<SyncResult> {
  const newFills: RecordedFill[] = [];
  for (const f of remote.fills) {
    const { fill, inserted } = await repo.recordFill({
      clientOrderId: order.clientOrderId, fillId: f.fillId, mode: order.mode, symbol: order.symbol, base: order.base,
      quote: order.quote, side: order.side, amount: f.amount, price: f.price, feeAmount: f.feeAmount, feeAsset: f.feeAsset, atMs: f.atMs,
    });
    if (inserted) newFills.push(fill);
  }
  const next: OrderState = {
    status: remote.status, brokerOrderId: remote.brokerOrderId, filledAmount: remote.filledAmount,
    averagePrice: remote.averagePrice, reason: remote.reason,
  };
  let current: Order | undefined = order;
  for (let attempt = 0; attempt < 3 && current && isNews(current, next); attempt++) {
    const moved: Order | undefined = await repo.transitionOrder(current.clientOrderId, current.seq, next, nowMs);
    current = moved ?? (await repo.getOrder(order.clientOrderId));
  }
  if (!current) throw new Error(`order ${order.clientOrderId} disappeared from the ledger`);
  return { order: current, newFills };
}

/** What a reconcile pass found and did. */
export interface ReconcileReport {
  readonly checked: number;
  /** Orders whose state or fills changed to match the broker. */
  readonly updated: Order[];
  readonly fillsRecorded: number;
  /** `new` orders the broker never received, older than the grace period: marked rejected. */
  readonly neverSent: Order[];
  /** `new` orders the broker does not know yet, still inside the grace period: left for the next pass. */
  readonly pending: Order[];
  /** Open orders the broker no longer knows: left as they are for a person to look at. */
  readonly missing: Order[];
  /** Orders whose broker query failed, with the reason: left for the next pass. */
  readonly failed: Array<{ order: Order; reason: string }>;
}

/**
 * Asks the broker about every order the ledger has as new, open or partly filled, by client order id, and brings
 * the ledger into agreement: after a crash between writing and sending, or between sending and recording fills,
 * nothing is lost and nothing is doubled. A `new` order the broker never saw is rejected once `graceMs` old
 * (a request still in flight could land within it).
 */
export async function reconcileOrders(repo: TradingRepository, broker: Broker, nowMs: number, graceMs: number): Promise<ReconcileReport> {
  const report = { checked: 0, updated: [] as Order[], fillsRecorded: 0, neverSent: [] as Order[], pending: [] as Order[], missing: [] as Order[], failed: [] as Array<{ order: Order; reason: string }> };
  const active = await repo.listOrders({ mode: broker.mode, statuses: ACTIVE_STATUSES, limit: 10_000 });
  for (const order of active.reverse()) {
    report.checked++;
    let remote: BrokerOrder | undefined;
    try {
      remote = await broker.fetchOrder(order.clientOrderId, order.symbol);
    } catch (error) {
      report.failed.push({ order, reason: (error as Error).message });
      continue;
    }
    if (remote) {
      const { order: after, newFills } = await syncOrder(repo, order, remote, nowMs);
      report.fillsRecorded += newFills.length;
      if (after.seq !== order.seq || newFills.length > 0) report.updated.push(after);
    } else if (order.status !== 'new') {
      report.missing.push(order);
    } else if (nowMs - order.createdAtMs < graceMs) {
      report.pending.push(order);
    } else {
      const reason = 'never reached the broker (the bot stopped between writing and sending it)';
      const after = await repo.transitionOrder(order.clientOrderId, order.seq, { ...order, status: 'rejected', reason }, nowMs);
      report.neverSent.push(after ?? order);
    }
  }
  return report;
}
