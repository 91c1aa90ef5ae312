import type { Order as CcxtOrder, Trade as CcxtTrade } from 'ccxt';
import { TemporaryError, UserError } from '../errors.js';
import { OutcomeUnknownError, type Broker, type BrokerFill, type BrokerOrder, type OcoRequest, type OrderRequest } from '../trading/broker.js';
import { Decimal } from '../trading/decimal.js';
import type { OrderStatus } from '../trading/types.js';
import { openTradingExchange, type CcxtClientOptions, type TradingExchange } from './ccxt.js';

/** Options of {@link createCcxtBroker}: the exchange (id, API URL) and its API key and secret. */
export type CcxtBrokerOptions = CcxtClientOptions & { readonly credentials: NonNullable<CcxtClientOptions['credentials']> };

const num = (d: Decimal | undefined) => (d === undefined ? undefined : Number(d.toString()));
const dec = (v: unknown, fallback = Decimal.ZERO) => (typeof v === 'number' && Number.isFinite(v) ? Decimal.from(v) : fallback);

function statusOf(o: CcxtOrder): Exclude<OrderStatus, 'new'> {
  const filled = dec(o.filled);
  switch (o.status) {
    case 'closed':
      return 'filled';
    case 'canceled':
      return 'cancelled';
    case 'rejected':
      return 'rejected';
    case 'expired':
      return 'expired';
    default:
      return filled.isPositive() ? 'partially_filled' : 'open';
  }
}

/** Why the exchange ended an order, for a rejected or expired one. */
function reasonOf(o: CcxtOrder): string | undefined {
  if (o.status !== 'rejected' && o.status !== 'expired') return undefined;
  const listId = Number((o.info as { orderListId?: unknown } | undefined)?.orderListId ?? -1);
  return o.status === 'expired' && listId >= 0 ? 'the other order of its OCO filled, so the exchange ended it' : `the exchange reports ${o.status}`;
}

function fillOf(t: CcxtTrade, quote: string): BrokerFill {
  return {
    fillId: String(t.id), amount: dec(t.amount), price: dec(t.price), feeAmount: dec(t.fee?.cost),
    feeAsset: t.fee?.currency ?? quote, atMs: t.timestamp ?? 0,
  };
}

/** Binance's OCO endpoint (POST /api/v3/orderList/oco), which ccxt 4 exposes only as an implicit API method. */
interface OcoApi {
  privatePostOrderListOco(params: Record<string, unknown>): Promise<{ orderReports?: unknown[] }>;
}

/** The two legs of an OCO as single order requests: [stop-loss, take-profit]. */
function ocoLegs(r: OcoRequest): [OrderRequest, OrderRequest] {
  const common = { symbol: r.symbol, side: 'sell' as const, amount: r.amount, expiresAtMs: undefined, ocoGroup: r.listClientOrderId };
  return [
    { ...common, clientOrderId: r.stopLoss.clientOrderId, type: 'stop', limitPrice: undefined, stopPrice: r.stopLoss.stopPrice },
    { ...common, clientOrderId: r.takeProfit.clientOrderId, type: 'limit', limitPrice: r.takeProfit.limitPrice, stopPrice: undefined },
  ];
}

/**
 * The live {@link Broker} over ccxt (Binance spot and any exchange ccxt unifies the same way); on Binance it places
 * stop-loss + take-profit as one native OCO order list (`placeOco`). Our client order id
 * travels as Binance's `newClientOrderId`, so an order can always be found again. Errors say what happened: an
 * order the exchange refused → UserError; a rate limit (the request was turned away) → TemporaryError; a timeout,
 * a dropped connection, a 5xx or an unreadable answer → OutcomeUnknownError, for reconcile to settle.
 */
export async function createCcxtBroker(options: CcxtBrokerOptions): Promise<Broker & { close(): Promise<void> }> {
  const tx: TradingExchange = await openTradingExchange(options);
  const { exchange, ccxt } = tx;

  const toBrokerOrder = async (o: CcxtOrder, request?: OrderRequest): Promise<BrokerOrder> => {
    const market = exchange.market(String(o.symbol));
    let trades = o.trades ?? [];
    if (trades.length === 0 && dec(o.filled).isPositive()) {
      trades = await exchange.fetchMyTrades(String(o.symbol), undefined, undefined, { orderId: o.id });
      trades = trades.filter((t) => String(t.order) === String(o.id));
    }
    const [base, quote] = [String(market.base), String(market.quote)];
    const fills = trades.map((t) => fillOf(t, quote));
    const type = request?.type ?? (o.type === 'limit' ? 'limit' : o.triggerPrice ? 'stop' : 'market');
    return {
      clientOrderId: o.clientOrderId ?? request?.clientOrderId ?? '', brokerOrderId: String(o.id), symbol: String(o.symbol),
      base, quote, side: o.side === 'sell' ? 'sell' : 'buy', type,
      amount: request?.amount ?? dec(o.amount), limitPrice: request?.limitPrice ?? (type === 'limit' ? dec(o.price) : undefined),
      stopPrice: request?.stopPrice ?? (o.triggerPrice ? dec(o.triggerPrice) : undefined), expiresAtMs: request?.expiresAtMs,
      status: statusOf(o), filledAmount: dec(o.filled), averagePrice: o.average ? dec(o.average) : undefined, fills,
      reason: reasonOf(o),
      createdAtMs: o.timestamp ?? 0, updatedAtMs: o.lastUpdateTimestamp ?? o.lastTradeTimestamp ?? o.timestamp ?? 0,
    };
  };

  const fetchOrder = async (clientOrderId: string, symbol: string): Promise<BrokerOrder | undefined> => {
    try {
      return await toBrokerOrder(await exchange.fetchOrder('', symbol, { origClientOrderId: clientOrderId }));
    } catch (error) {
      if (error instanceof ccxt.OrderNotFound) return undefined;
      throw tx.mapError(error, symbol);
    }
  };

  /** What a failed createOrder means: refused (UserError), turned away (TemporaryError), or unknown. */
  const placementError = (error: unknown, symbol: string): Error => {
    if (error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection) return tx.mapError(error, symbol);
    const refused = [ccxt.InvalidOrder, ccxt.InsufficientFunds, ccxt.BadSymbol, ccxt.BadRequest, ccxt.AuthenticationError, ccxt.PermissionDenied, ccxt.AccountSuspended];
    if (refused.some((kind) => error instanceof kind)) {
      const mapped = tx.mapError(error, symbol);
      return mapped instanceof UserError ? mapped : new UserError(`the exchange refused the order: ${mapped.message.replace(/^[a-z]+: /, '')}`);
    }
    return new OutcomeUnknownError(`the exchange's answer about the order was lost (${(error as Error).message})`, 30_000, { cause: error });
  };

  const placeOco = async (request: OcoRequest): Promise<[BrokerOrder, BrokerOrder]> => {
    const legs = ocoLegs(request);
    const known = await Promise.all(legs.map((leg) => fetchOrder(leg.clientOrderId, request.symbol)));
    if (known[0] && known[1]) return [known[0], known[1]];
    const market = exchange.market(request.symbol);
    const params = {
      symbol: market.id, side: 'SELL', quantity: exchange.amountToPrecision(request.symbol, num(request.amount)!),
      listClientOrderId: request.listClientOrderId, newOrderRespType: 'FULL',
      aboveType: 'LIMIT_MAKER', abovePrice: exchange.priceToPrecision(request.symbol, num(request.takeProfit.limitPrice)!), aboveClientOrderId: request.takeProfit.clientOrderId,
      belowType: 'STOP_LOSS', belowStopPrice: exchange.priceToPrecision(request.symbol, num(request.stopLoss.stopPrice)!), belowClientOrderId: request.stopLoss.clientOrderId,
    };
    let response: { orderReports?: unknown[] };
    try {
      response = await (exchange as unknown as OcoApi).privatePostOrderListOco(params);
    } catch (error) {
      const mapped = placementError(error, request.symbol);
      if (mapped instanceof UserError && /duplicate/i.test((error as Error).message)) {
        const again = await Promise.all(legs.map((leg) => fetchOrder(leg.clientOrderId, request.symbol)));
        if (again[0] && again[1]) return [again[0], again[1]];
      }
      throw mapped;
    }
    const reports = (response.orderReports ?? []).map((r) => exchange.parseOrder(r as Record<string, unknown>, market));
    const byId = (id: string) => reports.find((o) => o.clientOrderId === id);
    const orders = await Promise.all(legs.map(async (leg) => {
      const report = byId(leg.clientOrderId);
      return report ? toBrokerOrder(report, leg) : fetchOrder(leg.clientOrderId, request.symbol);
    }));
    if (!orders[0] || !orders[1]) throw new OutcomeUnknownError(`the exchange's answer about OCO ${request.listClientOrderId} lacked a leg`, 30_000);
    return [orders[0], orders[1]];
  };

  return {
    mode: 'live',
    ...(typeof (exchange as unknown as Partial<OcoApi>).privatePostOrderListOco === 'function' ? { placeOco } : {}),
    async placeOrder(request) {
      // Never place blind: when the exchange cannot say whether it has this id, the order is not sent (certainly).
      const known = await fetchOrder(request.clientOrderId, request.symbol);
      if (known) return known;
      const type = request.type === 'limit' ? 'limit' : 'market';
      const params: Record<string, unknown> = { newClientOrderId: request.clientOrderId };
      // stopLossPrice makes ccxt send Binance's STOP_LOSS (a market sell once the stop trades), not a plain market order.
      if (request.type === 'stop') params.stopLossPrice = num(request.stopPrice);
      try {
        const created = await exchange.createOrder(request.symbol, type, request.side, num(request.amount)!, num(request.limitPrice), params);
        return await toBrokerOrder(created, request);
      } catch (error) {
        const mapped = placementError(error, request.symbol);
        // Binance answers a repeated client order id with "Duplicate order sent": the order is there, return it.
        if (mapped instanceof UserError && /duplicate/i.test((error as Error).message)) {
          const existing = await fetchOrder(request.clientOrderId, request.symbol);
          if (existing) return existing;
        }
        throw mapped;
      }
    },
    async cancelOrder(clientOrderId, symbol) {
      try {
        await exchange.cancelOrder('', symbol, { origClientOrderId: clientOrderId });
      } catch (error) {
        if (!(error instanceof ccxt.OrderNotFound || error instanceof ccxt.OperationRejected)) throw tx.mapError(error, symbol);
      }
      // The final state, fills included (an order that filled before the cancel arrived stays filled).
      const final = await fetchOrder(clientOrderId, symbol);
      if (!final) throw new UserError(`the exchange has no order ${clientOrderId} in ${symbol}`);
      return final;
    },
    fetchOrder,
    async balances() {
      try {
        const balance = await exchange.fetchBalance();
        const totals = (balance.total ?? {}) as unknown as Record<string, number | undefined>;
        return Object.entries(totals)
          .filter(([, v]) => typeof v === 'number' && v !== 0)
          .map(([asset, v]) => ({ mode: 'live' as const, asset, amount: Decimal.from(v!) }))
          .sort((a, b) => a.asset.localeCompare(b.asset));
      } catch (error) {
        throw tx.mapError(error);
      }
    },
    async openOrders(symbol) {
      try {
        return await Promise.all((await exchange.fetchOpenOrders(symbol)).map((o) => toBrokerOrder(o)));
      } catch (error) {
        throw error instanceof TemporaryError || error instanceof UserError ? error : tx.mapError(error, symbol);
      }
    },
    close: () => exchange.close(),
  };
}
