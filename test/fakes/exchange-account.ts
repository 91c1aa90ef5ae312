import type { ServedTicker } from './exchange-server.js';

/** One order as the fake Binance account holds it. */
interface AccountOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: 'MARKET' | 'LIMIT';
  readonly price: number;
  readonly origQty: number;
  executedQty: number;
  quoteQty: number;
  status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED';
  readonly time: number;
  updateTime: number;
}

/** One execution, as Binance's myTrades lists it. */
interface AccountTrade {
  readonly symbol: string;
  readonly id: number;
  readonly orderId: number;
  readonly price: number;
  readonly qty: number;
  readonly commission: number;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

/** The private (signed) side of the fake Binance: one spot account with orders, fills and balances. */
export interface FakeAccount {
  /** Answers a private endpoint, or undefined when `path` is not one. */
  route(method: string, path: string, params: Record<string, string>, apiKey: string | undefined): [number, unknown] | undefined;
  /** The next order fills only this fraction of its amount (a market order then ends EXPIRED, a limit one rests). */
  setNextFillRatio(ratio: number): void;
  /** The next order is refused with this Binance error. */
  rejectNextOrder(code: number, msg: string): void;
  /** Fills the rest of a resting limit order at its limit price, as maker. */
  fillResting(clientOrderId: string): void;
  /** Every order the account received, oldest first (by client order id). */
  orders(): ReadonlyArray<{ clientOrderId: string; status: string; executedQty: number }>;
  balance(asset: string): number;
}

const FEE_RATE = 0.001;
const fixed = (n: number) => n.toFixed(8);

/** A fake account over the served tickers: market orders take the served book, limits rest until crossed. */
export function createFakeAccount(
  markets: ReadonlyArray<{ id: string; base: string; quote: string }>,
  startingBalances: Readonly<Record<string, number>>,
  tickerNow: (id: string) => ServedTicker | undefined,
  now: () => number,
): FakeAccount {
  const byId = new Map(markets.map((m) => [m.id, m]));
  const balances = new Map(Object.entries(startingBalances));
  const orders: AccountOrder[] = [];
  const trades: AccountTrade[] = [];
  let nextFillRatio = 1;
  let rejection: { code: number; msg: string } | undefined;

  const add = (asset: string, amount: number) => balances.set(asset, (balances.get(asset) ?? 0) + amount);
  const orderJson = (o: AccountOrder) => ({
    symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, price: fixed(o.price),
    origQty: fixed(o.origQty), executedQty: fixed(o.executedQty), cummulativeQuoteQty: fixed(o.quoteQty), status: o.status,
    timeInForce: 'GTC', type: o.type, side: o.side, stopPrice: '0.00000000', icebergQty: '0.00000000', time: o.time,
    updateTime: o.updateTime, isWorking: true, workingTime: o.time, origQuoteOrderQty: '0.00000000', selfTradePreventionMode: 'NONE',
  });

  /** Executes `qty` of `o` at `price`: the trade, the fee in the quote asset, the balances. */
  const execute = (o: AccountOrder, qty: number, price: number, isMaker: boolean): AccountTrade => {
    const m = byId.get(o.symbol)!;
    const quoteQty = Number((qty * price).toFixed(8));
    const commission = Number((quoteQty * FEE_RATE).toFixed(8));
    if (o.side === 'BUY') (add(m.base, qty), add(m.quote, -quoteQty - commission));
    else (add(m.base, -qty), add(m.quote, quoteQty - commission));
    o.executedQty = Number((o.executedQty + qty).toFixed(8));
    o.quoteQty = Number((o.quoteQty + quoteQty).toFixed(8));
    o.updateTime = now();
    const trade = { symbol: o.symbol, id: trades.length + 1, orderId: o.orderId, price, qty, commission, commissionAsset: m.quote, time: now(), isBuyer: o.side === 'BUY', isMaker };
    trades.push(trade);
    return trade;
  };

  const place = (p: Record<string, string>): [number, unknown] => {
    const m = byId.get(p.symbol ?? '');
    if (!m) return [400, { code: -1121, msg: 'Invalid symbol.' }];
    if (rejection) {
      const r = rejection;
      rejection = undefined;
      return [400, r];
    }
    if (orders.some((o) => o.clientOrderId === p.newClientOrderId)) return [400, { code: -2010, msg: 'Duplicate order sent.' }];
    const book = tickerNow(m.id);
    if (!book) return [400, { code: -1013, msg: 'Market is closed.' }];
    const [side, type, qty] = [p.side as 'BUY' | 'SELL', p.type as 'MARKET' | 'LIMIT', Number(p.quantity)];
    const taker = side === 'BUY' ? (book.ask ?? book.lastPrice) : (book.bid ?? book.lastPrice);
    const price = type === 'LIMIT' ? Number(p.price) : 0;
    const cost = qty * (type === 'LIMIT' ? price : taker) * (1 + FEE_RATE);
    if (side === 'BUY' ? (balances.get(m.quote) ?? 0) < cost : (balances.get(m.base) ?? 0) < qty) {
      return [400, { code: -2010, msg: 'Account has insufficient balance for requested action.' }];
    }
    const o: AccountOrder = {
      symbol: m.id, orderId: 1_000 + orders.length, clientOrderId: p.newClientOrderId ?? `fake-${orders.length}`, side, type, price,
      origQty: qty, executedQty: 0, quoteQty: 0, status: 'NEW', time: now(), updateTime: now(),
    };
    orders.push(o);
    const crosses = type === 'MARKET' || (side === 'BUY' ? taker <= price : taker >= price);
    const fills: AccountTrade[] = [];
    if (crosses) {
      const part = Number((qty * nextFillRatio).toFixed(5));
      if (part > 0) fills.push(execute(o, part, type === 'MARKET' ? taker : side === 'BUY' ? Math.min(taker, price) : Math.max(taker, price), false));
      o.status = part >= qty ? 'FILLED' : type === 'MARKET' ? 'EXPIRED' : part > 0 ? 'PARTIALLY_FILLED' : 'NEW';
    }
    nextFillRatio = 1;
    const fillsJson = fills.map((t) => ({ price: fixed(t.price), qty: fixed(t.qty), commission: fixed(t.commission), commissionAsset: t.commissionAsset, tradeId: t.id }));
    return [200, { ...orderJson(o), transactTime: o.time, fills: fillsJson }];
  };

  const find = (p: Record<string, string>) =>
    orders.find((o) => o.symbol === p.symbol && (o.clientOrderId === p.origClientOrderId || String(o.orderId) === p.orderId));

  return {
    route(method, path, p, apiKey) {
      const known = ['/api/v3/order', '/api/v3/openOrders', '/api/v3/myTrades', '/api/v3/account'];
      if (!known.includes(path)) return undefined;
      if (!apiKey) return [401, { code: -2014, msg: 'API-key format invalid.' }];
      if (path === '/api/v3/account') {
        const list = [...balances].map(([asset, free]) => ({ asset, free: fixed(free), locked: '0.00000000' }));
        return [200, { makerCommission: 10, takerCommission: 10, canTrade: true, canWithdraw: false, canDeposit: true, updateTime: now(), accountType: 'SPOT', balances: list, permissions: ['SPOT'] }];
      }
      if (path === '/api/v3/openOrders') {
        return [200, orders.filter((o) => (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && (!p.symbol || o.symbol === p.symbol)).map(orderJson)];
      }
      if (path === '/api/v3/myTrades') {
        const list = trades.filter((t) => t.symbol === p.symbol && (p.orderId === undefined || String(t.orderId) === p.orderId));
        return [200, list.map((t) => ({ ...t, orderListId: -1, price: fixed(t.price), qty: fixed(t.qty), quoteQty: fixed(t.price * t.qty), commission: fixed(t.commission), isBestMatch: true }))];
      }
      if (method === 'POST') return place(p);
      const o = find(p);
      if (method === 'GET') return o ? [200, orderJson(o)] : [400, { code: -2013, msg: 'Order does not exist.' }];
      if (method === 'DELETE') {
        if (!o || (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED')) return [400, { code: -2011, msg: 'Unknown order sent.' }];
        o.status = 'CANCELED';
        o.updateTime = now();
        return [200, { ...orderJson(o), origClientOrderId: o.clientOrderId }];
      }
      return [405, { code: -1, msg: `no ${method} ${path}` }];
    },
    setNextFillRatio: (ratio) => void (nextFillRatio = ratio),
    rejectNextOrder: (code, msg) => void (rejection = { code, msg }),
    fillResting(clientOrderId) {
      const o = orders.find((x) => x.clientOrderId === clientOrderId);
      if (!o || (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED')) throw new Error(`no resting order ${clientOrderId}`);
      execute(o, Number((o.origQty - o.executedQty).toFixed(8)), o.price, true);
      o.status = 'FILLED';
    },
    orders: () => orders.map((o) => ({ clientOrderId: o.clientOrderId, status: o.status, executedQty: o.executedQty })),
    balance: (asset) => balances.get(asset) ?? 0,
  };
}
