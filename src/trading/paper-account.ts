import { UserError } from '../errors.js';
import type { BrokerOrder } from './broker.js';
import { Decimal } from './decimal.js';
import { balanceChanges } from './ledger.js';

/** Fee rates the paper account reserves for, per order type. */
export interface ReserveRates {
  readonly takerFeeRate: Decimal;
  readonly makerFeeRate: Decimal;
  /** Extra quote held back for a stop buy, as a fraction of its value, to cover slippage when it triggers. */
  readonly stopBuffer: Decimal;
}

/** What an open order holds back: quote for buys (value plus fee), base for sells. */
export function reservation(order: BrokerOrder, rates: ReserveRates): { asset: string; amount: Decimal } {
  const left = order.amount.minus(order.filledAmount);
  if (order.side === 'sell') return { asset: order.base, amount: left };
  const price = order.type === 'stop' ? (order.stopPrice ?? Decimal.ZERO) : (order.limitPrice ?? Decimal.ZERO);
  const rate = order.type === 'stop' ? rates.takerFeeRate.plus(rates.stopBuffer) : rates.makerFeeRate;
  return { asset: order.quote, amount: left.times(price).times(Decimal.ONE.plus(rate), 'up') };
}

/** Whose reservation an order's is: its one-cancels-the-other group's, else its own. */
export const reservationKey = (order: Pick<BrokerOrder, 'clientOrderId' | 'ocoGroup'>): string => order.ocoGroup ?? order.clientOrderId;

/**
 * The simulated exchange account behind the paper broker: its orders (each with its fills) and the balances
 * they imply. Balances are never stored: they are the starting balances plus every fill, so the persisted
 * orders are the single source of truth.
 */
export class PaperAccount {
  private readonly orders = new Map<string, BrokerOrder>();
  private readonly resting = new Map<string, BrokerOrder>();
  private readonly totals = new Map<string, Decimal>();

  constructor(
    starting: ReadonlyMap<string, Decimal>,
    private readonly rates: ReserveRates,
  ) {
    for (const [asset, amount] of starting) this.totals.set(asset, amount);
  }

  /** Orders placed so far, for numbering the next one. */
  get size(): number {
    return this.orders.size;
  }

  get(clientOrderId: string): BrokerOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  /** Orders still resting (open or partly filled), oldest first. */
  open(): BrokerOrder[] {
    return [...this.resting.values()];
  }

  /** Total held per asset (free + reserved). */
  totalsByAsset(): ReadonlyMap<string, Decimal> {
    return this.totals;
  }

  /**
   * What is free to spend in `asset`, optionally not counting one reservation (by {@link reservationKey}).
   * The orders of a one-cancels-the-other group hold only their largest reservation: at most one of them fills.
   */
  available(asset: string, except?: string): Decimal {
    const held = new Map<string, Decimal>();
    for (const order of this.open()) {
      const key = reservationKey(order);
      const r = reservation(order, this.rates);
      if (key === except || r.asset !== asset) continue;
      held.set(key, Decimal.max(held.get(key) ?? Decimal.ZERO, r.amount));
    }
    return (this.totals.get(asset) ?? Decimal.ZERO).minus(Decimal.sum([...held.values()]));
  }

  /** Throws a UserError unless `amount` of `asset` is free. */
  require(asset: string, amount: Decimal, except?: string): void {
    const free = this.available(asset, except);
    if (free.lt(amount)) {
      throw new UserError(`insufficient paper balance: need ${amount.toString()} ${asset}, ${free.toString()} ${asset} available`);
    }
  }

  /** Stores a new or changed order, booking the fills it did not have before. */
  put(order: BrokerOrder): void {
    const known = new Set(this.orders.get(order.clientOrderId)?.fills.map((f) => f.fillId));
    for (const fill of order.fills) {
      if (known.has(fill.fillId)) continue;
      const changes = balanceChanges({ ...order, ...fill, mode: 'paper', clientOrderId: order.clientOrderId });
      for (const { asset, delta } of changes) this.totals.set(asset, (this.totals.get(asset) ?? Decimal.ZERO).plus(delta));
    }
    this.orders.set(order.clientOrderId, order);
    if (order.status === 'open' || order.status === 'partially_filled') this.resting.set(order.clientOrderId, order);
    else this.resting.delete(order.clientOrderId);
  }
}
