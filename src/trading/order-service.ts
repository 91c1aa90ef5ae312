import { randomUUID } from 'node:crypto';
import { TemporaryError, UserError } from '../errors.js';
import { createAccountViews } from './account-views.js';
import type { TradingBreaker } from './breaker.js';
import { OutcomeUnknownError, type Broker, type OrderRequest } from './broker.js';
import { Decimal } from './decimal.js';
import { checkMinimums, requireRule, roundAmount, roundPrice } from './market-checks.js';
import { isTerminal } from './order-lifecycle.js';
import { reconcileOrders, syncOrder, type ReconcileReport } from './order-sync.js';
import { syncExchangeBalances, type BalanceSyncReport } from './balance-sync.js';
import { createLedgerAudit, type LedgerAnomaly } from './ledger-audit.js';
import { checkProtectivePrices, protectiveOrderId, protectPositions, releaseExits, restoreExits, type ProtectionReport, type ProtectiveExit } from './protective-orders.js';
import { loadPortfolio, riskSnapshot, type Portfolio } from './portfolio.js';
import type { Clock, MarketRule, MarketRules, QuoteSource } from './ports.js';
import type { TradingRepository } from './repository.js';
import { checkAll, type RiskLimits, type RiskRuleName, type RiskSnapshot } from './risk-rules.js';
import { createSerialQueue } from './serial-queue.js';
import { TradeStats } from './trade-stats.js';
import type { NewOrder, Order, OrderSide, OrderType, RecordedFill, TradingMode } from './types.js';

/** PAPER or LIVE, shown on every trading reply. */
export type ModeBadge = 'PAPER' | 'LIVE';

/** The badge of a trading mode. */
export const modeBadge = (mode: TradingMode): ModeBadge => (mode === 'paper' ? 'PAPER' : 'LIVE');

/** What /buy and /sell ask for. Amount in the base asset; prices in the quote asset. */
export interface PlaceOrderInput {
  /** Makes the request idempotent (e.g. derived from the chat request id); generated when absent. */
  readonly clientOrderId?: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly amount: Decimal | string;
  readonly limitPrice?: Decimal | string;
  readonly stopPrice?: Decimal | string;
  readonly expiresAtMs?: number;
  readonly requestedBy: string;
  /** For a buy: once it fills, a stop-loss (resting stop sell) at this price, OCO-linked with the take-profit. */
  readonly stopLossPrice?: Decimal | string;
  /** For a buy: once it fills, a take-profit (resting limit sell) at this price. */
  readonly takeProfitPrice?: Decimal | string;
  /** Set on the protective exits the service places itself: the entry they protect. */
  readonly parentClientOrderId?: string;
}

/** Why an order was not even written: a risk rule or the breaker said no. */
export interface OrderRefusal {
  readonly rule: RiskRuleName | 'breaker';
  readonly limit: string;
  readonly current: string;
  readonly message: string;
}

/** The outcome of placing an order. */
export type OrderResult =
  | {
      readonly kind: 'placed'; readonly badge: ModeBadge; readonly order: Order; readonly fills: RecordedFill[]; readonly duplicate: boolean;
      /** The entry's stop-loss and take-profit orders placed so far, and why any could not be placed. */
      readonly protective?: { readonly orders: Order[]; readonly failed: ProtectionReport['failed'] };
      /** A sell by hand that did not sell: the protective exits it had cancelled, placed again. */
      readonly restored?: RestoredExits;
    }
  | { readonly kind: 'refused'; readonly badge: ModeBadge; readonly refusal: OrderRefusal; readonly restored?: RestoredExits };

/** Protective exits put back after a sell by hand that did not go through. */
export interface RestoredExits {
  readonly orders: Order[];
  readonly failed: ProtectionReport['failed'];
}

/** What `start()` found: the reconcile, and in live mode the exchange balances booked into the ledger. */
export type StartReport = ReconcileReport & { readonly balanceSync?: BalanceSyncReport };

/** Where the service reports what a person must look at (pino's logger fits). */
export interface ServiceLog {
  warn(detail: object, message: string): void;
  error(detail: object, message: string): void;
}

/** Everything the order service needs; one service per broker (paper or live). */
export interface OrderServiceOptions {
  readonly repo: TradingRepository;
  readonly broker: Broker & { checkRestingOrders?(nowMs: number): Promise<unknown> };
  readonly quotes: QuoteSource;
  readonly rules: MarketRules;
  readonly breaker: TradingBreaker;
  readonly clock: Clock;
  readonly limits: RiskLimits;
  /** The account's currency (e.g. `USDT`): equity, P&L and limits are in it. */
  readonly quoteAsset: string;
  /** Whether the market-data breaker is open now; closed when absent. */
  readonly marketDataOpen?: () => boolean;
  readonly newClientOrderId?: () => string;
  /** How long a `new` order the broker does not know may still be in flight; 60 s by default. */
  readonly notFoundGraceMs?: number;
  /** The paper account's starting money, booked once as deposits by `start()` (same values as the paper broker's). */
  readonly startingBalances?: Readonly<Record<string, string | Decimal>>;
  /** Live: `start()` books the difference between the exchange's balances and the ledger's as deposits/withdrawals. */
  readonly syncExchangeBalances?: boolean;
  /** Ledger anomalies (a sell larger than the position) and protection fallbacks are reported here. */
  readonly log?: ServiceLog;
}

const dec = (v: Decimal | string | undefined) => (v === undefined ? undefined : Decimal.from(v));

/** The trading flow: risk check → write order (new) → send → record fills → position and balances; plus reconcile. */
export function createOrderService(o: OrderServiceOptions) {
  const mode = o.broker.mode;
  const badge = modeBadge(mode);
  const stats = new TradeStats(o.repo, mode, o.quoteAsset);
  const views = createAccountViews(o.repo, o.quotes, mode, o.quoteAsset);
  let runningPeak: { sinceMs: number; equity: Decimal } | undefined;
  // One order at a time per service: a risk check and the fill it allows must not interleave with another's.
  const serial = createSerialQueue();

  const assess = async (nowMs: number): Promise<{ portfolio: Portfolio; snapshot: RiskSnapshot }> => {
    const sinceMs = o.breaker.epochStartMs();
    const portfolio = await loadPortfolio(o.repo, o.quotes, mode, o.quoteAsset, nowMs);
    const peak = runningPeak?.sinceMs === sinceMs ? runningPeak.equity : undefined;
    const snapshot = await riskSnapshot(o.repo, portfolio, await stats.update(nowMs, sinceMs), sinceMs, peak);
    runningPeak = { sinceMs, equity: snapshot.peakEquity };
    await o.breaker.evaluate({ snapshot, marketDataOpen: o.marketDataOpen?.() ?? false }, nowMs);
    return { portfolio, snapshot };
  };

  const estimatePrice = async (rule: MarketRule, input: PlaceOrderInput, limit?: Decimal, stop?: Decimal) => {
    if (limit ?? stop) return (limit ?? stop)!;
    const q = await o.quotes.getQuote(rule.symbol).catch((error: unknown) => {
      const why = `no quote for ${rule.symbol} to value the order`;
      // An outage keeps its own retry time, said once at the end.
      if (error instanceof TemporaryError) throw new TemporaryError(`${why}: ${error.reason}`, error.retryAfterMs, { cause: error, sayWhen: error.saysWhen });
      throw new TemporaryError(`${why}: ${(error as Error).message}`, 10_000, { cause: error });
    });
    const price = (input.side === 'buy' ? q.ask : q.bid) ?? q.last;
    if (!Number.isFinite(price) || price <= 0) throw new TemporaryError(`no usable ${rule.symbol} price to value the order`, 10_000);
    return Decimal.from(price);
  };

  const send = async (order: Order, nowMs: number): Promise<OrderResult> => {
    const { clientOrderId, symbol, side, type, amount, limitPrice, stopPrice, expiresAtMs } = order;
    const request: OrderRequest = { clientOrderId, symbol, side, type, amount, limitPrice, stopPrice, expiresAtMs, ocoGroup: order.parentClientOrderId };
    try {
      const remote = await o.broker.placeOrder(request);
      o.breaker.recordOrderOutcome(true, nowMs);
      const { order: after, newFills } = await syncOrder(o.repo, order, remote, o.clock.now());
      return { kind: 'placed', badge, order: after, fills: newFills, duplicate: false };
    } catch (error) {
      return settleFailure([order], error, nowMs);
    }
  };

  /** A failed placement: certainly not placed → the orders are rejected; otherwise reconcile settles them later. */
  const settleFailure = async (orders: readonly Order[], error: unknown, nowMs: number): Promise<never> => {
    const certain = (error instanceof UserError || error instanceof TemporaryError) && !(error instanceof OutcomeUnknownError);
    if (!(error instanceof UserError)) o.breaker.recordOrderOutcome(false, nowMs);
    const ids = orders.map((x) => x.clientOrderId).join(' and ');
    if (!certain) {
      throw new OutcomeUnknownError(`order ${ids} was sent but its outcome is unknown (${(error as Error).message}); reconcile will settle it`, 30_000, { cause: error });
    }
    for (const x of orders) await o.repo.transitionOrder(x.clientOrderId, x.seq, { ...x, status: 'rejected', reason: (error as Error).message }, o.clock.now());
    throw error;
  };

  /** Sends a stop-loss and a take-profit (both `new` in the ledger) as one native OCO order list. */
  const sendOco = async (sl: Order, tp: Order, nowMs: number): Promise<void> => {
    try {
      const remotes = await o.broker.placeOco!({
        listClientOrderId: `${sl.clientOrderId}-oco`, symbol: sl.symbol, amount: sl.amount,
        stopLoss: { clientOrderId: sl.clientOrderId, stopPrice: sl.stopPrice! }, takeProfit: { clientOrderId: tp.clientOrderId, limitPrice: tp.limitPrice! },
      });
      o.breaker.recordOrderOutcome(true, nowMs);
      await syncOrder(o.repo, sl, remotes[0], o.clock.now());
      await syncOrder(o.repo, tp, remotes[1], o.clock.now());
    } catch (error) {
      await settleFailure([sl, tp], error, nowMs);
    }
  };

  /** Writes both exits (or finds them written) and sends them as one OCO; a leg already sent alone leaves the other alone. */
  const placeExitPair = async (exits: readonly [ProtectiveExit, ProtectiveExit]): Promise<void> => {
    const nowMs = o.clock.now();
    const orders: Order[] = [];
    for (const exit of exits) {
      const prepared = await prepare({ ...exit, side: 'sell' });
      orders.push('done' in prepared ? await storedOrder(exit.clientOrderId, prepared.done) : (await o.repo.insertOrder(prepared.order)).order);
    }
    const [sl, tp] = orders as [Order, Order];
    if (sl.status === 'new' && tp.status === 'new') return sendOco(sl, tp, nowMs);
    for (const x of orders) if (x.status === 'new') await send(x, nowMs);
  };

  const storedOrder = async (clientOrderId: string, done: OrderResult): Promise<Order> => {
    if (done.kind === 'placed') return done.order;
    throw new UserError(`protective order ${clientOrderId} refused: ${done.refusal.message}`);
  };

  /** Everything before the ledger write: rounding, exchange minimums, price sanity, breaker and risk rules. */
  const prepare = async (input: PlaceOrderInput): Promise<{ done: OrderResult } | { order: NewOrder; nowMs: number }> => {
    const nowMs = o.clock.now();
    const clientOrderId = input.clientOrderId ?? (o.newClientOrderId ?? randomUUID)();
    // A caller's id may repeat (a retried request): answer with the stored order before any risk check.
    const existing = input.clientOrderId === undefined ? undefined : await o.repo.getOrder(clientOrderId);
    if (existing) return { done: { kind: 'placed', badge, order: existing, fills: [], duplicate: true } };
    const rule = await requireRule(o.rules, input.symbol);
    const amount = roundAmount(rule, Decimal.from(input.amount));
    const limitPrice = dec(input.limitPrice) && roundPrice(rule, dec(input.limitPrice)!, input.side === 'buy' ? 'down' : 'up');
    const stopPrice = dec(input.stopPrice) && roundPrice(rule, dec(input.stopPrice)!, 'half_even');
    const price = await estimatePrice(rule, input, limitPrice, stopPrice);
    checkMinimums(rule, amount, price);
    const stopLossPrice = dec(input.stopLossPrice) && roundPrice(rule, dec(input.stopLossPrice)!, 'half_even');
    const takeProfitPrice = dec(input.takeProfitPrice) && roundPrice(rule, dec(input.takeProfitPrice)!, 'up');
    if (stopLossPrice ?? takeProfitPrice) {
      const bid = input.type === 'market' ? await estimatePrice(rule, { ...input, side: 'sell' }) : price;
      checkProtectivePrices(input.side, price, bid, stopLossPrice, takeProfitPrice);
    }
    const { snapshot } = await assess(nowMs);
    const blocked = o.breaker.refusal(input.side);
    if (blocked) {
      const s = o.breaker.status();
      return { done: { kind: 'refused', badge, refusal: { rule: 'breaker', limit: s.trigger ?? 'tripped', current: s.detail ?? '', message: blocked } } };
    }
    const verdict = checkAll(snapshot, { symbol: rule.symbol, side: input.side, amount, notional: amount.times(price) }, nowMs, o.limits);
    if (!verdict.ok) return { done: { kind: 'refused', badge, refusal: verdict } };
    const order: NewOrder = {
      clientOrderId, mode, symbol: rule.symbol, base: rule.base, quote: rule.quote, side: input.side, type: input.type, amount,
      limitPrice, stopPrice, expiresAtMs: input.expiresAtMs, requestedBy: input.requestedBy, createdAtMs: nowMs,
      stopLossPrice, takeProfitPrice, parentClientOrderId: input.parentClientOrderId,
    };
    return { order, nowMs };
  };

  const place = async (input: PlaceOrderInput): Promise<OrderResult> => {
    const prepared = await prepare(input);
    if ('done' in prepared) return prepared.done;
    const { order, created } = await o.repo.insertOrder(prepared.order);
    if (!created) return { kind: 'placed', badge, order, fills: [], duplicate: true };
    const result = await send(order, prepared.nowMs);
    // The order is placed: a failure to re-check the breaker now must not hide that; the next order re-checks it.
    await assess(o.clock.now()).catch(() => undefined);
    return result;
  };

  const placeExit = (exit: ProtectiveExit) => place({ ...exit, side: 'sell' });

  /** Places the exits of filled entries and cancels those whose sibling filled or whose position is gone. */
  const ports = { repo: o.repo, mode, place: placeExit, cancel: (id: string) => cancel(id), ...(o.broker.placeOco ? { placePair: placeExitPair } : {}) };
  const protect = () => protectPositions(ports);
  const audit = createLedgerAudit(o.repo, mode, (anomaly) => o.log?.error({ anomaly: { ...anomaly, amount: anomaly.amount.toString() } }, anomaly.message));

  /** A sell by hand: exits it needs are released first, and put back when it did not sell. */
  const placeSell = async (input: PlaceOrderInput, repeated: boolean): Promise<OrderResult> => {
    const released = repeated ? [] : (await releaseExits(ports, input.symbol, Decimal.from(input.amount))).released;
    const restore = async (): Promise<RestoredExits | undefined> => {
      if (released.length === 0) return undefined;
      const report = await restoreExits(ports, released);
      const orders = (await Promise.all(report.placed.map((id) => o.repo.getOrder(id)))).filter((x): x is Order => x !== undefined);
      return { orders, failed: report.failed };
    };
    let result: OrderResult;
    try {
      result = await place(input);
    } catch (error) {
      const notSold = (error instanceof UserError || error instanceof TemporaryError) && !(error instanceof OutcomeUnknownError);
      const restored = notSold ? await restore() : undefined;
      throw restored ? withRestoredNote(error as Error, restored) : error;
    }
    const ended = result.kind === 'refused' || ['rejected', 'expired', 'cancelled'].includes(result.order.status);
    const restored = ended ? await restore() : undefined;
    return restored ? { ...result, restored } : result;
  };

  /** An order placed by a person: then the protection pass, and the entry's own exits in the result. */
  const placeProtected = async (input: PlaceOrderInput): Promise<OrderResult> => {
    const repeated = input.clientOrderId !== undefined && (await o.repo.getOrder(input.clientOrderId)) !== undefined;
    // Exits hold the position at the broker: a sell by hand first cancels those the rest of the position cannot cover.
    const result = input.side === 'sell' ? await placeSell(input, repeated) : await place(input);
    await audit.check().catch(() => undefined);
    if (result.kind !== 'placed') return result;
    const report = await protect().catch((error: unknown) => ({ failed: [{ clientOrderId: result.order.clientOrderId, reason: (error as Error).message }] }));
    const { order } = result;
    if (order.stopLossPrice === undefined && order.takeProfitPrice === undefined) return result;
    const ids = [protectiveOrderId(order.clientOrderId, 'stop-loss'), protectiveOrderId(order.clientOrderId, 'take-profit')];
    const orders = (await Promise.all(ids.map((id) => o.repo.getOrder(id)))).filter((x): x is Order => x !== undefined);
    return { ...result, order: (await o.repo.getOrder(order.clientOrderId)) ?? order, protective: { orders, failed: report.failed.filter((f) => ids.includes(f.clientOrderId)) } };
  };

  const cancel = async (clientOrderId: string): Promise<Order> => {
    const order = await o.repo.getOrder(clientOrderId);
    if (!order || order.mode !== mode) throw new UserError(`no ${mode} order ${clientOrderId}`);
    if (isTerminal(order.status)) throw new UserError(`order ${clientOrderId} is already ${order.status}`);
    const remote = await o.broker.fetchOrder(clientOrderId, order.symbol);
    if (!remote) {
      const after = await o.repo.transitionOrder(clientOrderId, order.seq, { ...order, status: 'cancelled', reason: 'cancelled before the broker received it' }, o.clock.now());
      return after ?? (await o.repo.getOrder(clientOrderId))!;
    }
    return (await syncOrder(o.repo, order, await o.broker.cancelOrder(clientOrderId, order.symbol), o.clock.now())).order;
  };

  return {
    ...views,
    mode,
    badge,
    breaker: o.breaker,
    /** Places an order through risk checks and the breaker; a refusal is returned, not thrown. */
    placeOrder: (input: PlaceOrderInput) => serial(() => placeProtected(input)),
    /** Cancels an open order at the broker and records its final state. */
    cancelOrder: (clientOrderId: string) => serial(() => cancel(clientOrderId)),
    /** Sells the whole open position in `symbol` at market (an exit: allowed while the breaker is tripped). */
    closePosition: async (symbol: string, requestedBy: string, clientOrderId?: string) => {
      const position = (await o.repo.listPositions(mode)).find((p) => p.symbol === symbol && p.amount.isPositive());
      if (!position) throw new UserError(`no open ${mode} position in ${symbol}`);
      return serial(() => placeProtected({ clientOrderId, symbol, side: 'sell', type: 'market', amount: position.amount, requestedBy }));
    },
    /**
     * Start-up: books the paper starting balances (once), reconciles every active order with the broker, then in live
     * mode books what the exchange holds beyond the ledger (after reconcile, so fills are not booked as deposits).
     */
    start: (): Promise<StartReport> =>
      serial(async () => {
        const nowMs = o.clock.now();
        for (const [asset, amount] of Object.entries(o.startingBalances ?? {})) {
          await o.repo.recordDeposit({ key: `${mode}-start:${asset}`, mode, asset, amount: Decimal.from(amount), atMs: nowMs, note: 'starting balance' });
        }
        const report = await reconcileOrders(o.repo, o.broker, nowMs, o.notFoundGraceMs ?? 60_000);
        const balanceSync = o.syncExchangeBalances ? await syncExchangeBalances(o.repo, o.broker, nowMs, unsettledAssets(report)) : undefined;
        if (!o.broker.placeOco && o.broker.mode === 'live') {
          o.log?.warn({}, 'this exchange has no native OCO through ccxt: a stop-loss and a take-profit go out as two orders, and an exchange that reserves the coins for the first may refuse the second');
        }
        await protect();
        await audit.check();
        return balanceSync ? { ...report, balanceSync } : report;
      }),
    /** Sells larger than the position the ledger held (coins from outside the bot, or a missing fill), oldest first. */
    anomalies: (): Promise<LedgerAnomaly[]> => audit.check(),
    /** Brings every active order into agreement with the broker (start-up, and after each resting-order check). */
    reconcile: (): Promise<ReconcileReport> =>
      serial(async () => {
        const report = await reconcileOrders(o.repo, o.broker, o.clock.now(), o.notFoundGraceMs ?? 60_000);
        await protect();
        await audit.check();
        return report;
      }),
    /**
     * For the refresh job: lets the broker fill resting orders, records what happened, re-checks the breaker; returns
     * the reconcile report and the portfolio the breaker was checked on.
     */
    refresh: (nowMs: number): Promise<ReconcileReport & { readonly portfolio: Portfolio }> =>
      serial(async () => {
        await o.broker.checkRestingOrders?.(nowMs);
        const report = await reconcileOrders(o.repo, o.broker, nowMs, o.notFoundGraceMs ?? 60_000);
        await protect();
        await audit.check();
        const { portfolio } = await assess(nowMs);
        return { ...report, portfolio };
      }),
    /** The account valued now, with the risk snapshot the rules would see; re-checks the breaker. */
    assess: (nowMs: number) => serial(() => assess(nowMs)),
    /** Resets the breaker (the chat layer checks admin and confirmation first). */
    resetBreaker: (by: string) => serial(() => o.breaker.reset(by, o.clock.now())),
  };
}

/** The assets whose balance may still move by fills the ledger lacks: those of orders reconcile could not settle. */
function unsettledAssets(report: ReconcileReport): Set<string> {
  const orders = [...report.pending, ...report.missing, ...report.failed.map((f) => f.order)];
  return new Set(orders.flatMap((x) => [x.base, x.quote]));
}

/** The same error, its message saying that the exits were put back (or which could not be), before any retry time. */
function withRestoredNote(error: Error, restored: RestoredExits): Error {
  const note = [
    restored.orders.length > 0 ? ` Its protective orders were placed again: ${restored.orders.map((x) => x.clientOrderId).join(', ')}.` : '',
    ...restored.failed.map((f) => ` Protective order ${f.clientOrderId} could NOT be placed again (${f.reason}): the position is unprotected.`),
  ].join('');
  if (error instanceof OutcomeUnknownError) return error;
  if (error instanceof UserError) return new UserError(`${error.message}${note}`, error.usage);
  if (error instanceof TemporaryError) {
    // A reason is a clause (a retry time used to end it); the note follows it as sentences of their own.
    const reason = note && !/[.!?]$/.test(error.reason) ? `${error.reason}.` : error.reason;
    return new TemporaryError(`${reason}${note}`, error.retryAfterMs, { cause: error, sayWhen: error.saysWhen });
  }
  return error;
}

/** The order service API; see {@link createOrderService}. */
export type OrderService = ReturnType<typeof createOrderService>;
