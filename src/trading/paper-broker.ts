import { UserError } from '../errors.js';
import type { Broker, BrokerOrder, OrderRequest } from './broker.js';
import { Decimal } from './decimal.js';
import { checkMinimums, requireRule, roundAmount, roundPrice, tradableQuote } from './market-checks.js';
import { PaperAccount, reservation, reservationKey } from './paper-account.js';
import { decideExecution, feeRate, withFill, type PaperPricing, type SlippageModel } from './paper-execution.js';
import type { Clock, MarketRule, MarketRules, QuoteSource } from './ports.js';
import type { TradingRepository } from './repository.js';
import { createSerialQueue } from './serial-queue.js';

/** Options of the paper broker; only `quotes`, `rules`, `clock`, `store` and `startingBalances` are required. */
export interface PaperBrokerOptions {
  readonly quotes: QuoteSource;
  readonly rules: MarketRules;
  readonly clock: Clock;
  readonly store: Pick<TradingRepository, 'savePaperOrder' | 'loadPaperOrders'>;
  /** The simulated account's money at the start, per asset (e.g. `{ USDT: '10000' }`). */
  readonly startingBalances: Readonly<Record<string, string | Decimal>>;
  /** Older quotes (by the source's timestamp) are refused; 30 s by default. */
  readonly maxQuoteAgeMs?: number;
  /** Slippage in bps, or a model; 5 bps by default. */
  readonly slippage?: SlippageModel;
  /** Fee rates when the market rules have none; 0.1 % by default (a common spot taker rate). */
  readonly takerFeeRate?: string | Decimal;
  readonly makerFeeRate?: string | Decimal;
}

/** What one pass over resting orders did. */
export interface RestingCheckReport {
  readonly filled: BrokerOrder[];
  readonly expired: BrokerOrder[];
  readonly rejected: BrokerOrder[];
  /** Orders left alone because their quote could not be traded on, with the reason. */
  readonly skipped: Array<{ clientOrderId: string; reason: string }>;
}

/** A broker that fills against real current quotes in a simulated account; see {@link createPaperBroker}. */
export interface PaperBroker extends Broker {
  /** Fills resting limit and stop orders that the market crossed, expires those past their time. */
  checkRestingOrders(nowMs: number): Promise<RestingCheckReport>;
}

/** Loads the paper account from the store and returns the broker; one instance per process should own it. */
export async function createPaperBroker(options: PaperBrokerOptions): Promise<PaperBroker> {
  const pricing: PaperPricing = {
    slippage: options.slippage ?? 5,
    takerFeeRate: Decimal.from(options.takerFeeRate ?? '0.001'),
    makerFeeRate: Decimal.from(options.makerFeeRate ?? '0.001'),
  };
  const starting = new Map(Object.entries(options.startingBalances).map(([a, v]) => [a, Decimal.from(v)] as const));
  const rates = { ...pricing, stopBuffer: Decimal.from('0.01') };
  const account = new PaperAccount(starting, rates);
  for (const order of await options.store.loadPaperOrders()) account.put(order);
  const maxAgeMs = options.maxQuoteAgeMs ?? 30_000;
  // One change at a time: a balance check and the fill it allows must not interleave with another order's.
  const serial = createSerialQueue();
  const save = async (order: BrokerOrder) => {
    await options.store.savePaperOrder(order);
    account.put(order);
    return order;
  };
  const quoteFor = async (symbol: string, nowMs: number) =>
    tradableQuote(await options.quotes.getQuote(symbol), symbol, nowMs, maxAgeMs);

  /** The order filled at `price`; a UserError when the account cannot pay for it (not counting its own reservation). */
  const fillOrThrow = (rule: MarketRule, order: BrokerOrder, price: Decimal, liquidity: 'taker' | 'maker', nowMs: number) => {
    const filled = withFill(order, price, feeRate(rule, pricing, liquidity), nowMs);
    const last = filled.fills[filled.fills.length - 1]!;
    if (order.side === 'buy') account.require(order.quote, last.amount.times(last.price).plus(last.feeAmount), reservationKey(order));
    else account.require(order.base, last.amount, reservationKey(order));
    return filled;
  };

  const place = async (request: OrderRequest): Promise<BrokerOrder> => {
    const existing = account.get(request.clientOrderId);
    if (existing) return existing;
    const rule = await requireRule(options.rules, request.symbol);
    const nowMs = options.clock.now();
    const quote = await quoteFor(request.symbol, nowMs);
    const amount = roundAmount(rule, request.amount);
    const limitPrice = request.limitPrice && roundPrice(rule, request.limitPrice, request.side === 'buy' ? 'down' : 'up');
    const stopPrice = request.stopPrice && roundPrice(rule, request.stopPrice, 'half_even');
    const rounded: OrderRequest = { ...request, amount, limitPrice, stopPrice };
    if (request.type !== 'market' && !(limitPrice ?? stopPrice)?.isPositive()) {
      throw new UserError(`a ${request.type} order needs a positive ${request.type === 'limit' ? 'limit' : 'stop'} price`);
    }
    const execution = decideExecution(rule, rounded, quote, pricing, false);
    if (request.type === 'stop' && execution) {
      throw new UserError(`the stop price ${stopPrice!.toString()} would trigger at once (bid ${quote.bid.toString()}, ask ${quote.ask.toString()})`);
    }
    checkMinimums(rule, amount, execution?.price ?? limitPrice ?? stopPrice ?? quote.last);
    const order: BrokerOrder = {
      ...rounded,
      brokerOrderId: `paper-${account.size + 1}`,
      base: rule.base,
      quote: rule.quote,
      status: 'open',
      filledAmount: Decimal.ZERO,
      averagePrice: undefined,
      fills: [],
      reason: undefined,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    };
    if (execution) return save(fillOrThrow(rule, order, execution.price, execution.liquidity, nowMs));
    const held = reservation(order, rates);
    account.require(held.asset, held.amount, reservationKey(order));
    return save(order);
  };

  const checkOne = async (order: BrokerOrder, nowMs: number, report: RestingCheckReport) => {
    if (order.expiresAtMs !== undefined && order.expiresAtMs <= nowMs) {
      report.expired.push(await save({ ...order, status: 'expired', reason: 'expired unfilled', updatedAtMs: nowMs }));
      return;
    }
    const rule = await requireRule(options.rules, order.symbol);
    const execution = decideExecution(rule, order, await quoteFor(order.symbol, nowMs), pricing, true);
    if (!execution) return;
    try {
      report.filled.push(await save(fillOrThrow(rule, order, execution.price, execution.liquidity, nowMs)));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      report.rejected.push(await save({ ...order, status: 'rejected', reason: `triggered but ${error.message}`, updatedAtMs: nowMs }));
    }
  };

  return {
    mode: 'paper',
    placeOrder: (request) => serial(() => place(request)),
    cancelOrder: (clientOrderId) =>
      serial(async () => {
        const order = account.get(clientOrderId);
        if (!order) throw new UserError(`no paper order ${clientOrderId}`);
        if (order.status !== 'open' && order.status !== 'partially_filled') return order;
        return save({ ...order, status: 'cancelled', reason: 'cancelled on request', updatedAtMs: options.clock.now() });
      }),
    fetchOrder: async (clientOrderId) => account.get(clientOrderId),
    balances: async () =>
      [...account.totalsByAsset()].sort(([a], [b]) => a.localeCompare(b)).map(([asset, amount]) => ({ mode: 'paper' as const, asset, amount })),
    openOrders: async (symbol) => account.open().filter((o) => symbol === undefined || o.symbol === symbol),
    checkRestingOrders: (nowMs) =>
      serial(async () => {
        const report: RestingCheckReport = { filled: [], expired: [], rejected: [], skipped: [] };
        for (const order of account.open()) {
          try {
            await checkOne(order, nowMs, report);
          } catch (error) {
            report.skipped.push({ clientOrderId: order.clientOrderId, reason: (error as Error).message });
          }
        }
        return report;
      }),
  };
}
