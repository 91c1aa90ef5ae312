import { dailySnapshotOf, loadPortfolio, utcDay, type Portfolio } from './portfolio.js';
import type { QuoteSource } from './ports.js';
import type { FillQuery, OrderQuery, TradingRepository } from './repository.js';
import type { Balance, DailySnapshot, Deposit, Order, OrderTransition, RecordedFill, TradingMode } from './types.js';

/** Read-only views of one mode's ledger for /positions, /balance, /pnl, /orders and /trades. */
export interface AccountViews {
  /** Cash, positions at their marks, equity and P&L now (/positions, /pnl). */
  portfolio(nowMs: number): Promise<Portfolio>;
  /** Every asset balance the ledger holds (/balance). */
  balances(): Promise<Balance[]>;
  /** Every deposit and withdrawal (starting money, exchange balance syncs), oldest first (/balance). */
  deposits(): Promise<Deposit[]>;
  /** Orders of this mode, newest first (/orders). */
  orders(query: Omit<OrderQuery, 'mode'>): Promise<Order[]>;
  /** One order with every transition, oldest first. */
  orderWithHistory(clientOrderId: string): Promise<{ order: Order; history: OrderTransition[] } | undefined>;
  /** Fills of this mode, newest first, each with the P&L it realized (/trades). */
  trades(query: Omit<FillQuery, 'mode'>): Promise<RecordedFill[]>;
  /** Daily snapshots from `fromDay` on, oldest first (/pnl history). */
  dailySnapshots(fromDay?: string): Promise<DailySnapshot[]>;
  /** Stores the snapshot of the UTC day of `nowMs` once (the daily job calls this at the day's end). */
  recordDailySnapshot(nowMs: number, day?: string): Promise<{ snapshot: DailySnapshot; stored: boolean }>;
}

/** The views over `repo` for one mode, valued in `quoteAsset` with marks from `quotes`. */
export function createAccountViews(repo: TradingRepository, quotes: QuoteSource, mode: TradingMode, quoteAsset: string): AccountViews {
  return {
    portfolio: (nowMs) => loadPortfolio(repo, quotes, mode, quoteAsset, nowMs),
    balances: () => repo.listBalances(mode),
    deposits: () => repo.listDeposits(mode),
    orders: (query) => repo.listOrders({ ...query, mode }),
    async orderWithHistory(clientOrderId) {
      const order = await repo.getOrder(clientOrderId);
      return order && order.mode === mode ? { order, history: await repo.orderHistory(clientOrderId) } : undefined;
    },
    trades: (query) => repo.listFills({ ...query, mode }),
    dailySnapshots: (fromDay) => repo.listDailySnapshots(mode, fromDay),
    async recordDailySnapshot(nowMs, day = utcDay(nowMs)) {
      const snapshot = dailySnapshotOf(await loadPortfolio(repo, quotes, mode, quoteAsset, nowMs), day);
      return { snapshot, stored: await repo.putDailySnapshot(snapshot) };
    },
  };
}
