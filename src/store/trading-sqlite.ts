import type Database from 'better-sqlite3';
import { decimalText, decodeBrokerOrder, encodeBrokerOrder, optionalDecimal, type StoredBrokerOrder } from '../trading/codec.js';
import { Decimal } from '../trading/decimal.js';
import { applyFill, balanceChanges, fillKey, type LedgerEntry } from '../trading/ledger.js';
import { transitionProblem } from '../trading/order-lifecycle.js';
import type { TradingRepository } from '../trading/repository.js';
import type { BreakerEvent, DailySnapshot, Fill, NewOrder, Order, OrderState, OrderTransition, Position, RecordedFill } from '../trading/types.js';

type Db = Database.Database;
type Row = Record<string, string | number | null>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS trading_orders (
  client_order_id TEXT PRIMARY KEY, mode TEXT NOT NULL, symbol TEXT NOT NULL, base TEXT NOT NULL, quote TEXT NOT NULL,
  side TEXT NOT NULL, type TEXT NOT NULL, amount TEXT NOT NULL, limit_price TEXT, stop_price TEXT, expires_at_ms INTEGER,
  requested_by TEXT NOT NULL, created_at_ms INTEGER NOT NULL, status TEXT NOT NULL, seq INTEGER NOT NULL,
  broker_order_id TEXT, filled_amount TEXT NOT NULL, average_price TEXT, reason TEXT, updated_at_ms INTEGER NOT NULL,
  stop_loss_price TEXT, take_profit_price TEXT, parent_client_order_id TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS trading_orders_created ON trading_orders (created_at_ms DESC);
CREATE INDEX IF NOT EXISTS trading_orders_status ON trading_orders (status, created_at_ms DESC);
CREATE TABLE IF NOT EXISTS trading_order_events (
  client_order_id TEXT NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, at_ms INTEGER NOT NULL,
  broker_order_id TEXT, filled_amount TEXT NOT NULL, average_price TEXT, reason TEXT,
  PRIMARY KEY (client_order_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trading_ledger (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, mode TEXT NOT NULL,
  at_ms INTEGER NOT NULL, client_order_id TEXT, fill_id TEXT, symbol TEXT, base TEXT, quote TEXT, side TEXT,
  amount TEXT NOT NULL, price TEXT, fee_amount TEXT, fee_asset TEXT, asset TEXT, realized_pnl TEXT, note TEXT
);
CREATE INDEX IF NOT EXISTS trading_ledger_mode ON trading_ledger (mode, seq);
CREATE INDEX IF NOT EXISTS trading_ledger_order ON trading_ledger (client_order_id);
CREATE INDEX IF NOT EXISTS trading_ledger_deposits ON trading_ledger (mode, seq) WHERE kind = 'deposit';
CREATE TABLE IF NOT EXISTS trading_positions (
  mode TEXT NOT NULL, symbol TEXT NOT NULL, base TEXT NOT NULL, quote TEXT NOT NULL, amount TEXT NOT NULL,
  cost TEXT NOT NULL, realized_pnl TEXT NOT NULL, fees_paid TEXT NOT NULL, updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (mode, symbol)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trading_balances (
  mode TEXT NOT NULL, asset TEXT NOT NULL, amount TEXT NOT NULL, PRIMARY KEY (mode, asset)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trading_daily_snapshots (
  mode TEXT NOT NULL, day TEXT NOT NULL, at_ms INTEGER NOT NULL, equity TEXT NOT NULL, cash TEXT NOT NULL,
  realized_pnl TEXT NOT NULL, unrealized_pnl TEXT NOT NULL, net_deposits TEXT NOT NULL, open_positions INTEGER NOT NULL,
  PRIMARY KEY (mode, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trading_breaker_events (
  mode TEXT NOT NULL, seq INTEGER NOT NULL, at_ms INTEGER NOT NULL, kind TEXT NOT NULL, trigger_name TEXT,
  detail TEXT NOT NULL, by_user TEXT, PRIMARY KEY (mode, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS trading_paper_orders (
  client_order_id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL, doc TEXT NOT NULL
);
`;

/** Creates the trading tables and indexes; safe to run at every start. */
export function ensureTradingSchema(db: Db): void {
  db.exec(SCHEMA);
  // Columns added after the table first shipped: a database made before them gets them here.
  const columns = new Set((db.prepare('PRAGMA table_info(trading_orders)').all() as Row[]).map((r) => String(r.name)));
  for (const column of ['stop_loss_price', 'take_profit_price', 'parent_client_order_id']) {
    if (!columns.has(column)) db.exec(`ALTER TABLE trading_orders ADD COLUMN ${column} TEXT`);
  }
}

const d = (v: unknown) => Decimal.parse(String(v));
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toOrder(r: Row): Order {
  return {
    clientOrderId: String(r.client_order_id), mode: r.mode as Order['mode'], symbol: String(r.symbol), base: String(r.base),
    quote: String(r.quote), side: r.side as Order['side'], type: r.type as Order['type'], amount: d(r.amount),
    limitPrice: optionalDecimal(r.limit_price as string | null), stopPrice: optionalDecimal(r.stop_price as string | null),
    expiresAtMs: opt(r.expires_at_ms as number | null), requestedBy: String(r.requested_by), createdAtMs: Number(r.created_at_ms),
    status: r.status as Order['status'], seq: Number(r.seq), brokerOrderId: opt(r.broker_order_id as string | null),
    filledAmount: d(r.filled_amount), averagePrice: optionalDecimal(r.average_price as string | null),
    reason: opt(r.reason as string | null), updatedAtMs: Number(r.updated_at_ms),
    stopLossPrice: optionalDecimal(r.stop_loss_price as string | null | undefined),
    takeProfitPrice: optionalDecimal(r.take_profit_price as string | null | undefined),
    parentClientOrderId: opt((r.parent_client_order_id ?? null) as string | null),
  };
}

function toTransition(r: Row): OrderTransition {
  return {
    clientOrderId: String(r.client_order_id), seq: Number(r.seq), status: r.status as Order['status'], atMs: Number(r.at_ms),
    brokerOrderId: opt(r.broker_order_id as string | null), filledAmount: d(r.filled_amount),
    averagePrice: optionalDecimal(r.average_price as string | null), reason: opt(r.reason as string | null),
  };
}

function toEntry(r: Row): LedgerEntry {
  const base = { seq: Number(r.seq), key: String(r.key) };
  const mode = r.mode as Order['mode'];
  if (r.kind === 'deposit') {
    return { ...base, kind: 'deposit', deposit: { key: base.key, mode, asset: String(r.asset), amount: d(r.amount), atMs: Number(r.at_ms), note: String(r.note ?? '') } };
  }
  const fill: RecordedFill = {
    clientOrderId: String(r.client_order_id), fillId: String(r.fill_id), mode, symbol: String(r.symbol), base: String(r.base),
    quote: String(r.quote), side: r.side as Fill['side'], amount: d(r.amount), price: d(r.price), feeAmount: d(r.fee_amount),
    feeAsset: String(r.fee_asset), atMs: Number(r.at_ms), seq: base.seq, realizedPnl: d(r.realized_pnl),
  };
  return { ...base, kind: 'fill', fill };
}

function toPosition(r: Row): Position {
  return {
    mode: r.mode as Position['mode'], symbol: String(r.symbol), base: String(r.base), quote: String(r.quote), amount: d(r.amount),
    cost: d(r.cost), realizedPnl: d(r.realized_pnl), feesPaid: d(r.fees_paid), updatedAtMs: Number(r.updated_at_ms),
  };
}

function toSnapshot(r: Row): DailySnapshot {
  return {
    mode: r.mode as DailySnapshot['mode'], day: String(r.day), atMs: Number(r.at_ms), equity: d(r.equity), cash: d(r.cash),
    realizedPnl: d(r.realized_pnl), unrealizedPnl: d(r.unrealized_pnl), netDeposits: d(r.net_deposits), openPositions: Number(r.open_positions),
  };
}

function toBreakerEvent(r: Row): BreakerEvent {
  return {
    mode: r.mode as BreakerEvent['mode'], seq: Number(r.seq), atMs: Number(r.at_ms), kind: r.kind as BreakerEvent['kind'],
    trigger: opt(r.trigger_name as BreakerEvent['trigger'] | null), detail: String(r.detail), by: opt(r.by_user as string | null),
  };
}

const stateParams = (s: OrderState) => ({
  status: s.status, brokerOrderId: s.brokerOrderId ?? null, filledAmount: s.filledAmount.toString(),
  averagePrice: decimalText(s.averagePrice), reason: s.reason ?? null,
});

/** Statements over the order tables. */
function orderStatements(db: Db) {
  return {
    select: db.prepare('SELECT * FROM trading_orders WHERE client_order_id = ?'),
    insert: db.prepare(`INSERT OR IGNORE INTO trading_orders (client_order_id, mode, symbol, base, quote, side, type, amount,
      limit_price, stop_price, expires_at_ms, requested_by, created_at_ms, status, seq, broker_order_id, filled_amount,
      average_price, reason, updated_at_ms, stop_loss_price, take_profit_price, parent_client_order_id)
      VALUES (@clientOrderId, @mode, @symbol, @base, @quote, @side, @type, @amount, @limitPrice, @stopPrice, @expiresAtMs,
      @requestedBy, @createdAtMs, @status, @seq, @brokerOrderId, @filledAmount, @averagePrice, @reason, @atMs, @stopLossPrice,
      @takeProfitPrice, @parentClientOrderId)`),
    insertEvent: db.prepare(`INSERT INTO trading_order_events VALUES (@clientOrderId, @seq, @status, @atMs, @brokerOrderId,
      @filledAmount, @averagePrice, @reason)`),
    update: db.prepare(`UPDATE trading_orders SET status = @status, seq = @seq, broker_order_id = @brokerOrderId,
      filled_amount = @filledAmount, average_price = @averagePrice, reason = @reason, updated_at_ms = @atMs
      WHERE client_order_id = @clientOrderId AND seq = @seq - 1`),
    history: db.prepare('SELECT * FROM trading_order_events WHERE client_order_id = ? ORDER BY seq'),
  };
}

/** Statements over the ledger tables. */
function ledgerStatements(db: Db) {
  return {
    byKey: db.prepare('SELECT * FROM trading_ledger WHERE key = ?'),
    insertFill: db.prepare(`INSERT INTO trading_ledger (key, kind, mode, at_ms, client_order_id, fill_id, symbol, base, quote, side,
      amount, price, fee_amount, fee_asset, realized_pnl) VALUES (@key, 'fill', @mode, @atMs, @clientOrderId, @fillId, @symbol,
      @base, @quote, @side, @amount, @price, @feeAmount, @feeAsset, @realizedPnl)`),
    insertDeposit: db.prepare(`INSERT OR IGNORE INTO trading_ledger (key, kind, mode, at_ms, amount, asset, note)
      VALUES (@key, 'deposit', @mode, @atMs, @amount, @asset, @note)`),
    position: db.prepare('SELECT * FROM trading_positions WHERE mode = ? AND symbol = ?'),
    savePosition: db.prepare(`INSERT OR REPLACE INTO trading_positions VALUES (@mode, @symbol, @base, @quote, @amount, @cost,
      @realizedPnl, @feesPaid, @updatedAtMs)`),
    balance: db.prepare('SELECT amount FROM trading_balances WHERE mode = ? AND asset = ?').pluck(),
    saveBalance: db.prepare('INSERT OR REPLACE INTO trading_balances VALUES (?, ?, ?)'),
  };
}

/** The trading ledger on SQLite: every multi-row change runs in one IMMEDIATE transaction. */
export function createSqliteTradingRepository(db: Db): TradingRepository {
  ensureTradingSchema(db);
  const o = orderStatements(db);
  const l = ledgerStatements(db);
  const addBalance = (mode: string, asset: string, delta: Decimal) => {
    const current = l.balance.get(mode, asset) as string | undefined;
    l.saveBalance.run(mode, asset, (current === undefined ? Decimal.ZERO : d(current)).plus(delta).toString());
  };
  const insertOrder = db.transaction((order: NewOrder) => {
    const params = {
      ...order, amount: order.amount.toString(), limitPrice: decimalText(order.limitPrice), stopPrice: decimalText(order.stopPrice),
      expiresAtMs: order.expiresAtMs ?? null, seq: 1, atMs: order.createdAtMs, stopLossPrice: decimalText(order.stopLossPrice),
      takeProfitPrice: decimalText(order.takeProfitPrice), parentClientOrderId: order.parentClientOrderId ?? null,
      ...stateParams({ status: 'new', brokerOrderId: undefined, filledAmount: Decimal.ZERO, averagePrice: undefined, reason: undefined }),
    };
    const created = o.insert.run(params).changes === 1;
    if (created) o.insertEvent.run(params);
    return { order: toOrder(o.select.get(order.clientOrderId) as Row), created };
  });
  const transition = db.transaction((id: string, expectedSeq: number, next: OrderState, atMs: number) => {
    const row = o.select.get(id) as Row | undefined;
    if (!row) throw new Error(`no order ${id}`);
    const current = toOrder(row);
    if (current.seq !== expectedSeq) return undefined;
    const problem = transitionProblem(current, next);
    if (problem) throw new Error(`order ${id}: ${problem}`);
    const params = { clientOrderId: id, seq: expectedSeq + 1, atMs, ...stateParams(next) };
    o.insertEvent.run(params);
    o.update.run(params);
    return toOrder(o.select.get(id) as Row);
  });
  const recordFill = db.transaction((fill: Fill) => {
    const key = fillKey(fill.clientOrderId, fill.fillId);
    const existing = l.byKey.get(key) as Row | undefined;
    if (existing) return { entry: toEntry(existing), inserted: false };
    const before = l.position.get(fill.mode, fill.symbol) as Row | undefined;
    const { position, realizedPnl } = applyFill(before && toPosition(before), fill);
    l.insertFill.run({
      ...fill, key, amount: fill.amount.toString(), price: fill.price.toString(), feeAmount: fill.feeAmount.toString(), realizedPnl: realizedPnl.toString(),
    }).lastInsertRowid;
    l.savePosition.run({
      ...position, amount: position.amount.toString(), cost: position.cost.toString(), realizedPnl: position.realizedPnl.toString(), feesPaid: position.feesPaid.toString(),
    });
    for (const change of balanceChanges(fill)) addBalance(fill.mode, change.asset, change.delta);
    return { entry: toEntry(l.byKey.get(key) as Row), inserted: true };
  });
  const recordDeposit = db.transaction((dep: Parameters<TradingRepository['recordDeposit']>[0]) => {
    const inserted = l.insertDeposit.run({ ...dep, amount: dep.amount.toString() }).changes === 1;
    if (inserted) addBalance(dep.mode, dep.asset, dep.amount);
    return { inserted };
  });
  const rows = (sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as Row[];
  /** A WHERE clause from the conditions whose value is given. */
  const where = (fixed: string[], clauses: Array<[string, unknown]>) => {
    const used = clauses.filter(([, v]) => v !== undefined);
    const all = [...fixed, ...used.map(([c]) => c)];
    return { sql: all.length ? `WHERE ${all.join(' AND ')}` : '', params: used.map(([, v]) => v) };
  };
  const insertSnapshot = db.prepare('INSERT OR IGNORE INTO trading_daily_snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const insertBreakerEvent = db.prepare('INSERT OR IGNORE INTO trading_breaker_events VALUES (?, ?, ?, ?, ?, ?, ?)');
  const lastBreakerSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) FROM trading_breaker_events WHERE mode = ?').pluck();
  const appendBreakerEvent = db.transaction((e: BreakerEvent) => {
    if (lastBreakerSeq.get(e.mode) !== e.seq - 1) return false;
    return insertBreakerEvent.run(e.mode, e.seq, e.atMs, e.kind, e.trigger ?? null, e.detail, e.by ?? null).changes === 1;
  });
  const savePaper = db.prepare('INSERT OR REPLACE INTO trading_paper_orders VALUES (?, ?, ?)');

  return {
    async insertOrder(order) {
      return insertOrder.immediate(order);
    },
    async getOrder(id) {
      const row = o.select.get(id) as Row | undefined;
      return row && toOrder(row);
    },
    async transitionOrder(id, expectedSeq, next, atMs) {
      return transition.immediate(id, expectedSeq, next, atMs);
    },
    async listOrders(q) {
      const statuses = q.statuses ? [`status IN (${q.statuses.map(() => '?').join(',')})`] : [];
      const w = where(statuses, [['mode = ?', q.mode], ['symbol = ?', q.symbol]]);
      const sql = `SELECT * FROM trading_orders ${w.sql} ORDER BY created_at_ms DESC, client_order_id DESC LIMIT ?`;
      return rows(sql, ...(q.statuses ?? []), ...w.params, q.limit).map(toOrder);
    },
    async orderHistory(id) {
      return (o.history.all(id) as Row[]).map(toTransition);
    },
    async recordFill(fill) {
      const { entry, inserted } = recordFill.immediate(fill);
      if (entry.kind !== 'fill') throw new Error(`ledger key of fill ${fill.fillId} holds a ${entry.kind}`);
      return { fill: entry.fill, inserted };
    },
    async recordDeposit(dep) {
      return recordDeposit.immediate(dep);
    },
    async listFills(q) {
      const w = where(["kind = 'fill'"], [['mode = ?', q.mode], ['client_order_id = ?', q.clientOrderId], ['symbol = ?', q.symbol], ['at_ms >= ?', q.sinceMs]]);
      const found = rows(`SELECT * FROM trading_ledger ${w.sql} ORDER BY seq DESC LIMIT ?`, ...w.params, q.limit);
      return found.map(toEntry).flatMap((e) => (e.kind === 'fill' ? [e.fill] : []));
    },
    async listDeposits(mode) {
      const found = rows("SELECT * FROM trading_ledger WHERE kind = 'deposit' AND mode = ? ORDER BY seq", mode);
      return found.map(toEntry).flatMap((e) => (e.kind === 'deposit' ? [e.deposit] : []));
    },
    async listEntries(mode, afterSeq) {
      return rows('SELECT * FROM trading_ledger WHERE mode = ? AND seq > ? ORDER BY seq', mode, afterSeq).map(toEntry);
    },
    async listPositions(mode) {
      return rows('SELECT * FROM trading_positions WHERE mode = ? ORDER BY symbol', mode).map(toPosition);
    },
    async listBalances(mode) {
      return rows('SELECT * FROM trading_balances WHERE mode = ? ORDER BY asset', mode).map((r) => ({ mode, asset: String(r.asset), amount: d(r.amount) }));
    },
    async putDailySnapshot(s) {
      const params = [s.mode, s.day, s.atMs, ...[s.equity, s.cash, s.realizedPnl, s.unrealizedPnl, s.netDeposits].map(String), s.openPositions];
      return insertSnapshot.run(...params).changes === 1;
    },
    async listDailySnapshots(mode, fromDay = '') {
      return rows('SELECT * FROM trading_daily_snapshots WHERE mode = ? AND day >= ? ORDER BY day', mode, fromDay).map(toSnapshot);
    },
    async appendBreakerEvent(e) {
      return appendBreakerEvent.immediate(e);
    },
    async listBreakerEvents(mode, limit) {
      return rows('SELECT * FROM trading_breaker_events WHERE mode = ? ORDER BY seq DESC LIMIT ?', mode, limit).map(toBreakerEvent);
    },
    async savePaperOrder(order) {
      savePaper.run(order.clientOrderId, order.createdAtMs, JSON.stringify(encodeBrokerOrder(order)));
    },
    async loadPaperOrders() {
      const found = rows('SELECT doc FROM trading_paper_orders ORDER BY created_at_ms, rowid');
      return found.map((r) => decodeBrokerOrder(JSON.parse(String(r.doc)) as StoredBrokerOrder));
    },
  };
}
