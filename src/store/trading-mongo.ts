import type { Collection, Db, Document } from 'mongodb';
import { decimalText, decodeBrokerOrder, encodeBrokerOrder, optionalDecimal, type StoredBrokerOrder } from '../trading/codec.js';
import { Decimal } from '../trading/decimal.js';
import { applyEntry, applyFill, balanceList, emptyLedgerState, fillKey, type LedgerEntry, type LedgerState } from '../trading/ledger.js';
import { ACTIVE_STATUSES, isTerminal, transitionProblem } from '../trading/order-lifecycle.js';
import type { OrderQuery, TradingRepository } from '../trading/repository.js';
import type { BreakerEvent, DailySnapshot, Deposit, Fill, NewOrder, Order, OrderState, OrderTransition, Position, TradingMode } from '../trading/types.js';
import { isDuplicateKeyError } from './mongo.js';

type Doc = Document & { _id: string | number };
type StateDoc = { _id: string; throughSeq: number; balances: Array<{ asset: string; amount: string }>; positions: Doc[] };

const d = (v: unknown) => Decimal.parse(String(v));
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
const pad = (n: number) => String(n).padStart(12, '0');
const MAX_ATTEMPTS = 100;
/** Ledger entries fetched one by one by id before a catch-up switches to a single range scan. */
const PROBES = 8;

/**
 * Creates the trading collections' indexes; safe to run at every start. Unique keys decide every race; hot paths
 * read documents by `_id` only, the one filter FerretDB v1 (SQLite backend) pushes down to SQL.
 */
export async function ensureTradingSchema(db: Db): Promise<void> {
  await db.collection('trading_orders').createIndex({ createdAtMs: -1 });
  await db.collection('trading_orders').createIndex({ 'head.status': 1 });
  await db.collection('trading_ledger').createIndex({ key: 1 }, { unique: true });
  await db.collection('trading_ledger').createIndex({ mode: 1, seq: 1 });
  await db.collection('trading_breaker_events').createIndex({ mode: 1, seq: -1 });
  await db.collection('trading_paper_orders').createIndex({ createdAtMs: 1 });
}

const stateFields = (s: OrderState) => ({
  status: s.status, brokerOrderId: s.brokerOrderId ?? null, filledAmount: s.filledAmount.toString(),
  averagePrice: decimalText(s.averagePrice), reason: s.reason ?? null,
});

function toTransition(id: string, e: Doc): OrderTransition {
  return {
    clientOrderId: id, seq: Number(e.seq), atMs: Number(e.atMs), status: e.status as Order['status'],
    brokerOrderId: opt(e.brokerOrderId as string | null), filledAmount: d(e.filledAmount),
    averagePrice: optionalDecimal(e.averagePrice as string | null), reason: opt(e.reason as string | null),
  };
}

/** The order a document describes, at the state of `latest` (its newest event) or its initial `new` state. */
function toOrder(doc: Doc, latest: Doc | undefined): Order {
  const t = toTransition(String(doc._id), latest ?? { ...(doc.initial as Doc), seq: 1 });
  return {
    clientOrderId: String(doc._id), mode: doc.mode as TradingMode, symbol: String(doc.symbol), base: String(doc.base),
    quote: String(doc.quote), side: doc.side as Order['side'], type: doc.type as Order['type'], amount: d(doc.amount),
    limitPrice: optionalDecimal(doc.limitPrice as string | null), stopPrice: optionalDecimal(doc.stopPrice as string | null),
    expiresAtMs: opt(doc.expiresAtMs as number | null), requestedBy: String(doc.requestedBy), createdAtMs: Number(doc.createdAtMs),
    status: t.status, seq: t.seq, brokerOrderId: t.brokerOrderId, filledAmount: t.filledAmount, averagePrice: t.averagePrice,
    reason: t.reason, updatedAtMs: t.atMs, stopLossPrice: optionalDecimal(doc.stopLossPrice as string | null | undefined),
    takeProfitPrice: optionalDecimal(doc.takeProfitPrice as string | null | undefined),
    parentClientOrderId: opt(doc.parentClientOrderId as string | null | undefined),
  };
}

function toEntry(e: Doc): LedgerEntry {
  const base = { seq: Number(e.seq), key: String(e.key) };
  const mode = e.mode as TradingMode;
  if (e.kind === 'deposit') {
    return { ...base, kind: 'deposit', deposit: { key: base.key, mode, asset: String(e.asset), amount: d(e.amount), atMs: Number(e.atMs), note: String(e.note) } };
  }
  const fill = {
    clientOrderId: String(e.clientOrderId), fillId: String(e.fillId), mode, symbol: String(e.symbol), base: String(e.base),
    quote: String(e.quote), side: e.side as Fill['side'], amount: d(e.amount), price: d(e.price), feeAmount: d(e.feeAmount),
    feeAsset: String(e.feeAsset), atMs: Number(e.atMs), seq: base.seq, realizedPnl: d(e.realizedPnl),
  };
  return { ...base, kind: 'fill', fill };
}

const positionDoc = (p: Position) => ({ ...p, amount: p.amount.toString(), cost: p.cost.toString(), realizedPnl: p.realizedPnl.toString(), feesPaid: p.feesPaid.toString() });
const toPosition = (p: Doc): Position => ({
  mode: p.mode as TradingMode, symbol: String(p.symbol), base: String(p.base), quote: String(p.quote), amount: d(p.amount),
  cost: d(p.cost), realizedPnl: d(p.realizedPnl), feesPaid: d(p.feesPaid), updatedAtMs: Number(p.updatedAtMs),
});

function encodeState(s: LedgerState): StateDoc {
  return {
    _id: s.mode, throughSeq: s.throughSeq,
    balances: balanceList(s).map((b) => ({ asset: b.asset, amount: b.amount.toString() })),
    positions: [...s.positions.values()].map((p) => ({ _id: p.symbol, ...positionDoc(p) })),
  };
}

function decodeState(mode: TradingMode, doc: StateDoc | null): LedgerState {
  if (!doc) return emptyLedgerState(mode);
  return {
    mode, throughSeq: doc.throughSeq,
    balances: new Map(doc.balances.map((b) => [b.asset, d(b.amount)])),
    positions: new Map(doc.positions.map((p) => [String(p.symbol), toPosition(p)])),
  };
}

const SNAPSHOT_FIELDS = ['equity', 'cash', 'realizedPnl', 'unrealizedPnl', 'netDeposits'] as const;

/** Orders: unique inserts; transitions as append-only events `<id>#<seq>`; an `active` marker per live order. */
function mongoOrders(db: Db, tryInsert: (col: Collection<Doc>, doc: Doc) => Promise<boolean>) {
  const orders = db.collection<Doc>('trading_orders');
  const events = db.collection<Doc>('trading_order_events');
  const active = db.collection<Doc>('trading_active_orders');
  const eventId = (id: string, seq: number) => `${id}#${pad(seq)}`;

  /** The order at its latest event: from the head hint (never ahead of the truth) forward by id lookups. */
  const getOrder = async (id: string): Promise<Order | undefined> => {
    const doc = await orders.findOne({ _id: id });
    if (!doc) return undefined;
    let latest: Doc | undefined;
    for (let seq = Math.max(2, Number(doc.head.seq)); ; seq++) {
      const e = await events.findOne({ _id: eventId(id, seq) });
      if (!e) break;
      latest = e;
    }
    return toOrder(doc, latest);
  };

  const insertOrder = async (order: NewOrder) => {
    const { clientOrderId, amount, limitPrice, stopPrice, expiresAtMs, stopLossPrice, takeProfitPrice, parentClientOrderId, ...rest } = order;
    // The marker goes first: an order can exist without its marker only once it is terminal.
    await tryInsert(active, { _id: clientOrderId, mode: order.mode, createdAtMs: order.createdAtMs });
    const initial: OrderState = { status: 'new', brokerOrderId: undefined, filledAmount: Decimal.ZERO, averagePrice: undefined, reason: undefined };
    const created = await tryInsert(orders, {
      ...rest, _id: clientOrderId, amount: amount.toString(), limitPrice: decimalText(limitPrice), stopPrice: decimalText(stopPrice),
      expiresAtMs: expiresAtMs ?? null, stopLossPrice: decimalText(stopLossPrice), takeProfitPrice: decimalText(takeProfitPrice),
      parentClientOrderId: parentClientOrderId ?? null, head: { seq: 1, status: 'new' }, initial: { atMs: order.createdAtMs, ...stateFields(initial) },
    });
    const stored: Order | undefined = created ? { ...order, ...initial, seq: 1, updatedAtMs: order.createdAtMs } : await getOrder(clientOrderId);
    if (!stored) throw new Error(`order ${clientOrderId} vanished after insert`);
    return { order: stored, created };
  };

  const transitionOrder = async (id: string, expectedSeq: number, next: OrderState, atMs: number) => {
    const current = await getOrder(id);
    if (!current) throw new Error(`no order ${id}`);
    if (current.seq !== expectedSeq) return undefined;
    const problem = transitionProblem(current, next);
    if (problem) throw new Error(`order ${id}: ${problem}`);
    const seq = expectedSeq + 1;
    if (!(await tryInsert(events, { _id: eventId(id, seq), orderId: id, seq, atMs, ...stateFields(next) }))) return undefined;
    // The head is a hint: a late writer can leave it at an older (never a later) state; readers move forward from it.
    // Filtering on `_id` alone lets FerretDB push the filter down to SQL instead of decoding every document.
    await orders.updateOne({ _id: id }, { $set: { head: { seq, status: next.status } } });
    if (isTerminal(next.status)) await active.deleteOne({ _id: id });
    return { ...current, ...next, seq, updatedAtMs: atMs };
  };

  const listOrders = async (q: OrderQuery): Promise<Order[]> => {
    const wanted = (o: Order) => (!q.mode || o.mode === q.mode) && (!q.symbol || o.symbol === q.symbol) && (!q.statuses || q.statuses.includes(o.status));
    let found: Order[];
    if (q.statuses?.every((s) => ACTIVE_STATUSES.includes(s))) {
      found = [];
      for (const marker of await active.find(q.mode ? { mode: q.mode } : {}).toArray()) {
        const order = await getOrder(String(marker._id));
        if (order && !isTerminal(order.status)) found.push(order);
        // A marker whose order is not there yet may be an insert in progress: only terminal orders lose theirs.
        else if (order) await active.deleteOne({ _id: marker._id });
      }
    } else {
      const filter: Record<string, unknown> = {};
      if (q.mode) filter.mode = q.mode;
      if (q.symbol) filter.symbol = q.symbol;
      // A stale head is an earlier, still active state, so active heads are candidates for every status.
      if (q.statuses) filter['head.status'] = { $in: [...new Set([...q.statuses, ...ACTIVE_STATUSES])] };
      found = [];
      for (const doc of await orders.find(filter).sort({ createdAtMs: -1, _id: -1 }).toArray()) {
        const order = await getOrder(String(doc._id));
        if (order && wanted(order)) found.push(order);
        if (found.length >= q.limit) break;
      }
    }
    const sorted = found.filter(wanted).sort((a, b) => b.createdAtMs - a.createdAtMs || (a.clientOrderId < b.clientOrderId ? 1 : -1));
    return sorted.slice(0, q.limit);
  };

  const orderHistory = async (id: string): Promise<OrderTransition[]> => {
    const doc = await orders.findOne({ _id: id });
    if (!doc) return [];
    const history = [toTransition(id, { ...(doc.initial as Doc), seq: 1 })];
    for (let seq = 2; ; seq++) {
      const e = await events.findOne({ _id: eventId(id, seq) });
      if (!e) return history;
      history.push(toTransition(id, e));
    }
  };

  return { insertOrder, getOrder, transitionOrder, listOrders, orderHistory };
}

/**
 * The ledger: append-only entries with `_id` = the global seq (zero-padded) and a unique `key` per fill or deposit.
 * Seqs are dense: a writer inserts seq N+1 only after seeing N, so losing N+1 to another writer means catching up
 * and trying N+2. Balances and positions are a fold over the entries, kept in memory and cached per mode in
 * `trading_ledger_state` (a cached fold is always a complete state at its `throughSeq`, so a stale one is harmless).
 */
function mongoLedger(db: Db, tryInsert: (col: Collection<Doc>, doc: Doc) => Promise<boolean>) {
  const ledger = db.collection<Doc>('trading_ledger');
  const states = db.collection<Doc>('trading_ledger_state');
  const memo = new Map<TradingMode, LedgerState>();

  /** Entries after `afterSeq`, oldest first: a few lookups by id, then one range scan when far behind. */
  const entriesAfter = async (afterSeq: number): Promise<Doc[]> => {
    const found: Doc[] = [];
    for (let seq = afterSeq + 1; found.length < PROBES; seq++) {
      const doc = await ledger.findOne({ _id: pad(seq) });
      if (!doc) return found;
      found.push(doc);
    }
    return [...found, ...(await ledger.find({ _id: { $gt: pad(afterSeq + PROBES) } }).sort({ _id: 1 }).toArray())];
  };

  /** The mode's state through the latest entry. */
  const fold = async (mode: TradingMode): Promise<LedgerState> => {
    let state = memo.get(mode) ?? decodeState(mode, (await states.findOne({ _id: mode })) as StateDoc | null);
    for (const doc of await entriesAfter(state.throughSeq)) {
      state = doc.mode === mode ? applyEntry(state, toEntry(doc)) : { ...state, throughSeq: Number(doc.seq) };
    }
    remember(state);
    return state;
  };
  const remember = (state: LedgerState) => {
    if ((memo.get(state.mode)?.throughSeq ?? -1) < state.throughSeq) memo.set(state.mode, state);
  };
  const saveState = async (state: LedgerState) => {
    try {
      await states.replaceOne({ _id: state.mode, throughSeq: { $lt: state.throughSeq } }, encodeState(state), { upsert: true });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // a newer fold is already cached
    }
  };

  /** Appends an entry at the next seq, computed from the state just before it; idempotent per key. */
  const append = async (mode: TradingMode, key: string, build: (state: LedgerState) => Doc): Promise<{ doc: Doc; inserted: boolean }> => {
    let state = memo.get(mode) ?? (await fold(mode));
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const seq = state.throughSeq + 1;
      const doc = { ...build(state), _id: pad(seq), seq, key, mode };
      if (await tryInsert(ledger, doc)) {
        const after = applyEntry(state, toEntry(doc));
        remember(after);
        await saveState(after);
        return { doc, inserted: true };
      }
      if (!(await ledger.findOne({ _id: pad(seq) }))) {
        const existing = await ledger.findOne({ key }); // the key, not the seq, was taken: recorded before
        if (existing) return { doc: existing, inserted: false };
      }
      state = await fold(mode);
    }
    throw new Error(`ledger append for ${key} lost ${MAX_ATTEMPTS} races in a row`);
  };

  const listEntries = async (mode: TradingMode, afterSeq: number) =>
    (await entriesAfter(afterSeq)).filter((doc) => doc.mode === mode).map(toEntry);

  return { ledger, fold, append, listEntries };
}

/** Ensures the indexes, then returns the MongoDB trading repository (what start-up should call). */
export async function openMongoTradingRepository(db: Db): Promise<TradingRepository> {
  await ensureTradingSchema(db);
  return createMongoTradingRepository(db);
}

/**
 * The trading ledger on MongoDB, written so that it stays right on servers whose conditional updates are not
 * atomic (FerretDB v1): orders are unique inserts and their transitions append-only events with a unique
 * (order, seq) id; the ledger is append-only with a unique global seq and a unique key per fill or deposit;
 * balances and positions are folded from it. Conditional updates only touch hints and single-writer documents.
 */
export function createMongoTradingRepository(db: Db): TradingRepository {
  const snapshots = db.collection<Doc>('trading_daily_snapshots');
  const breaker = db.collection<Doc>('trading_breaker_events');
  const paper = db.collection<Doc>('trading_paper_orders');
  const tryInsert = async (col: Collection<Doc>, doc: Doc) => {
    try {
      await col.insertOne(doc);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  };
  const orderRepo = mongoOrders(db, tryInsert);
  const { ledger, fold, append, listEntries } = mongoLedger(db, tryInsert);

  return {
    ...orderRepo,
    async recordFill(fill) {
      const { doc, inserted } = await append(fill.mode, fillKey(fill.clientOrderId, fill.fillId), (state) => ({
        _id: '', kind: 'fill', ...fill, amount: fill.amount.toString(), price: fill.price.toString(), feeAmount: fill.feeAmount.toString(),
        realizedPnl: applyFill(state.positions.get(fill.symbol), fill).realizedPnl.toString(),
      }));
      const entry = toEntry(doc);
      if (entry.kind !== 'fill') throw new Error(`ledger key of fill ${fill.fillId} holds a ${entry.kind}`);
      return { fill: entry.fill, inserted };
    },
    async recordDeposit(dep: Deposit) {
      const { inserted } = await append(dep.mode, dep.key, () => ({ _id: '', kind: 'deposit', ...dep, amount: dep.amount.toString() }));
      return { inserted };
    },
    async listFills(q) {
      const filter: Record<string, unknown> = { kind: 'fill' };
      if (q.mode) filter.mode = q.mode;
      if (q.clientOrderId) filter.clientOrderId = q.clientOrderId;
      if (q.symbol) filter.symbol = q.symbol;
      if (q.sinceMs !== undefined) filter.atMs = { $gte: q.sinceMs };
      const docs = await ledger.find(filter).sort({ _id: -1 }).limit(q.limit).toArray();
      return docs.map(toEntry).flatMap((e) => (e.kind === 'fill' ? [e.fill] : []));
    },
    async listDeposits(mode) {
      const docs = await ledger.find({ kind: 'deposit', mode }).sort({ _id: 1 }).toArray();
      return docs.map(toEntry).flatMap((e) => (e.kind === 'deposit' ? [e.deposit] : []));
    },
    listEntries,
    async listPositions(mode) {
      return [...(await fold(mode)).positions.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
    },
    async listBalances(mode) {
      return balanceList(await fold(mode));
    },
    async putDailySnapshot(s) {
      const doc: Doc = { ...s, _id: `${s.mode}:${s.day}` };
      for (const field of SNAPSHOT_FIELDS) doc[field] = s[field].toString();
      return tryInsert(snapshots, doc);
    },
    async listDailySnapshots(mode, fromDay = '') {
      const docs = await snapshots.find({ mode, day: { $gte: fromDay } }).sort({ day: 1 }).toArray();
      return docs.map((x): DailySnapshot => ({
        mode, day: String(x.day), atMs: Number(x.atMs), equity: d(x.equity), cash: d(x.cash), realizedPnl: d(x.realizedPnl),
        unrealizedPnl: d(x.unrealizedPnl), netDeposits: d(x.netDeposits), openPositions: Number(x.openPositions),
      }));
    },
    async appendBreakerEvent(e) {
      if (e.seq > 1 && !(await breaker.findOne({ _id: `${e.mode}#${pad(e.seq - 1)}` }))) return false;
      return tryInsert(breaker, { ...e, _id: `${e.mode}#${pad(e.seq)}`, trigger: e.trigger ?? null, by: e.by ?? null });
    },
    async listBreakerEvents(mode, limit) {
      const docs = await breaker.find({ mode }).sort({ seq: -1 }).limit(limit).toArray();
      return docs.map((x): BreakerEvent => ({
        mode, seq: Number(x.seq), atMs: Number(x.atMs), kind: x.kind as BreakerEvent['kind'],
        trigger: opt(x.trigger as BreakerEvent['trigger'] | null), detail: String(x.detail), by: opt(x.by as string | null),
      }));
    },
    async savePaperOrder(order) {
      // Every field is always written (absent values as null), so $set replaces the whole order; on FerretDB an
      // updateOne by _id stays fast as the collection grows, where replaceOne does not.
      const { clientOrderId, ...fields } = encodeBrokerOrder(order);
      await paper.updateOne({ _id: clientOrderId }, { $set: fields }, { upsert: true });
    },
    async loadPaperOrders() {
      const docs = await paper.find({}).sort({ createdAtMs: 1, _id: 1 }).toArray();
      return docs.map(({ _id, ...rest }) => decodeBrokerOrder({ ...rest, clientOrderId: String(_id) } as unknown as StoredBrokerOrder));
    },
  };
}
