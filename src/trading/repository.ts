import type { BrokerOrder } from './broker.js';
import type { LedgerEntry } from './ledger.js';
import type {
  Balance,
  BreakerEvent,
  DailySnapshot,
  Deposit,
  Fill,
  NewOrder,
  Order,
  OrderState,
  OrderStatus,
  OrderTransition,
  Position,
  RecordedFill,
  TradingMode,
} from './types.js';

/** Filter for listing orders; newest first. */
export interface OrderQuery {
  readonly mode?: TradingMode;
  readonly statuses?: readonly OrderStatus[];
  readonly symbol?: string;
  readonly limit: number;
}

/** Filter for listing fills; newest first. */
export interface FillQuery {
  readonly mode?: TradingMode;
  readonly clientOrderId?: string;
  readonly symbol?: string;
  readonly sinceMs?: number;
  readonly limit: number;
}

/**
 * The trading ledger: orders and their lifecycle, fills, positions, balances, daily snapshots, breaker events,
 * and the paper broker's own book. Implemented on SQLite (`store/trading-sqlite.ts`) and MongoDB
 * (`store/trading-mongo.ts`); every write that can race is decided by a unique key, never by a read-then-write.
 */
export interface TradingRepository {
  /** Writes a `new` order (seq 1); when its client order id exists, returns the stored order and `created: false`. */
  insertOrder(order: NewOrder): Promise<{ order: Order; created: boolean }>;
  getOrder(clientOrderId: string): Promise<Order | undefined>;
  /**
   * Appends transition `expectedSeq + 1`; undefined when another writer appended it first (read the order again).
   * Throws when the move is not allowed (`order-lifecycle.ts`).
   */
  transitionOrder(clientOrderId: string, expectedSeq: number, next: OrderState, atMs: number): Promise<Order | undefined>;
  listOrders(query: OrderQuery): Promise<Order[]>;
  /** Every transition of an order, oldest first. */
  orderHistory(clientOrderId: string): Promise<OrderTransition[]>;

  /** Records a fill once per (clientOrderId, fillId) and updates the position and balances with it. */
  recordFill(fill: Fill): Promise<{ fill: RecordedFill; inserted: boolean }>;
  /** Records a deposit once per key and updates the balance. */
  recordDeposit(deposit: Deposit): Promise<{ inserted: boolean }>;
  listFills(query: FillQuery): Promise<RecordedFill[]>;
  /** Every deposit and withdrawal of a mode, oldest first. */
  listDeposits(mode: TradingMode): Promise<Deposit[]>;
  /** Ledger entries of a mode with seq > `afterSeq`, oldest first (for audits and tests). */
  listEntries(mode: TradingMode, afterSeq: number): Promise<LedgerEntry[]>;
  /** Every position of a mode that ever traded, closed ones (amount 0) included, by symbol. */
  listPositions(mode: TradingMode): Promise<Position[]>;
  listBalances(mode: TradingMode): Promise<Balance[]>;

  /** Stores a day's snapshot once; false when that (mode, day) already has one. */
  putDailySnapshot(snapshot: DailySnapshot): Promise<boolean>;
  /** Snapshots of a mode, oldest first, optionally from a day on (inclusive). */
  listDailySnapshots(mode: TradingMode, fromDay?: string): Promise<DailySnapshot[]>;

  /** Appends a breaker event whose seq must be the latest + 1; false when another writer took that seq. */
  appendBreakerEvent(event: BreakerEvent): Promise<boolean>;
  /** The newest breaker events of a mode, newest first. */
  listBreakerEvents(mode: TradingMode, limit: number): Promise<BreakerEvent[]>;

  /** The paper broker's side: saves (creates or replaces) one of its orders. Only the paper broker writes these. */
  savePaperOrder(order: BrokerOrder): Promise<void>;
  /** Every order the paper broker ever took, oldest first. */
  loadPaperOrders(): Promise<BrokerOrder[]>;
}
