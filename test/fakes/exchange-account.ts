import type { ServedTicker } from './exchange-server.js';

/** One order as the fake Binance account holds it. */
interface AccountOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: 'MARKET' | 'LIMIT' | 'LIMIT_MAKER' | 'STOP_LOSS';
  readonly price: number;
  /** The trigger of a STOP_LOSS order (0 for the others). */
  readonly stopPrice: number;
  /** The OCO order list it belongs to, or -1. */
  readonly orderListId: number;
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
  /**
   * Fills the rest of a resting order: a limit at its limit price (maker), a stop-loss at its stop price (taker).
   * Its OCO sibling, if any, then expires, as on Binance.
   */
  fillResting(clientOrderId: string): void;
  /** Every order the account received, oldest first (by client order id). */
  orders(): ReadonlyArray<{ clientOrderId: string; status: string; executedQty: number }>;
  /** The same, with each order's Binance type and OCO order list id (-1 when in none). */
  orderDetails(): ReadonlyArray<{ clientOrderId: string; status: string; executedQty: number; type: string; orderListId: number }>;
  /** Total (free + locked) of an asset. */
  balance(asset: string): number;
  /** What resting orders hold of an asset (an OCO list holds its quantity once). */
  locked(asset: string): number;
  /** A deposit or withdrawal made outside the bot (negative withdraws). */
  deposit(asset: string, amount: number): void;
}

const FEE_RATE = 0.001;
const fixed = (n: number) => n.toFixed(8);
const isOpen = (o: AccountOrder) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';

/** A fake account over the served tickers: market orders take the served book, limits and stops rest until filled. */
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
  let nextListId = 1;
  let rejection: { code: number; msg: string } | undefined;

  const add = (asset: string, amount: number) => balances.set(asset, (balances.get(asset) ?? 0) + amount);
  /** What resting orders hold: a sell its base quantity, a buy its quote value; an OCO list once. */
  const locked = (asset: string): number => {
    const held = new Map<string, number>();
    for (const o of orders.filter(isOpen)) {
      const m = byId.get(o.symbol)!;
      const left = o.origQty - o.executedQty;
      const [lockAsset, amount] = o.side === 'SELL' ? [m.base, left] : [m.quote, left * o.price];
      if (lockAsset !== asset) continue;
      const key = o.orderListId >= 0 ? `list:${o.orderListId}` : `order:${o.orderId}`;
      held.set(key, Math.max(held.get(key) ?? 0, amount));
    }
    return Number([...held.values()].reduce((a, b) => a + b, 0).toFixed(8));
  };
  const free = (asset: string) => (balances.get(asset) ?? 0) - locked(asset);
  const orderJson = (o: AccountOrder) => ({
    symbol: o.symbol, orderId: o.orderId, orderListId: o.orderListId, clientOrderId: o.clientOrderId, price: fixed(o.price),
    origQty: fixed(o.origQty), executedQty: fixed(o.executedQty), cummulativeQuoteQty: fixed(o.quoteQty), status: o.status,
    timeInForce: 'GTC', type: o.type, side: o.side, stopPrice: fixed(o.stopPrice), icebergQty: '0.00000000', time: o.time,
    updateTime: o.updateTime, isWorking: o.type !== 'STOP_LOSS', workingTime: o.time, origQuoteOrderQty: '0.00000000', selfTradePreventionMode: 'NONE',
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

  const newOrder = (m: { id: string }, p: { side: 'BUY' | 'SELL'; type: AccountOrder['type']; qty: number; price: number; stopPrice: number; clientOrderId: string | undefined; listId: number }): AccountOrder => {
    const o: AccountOrder = {
      symbol: m.id, orderId: 1_000 + orders.length, clientOrderId: p.clientOrderId ?? `fake-${orders.length}`, side: p.side, type: p.type, price: p.price,
      stopPrice: p.stopPrice, orderListId: p.listId, origQty: p.qty, executedQty: 0, quoteQty: 0, status: 'NEW', time: now(), updateTime: now(),
    };
    orders.push(o);
    return o;
  };

  /** A refusal shared by single orders and order lists, or undefined. */
  const refusal = (m: { id: string } | undefined, clientOrderIds: Array<string | undefined>): [number, unknown] | undefined => {
    if (!m) return [400, { code: -1121, msg: 'Invalid symbol.' }];
    if (rejection) {
      const r = rejection;
      rejection = undefined;
      return [400, r];
    }
    if (orders.some((o) => clientOrderIds.includes(o.clientOrderId))) return [400, { code: -2010, msg: 'Duplicate order sent.' }];
    if (!tickerNow(m.id)) return [400, { code: -1013, msg: 'Market is closed.' }];
    return undefined;
  };
  const insufficient: [number, unknown] = [400, { code: -2010, msg: 'Account has insufficient balance for requested action.' }];

  const place = (p: Record<string, string>): [number, unknown] => {
    const m = byId.get(p.symbol ?? '');
    const refused = refusal(m, [p.newClientOrderId]);
    if (refused || !m) return refused!;
    const book = tickerNow(m.id)!;
    const [side, type, qty] = [p.side as 'BUY' | 'SELL', p.type as AccountOrder['type'], Number(p.quantity)];
    const taker = side === 'BUY' ? (book.ask ?? book.lastPrice) : (book.bid ?? book.lastPrice);
    const price = type === 'LIMIT' || type === 'LIMIT_MAKER' ? Number(p.price) : 0;
    const stopPrice = type === 'STOP_LOSS' ? Number(p.stopPrice) : 0;
    const cost = qty * (price > 0 ? price : taker) * (1 + FEE_RATE);
    if (side === 'BUY' ? free(m.quote) < cost : free(m.base) < qty) return insufficient;
    const crosses = type === 'MARKET' || (price > 0 && (side === 'BUY' ? taker <= price : taker >= price));
    if (type === 'LIMIT_MAKER' && crosses) return [400, { code: -2010, msg: 'Order would immediately match and take.' }];
    if (type === 'STOP_LOSS' && (side === 'SELL' ? taker <= stopPrice : taker >= stopPrice)) return [400, { code: -2010, msg: 'Stop price would trigger immediately.' }];
    const o = newOrder(m, { side, type, qty, price, stopPrice, clientOrderId: p.newClientOrderId, listId: -1 });
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

  /** POST /api/v3/orderList/oco: a sell above the market (LIMIT_MAKER) and a stop-loss below it, holding the coins once. */
  const placeOco = (p: Record<string, string>): [number, unknown] => {
    const m = byId.get(p.symbol ?? '');
    const refused = refusal(m, [p.aboveClientOrderId, p.belowClientOrderId]);
    if (refused || !m) return refused!;
    if (p.side !== 'SELL' || p.aboveType !== 'LIMIT_MAKER' || p.belowType !== 'STOP_LOSS') return [400, { code: -1106, msg: 'This fake takes SELL OCOs of LIMIT_MAKER above and STOP_LOSS below.' }];
    const bid = tickerNow(m.id)!.bid ?? tickerNow(m.id)!.lastPrice;
    const [qty, abovePrice, belowStopPrice] = [Number(p.quantity), Number(p.abovePrice), Number(p.belowStopPrice)];
    if (!(abovePrice > bid && belowStopPrice < bid)) return [400, { code: -1013, msg: 'The relationship of the prices for the orders is not correct.' }];
    if (free(m.base) < qty) return insufficient;
    const listId = nextListId++;
    const legs = [
      newOrder(m, { side: 'SELL', type: 'STOP_LOSS', qty, price: 0, stopPrice: belowStopPrice, clientOrderId: p.belowClientOrderId, listId }),
      newOrder(m, { side: 'SELL', type: 'LIMIT_MAKER', qty, price: abovePrice, stopPrice: 0, clientOrderId: p.aboveClientOrderId, listId }),
    ];
    return [200, {
      orderListId: listId, contingencyType: 'OCO', listStatusType: 'EXEC_STARTED', listOrderStatus: 'EXECUTING',
      listClientOrderId: p.listClientOrderId ?? `list-${listId}`, transactionTime: now(), symbol: m.id,
      orders: legs.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
      orderReports: legs.map((o) => ({ ...orderJson(o), transactTime: o.time })),
    }];
  };

  /** Ends the other legs of `o`'s order list (Binance: a fill expires the sibling, a cancel cancels the whole list). */
  const endList = (o: AccountOrder, status: 'EXPIRED' | 'CANCELED') => {
    if (o.orderListId < 0) return;
    for (const leg of orders.filter((x) => x.orderListId === o.orderListId && x !== o && isOpen(x))) (leg.status = status), (leg.updateTime = now());
  };

  const find = (p: Record<string, string>) =>
    orders.find((o) => o.symbol === p.symbol && (o.clientOrderId === p.origClientOrderId || String(o.orderId) === p.orderId));

  return {
    route(method, path, p, apiKey) {
      const known = ['/api/v3/order', '/api/v3/openOrders', '/api/v3/myTrades', '/api/v3/account', '/api/v3/orderList/oco'];
      if (!known.includes(path)) return undefined;
      if (!apiKey) return [401, { code: -2014, msg: 'API-key format invalid.' }];
      if (path === '/api/v3/account') {
        const list = [...balances].map(([asset, total]) => ({ asset, free: fixed(total - locked(asset)), locked: fixed(locked(asset)) }));
        return [200, { makerCommission: 10, takerCommission: 10, canTrade: true, canWithdraw: false, canDeposit: true, updateTime: now(), accountType: 'SPOT', balances: list, permissions: ['SPOT'] }];
      }
      if (path === '/api/v3/orderList/oco') return method === 'POST' ? placeOco(p) : [405, { code: -1, msg: `no ${method} ${path}` }];
      if (path === '/api/v3/openOrders') {
        return [200, orders.filter((o) => isOpen(o) && (!p.symbol || o.symbol === p.symbol)).map(orderJson)];
      }
      if (path === '/api/v3/myTrades') {
        const list = trades.filter((t) => t.symbol === p.symbol && (p.orderId === undefined || String(t.orderId) === p.orderId));
        return [200, list.map((t) => ({ ...t, orderListId: -1, price: fixed(t.price), qty: fixed(t.qty), quoteQty: fixed(t.price * t.qty), commission: fixed(t.commission), isBestMatch: true }))];
      }
      if (method === 'POST') return place(p);
      const o = find(p);
      if (method === 'GET') return o ? [200, orderJson(o)] : [400, { code: -2013, msg: 'Order does not exist.' }];
      if (method === 'DELETE') {
        if (!o || !isOpen(o)) return [400, { code: -2011, msg: 'Unknown order sent.' }];
        o.status = 'CANCELED';
        o.updateTime = now();
        endList(o, 'CANCELED');
        return [200, { ...orderJson(o), origClientOrderId: o.clientOrderId }];
      }
      return [405, { code: -1, msg: `no ${method} ${path}` }];
    },
    setNextFillRatio: (ratio) => void (nextFillRatio = ratio),
    rejectNextOrder: (code, msg) => void (rejection = { code, msg }),
    fillResting(clientOrderId) {
      const o = orders.find((x) => x.clientOrderId === clientOrderId);
      if (!o || !isOpen(o)) throw new Error(`no resting order ${clientOrderId}`);
      const stop = o.type === 'STOP_LOSS';
      execute(o, Number((o.origQty - o.executedQty).toFixed(8)), stop ? o.stopPrice : o.price, !stop);
      o.status = 'FILLED';
      endList(o, 'EXPIRED');
    },
    orders: () => orders.map((o) => ({ clientOrderId: o.clientOrderId, status: o.status, executedQty: o.executedQty })),
    orderDetails: () => orders.map((o) => ({ clientOrderId: o.clientOrderId, status: o.status, executedQty: o.executedQty, type: o.type, orderListId: o.orderListId })),
    balance: (asset) => balances.get(asset) ?? 0,
    locked,
    deposit: (asset, amount) => add(asset, amount),
  };
}
