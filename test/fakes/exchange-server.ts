import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createFakeAccount, type FakeAccount } from './exchange-account.js';

/** Bars of one timeframe as freqtrade stores them: `[openTimeMs, open, high, low, close, volume]`, ascending. */
export type RawBars = readonly (readonly number[])[];

/** One market the fake exchange lists, with the real bars it serves. */
export interface FakeMarket {
  /** Binance id, e.g. `BTCUSDT`. */
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  /** Bars by Binance interval (`1m`, `5m`, …). The `1m` series drives the ticker. */
  readonly bars: Readonly<Record<string, RawBars>>;
}

/** A public trade in Binance's aggTrades shape; tests construct these. */
export interface AggTrade {
  readonly a: number;
  readonly p: string;
  readonly q: string;
  readonly f: number;
  readonly l: number;
  readonly T: number;
  readonly m: boolean;
  readonly M: boolean;
}

/** What a request can be made to suffer. */
export type Fault = 'timeout' | 'rate-limit' | 'server-error' | 'unavailable' | 'malformed-json' | 'unknown-symbol' | 'reset'
  /** The request is carried out (an order placed), then the connection drops before the answer. */
  | 'executed-then-reset'
  /** The request is carried out, then no answer ever comes (the caller waits until it gives up or dies). */
  | 'executed-then-hang';

/** A ticker answer as served: the price and the bar it came from. */
export interface ServedTicker {
  readonly id: string;
  readonly lastPrice: number;
  readonly closeTimeMs: number;
  readonly barOpenMs: number;
  /** The book served with it, when the server quotes one (see `bookSpreadTicks`). */
  readonly bid?: number;
  readonly ask?: number;
}

/** One request the fake received and what it did with it. */
export interface RequestLogEntry {
  readonly seq: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly fault: Fault | undefined;
  readonly status: number;
  readonly ticker: ServedTicker | undefined;
}

/** Options of {@link startExchangeServer}. */
export interface ExchangeServerOptions {
  readonly markets: readonly FakeMarket[];
  /** The exchange's "now": it serves only bars that have closed by then; the ticker's price is the last such 1m close. */
  readonly currentTimeMs: number;
  readonly trades?: Readonly<Record<string, readonly AggTrade[]>>;
  /** Retry-After (seconds) sent with 429 and 503 answers; none when undefined. */
  readonly retryAfterSeconds?: number;
  /**
   * When set, tickers also carry a book (`bidPrice`/`askPrice`) this many 0.01 ticks either side of the last
   * close, as Binance's 24hr ticker does; without it they carry none.
   */
  readonly bookSpreadTicks?: number;
  /** The spot account behind the private endpoints (order, orderList/oco, openOrders, myTrades, account): its starting balances. */
  readonly account?: Readonly<Record<string, number>>;
}

/** A local HTTP server speaking the Binance spot REST endpoints ccxt calls, for tests and benchmarks. */
export interface ExchangeServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`; give it to the client as its API URL. */
  readonly url: string;
  readonly log: readonly RequestLogEntry[];
  /** The private side: orders, fills and balances placed through the signed endpoints (signatures are not checked). */
  readonly account: FakeAccount;
  /** How many requests hit `path` (e.g. `/api/v3/ticker/24hr`). */
  count(path: string): number;
  clearLog(): void;
  setCurrentTime(timeMs: number): void;
  currentTimeMs(): number;
  /** The ticker the fake would serve for `id` now (no request logged). */
  tickerNow(id: string): ServedTicker | undefined;
  /** Queues `fault` for the next `times` requests (to `path` and with `method` only, when given). */
  injectFault(fault: Fault, options?: { times?: number; path?: string; method?: string }): void;
  /** Decides a fault for every request not served by the queue; `undefined` = answer normally. */
  setFaultPicker(picker: ((path: string) => Fault | undefined) | undefined): void;
  /** Every request fails: the connection is reset without an answer. */
  setOutage(on: boolean): void;
  setRetryAfterSeconds(seconds: number | undefined): void;
  close(): Promise<void>;
}

interface Series {
  readonly times: Float64Array;
  readonly rows: RawBars;
}

const BAR_MS: Readonly<Record<string, number>> = { '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };
const DAY_MS = 86_400_000;

/** Starts the fake exchange on 127.0.0.1 and a random port. */
export async function startExchangeServer(options: ExchangeServerOptions): Promise<ExchangeServer> {
  const markets = new Map(options.markets.map((m) => [m.id, m]));
  const series = new Map<string, Series>();
  for (const m of options.markets) {
    for (const [interval, rows] of Object.entries(m.bars)) {
      series.set(`${m.id} ${interval}`, { rows, times: Float64Array.from(rows, (r) => r[0]!) });
    }
  }
  let nowMs = options.currentTimeMs;
  let retryAfterSeconds = options.retryAfterSeconds;
  let outage = false;
  let picker: ((path: string) => Fault | undefined) | undefined;
  const queued: { fault: Fault; times: number; path: string | undefined; method: string | undefined }[] = [];
  const log: RequestLogEntry[] = [];
  const sockets = new Set<Socket>();

  const lastIndexAtOrBefore = (s: Series, t: number): number => {
    let lo = 0;
    let hi = s.times.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (s.times[mid]! <= t) (found = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    return found;
  };

  /** The last 1m bar that has closed by now: the ticker's "last price". */
  const lastClosed = (s: Series | undefined): number => (s ? lastIndexAtOrBefore(s, nowMs - 60_000) : -1);

  const tickerNow = (id: string): ServedTicker | undefined => {
    const s = series.get(`${id} 1m`);
    const i = lastClosed(s);
    if (!s || i < 0) return undefined;
    const bar = s.rows[i]!;
    const served = { id, lastPrice: bar[4]!, closeTimeMs: bar[0]! + 59_999, barOpenMs: bar[0]! };
    const ticks = options.bookSpreadTicks;
    if (ticks === undefined) return served;
    // Whole cents, so the book sits on the 0.01 tick the exchangeInfo filters announce.
    const cents = Math.round(bar[4]! * 100);
    return { ...served, bid: (cents - ticks) / 100, ask: (cents + ticks) / 100 };
  };

  const ticker24h = (id: string): Record<string, unknown> | undefined => {
    const s = series.get(`${id} 1m`);
    const i = lastClosed(s);
    if (!s || i < 0) return undefined;
    const last = s.rows[i]!;
    let first = i;
    while (first > 0 && s.times[first - 1]! > last[0]! - DAY_MS) first--;
    let high = -Infinity;
    let low = Infinity;
    let volume = 0;
    for (let k = first; k <= i; k++) {
      const r = s.rows[k]!;
      high = Math.max(high, r[2]!);
      low = Math.min(low, r[3]!);
      volume += r[5]!;
    }
    const open = s.rows[first]![1]!;
    const book = tickerNow(id);
    return {
      ...(book?.bid === undefined ? {} : { bidPrice: book.bid.toFixed(2), bidQty: '1.00000000', askPrice: book.ask!.toFixed(2), askQty: '1.00000000' }),
      symbol: id,
      openPrice: String(open),
      highPrice: String(high),
      lowPrice: String(low),
      lastPrice: String(last[4]),
      priceChange: (last[4]! - open).toFixed(8),
      priceChangePercent: (((last[4]! - open) / open) * 100).toFixed(3),
      volume: volume.toFixed(8),
      openTime: s.times[first],
      closeTime: last[0]! + 59_999,
      count: i - first + 1,
    };
  };

  const klines = (q: Record<string, string>): [number, unknown] => {
    const s = series.get(`${q.symbol} ${q.interval}`);
    if (!markets.has(q.symbol ?? '')) return [400, { code: -1121, msg: 'Invalid symbol.' }];
    if (!s || !(q.interval! in BAR_MS)) return [400, { code: -1120, msg: 'Invalid interval.' }];
    const limit = Math.min(Number(q.limit ?? 500), 1000);
    const end = Math.min(q.endTime !== undefined ? Number(q.endTime) : Infinity, nowMs - BAR_MS[q.interval!]!);
    const last = lastIndexAtOrBefore(s, end);
    let from: number;
    if (q.startTime !== undefined) from = lastIndexAtOrBefore(s, Number(q.startTime) - 1) + 1;
    else from = Math.max(0, last - limit + 1);
    const out: unknown[] = [];
    for (let k = from; k <= last && out.length < limit; k++) {
      const r = s.rows[k]!;
      out.push([r[0], String(r[1]), String(r[2]), String(r[3]), String(r[4]), String(r[5]), r[0]! + BAR_MS[q.interval!]! - 1]);
    }
    return [200, out];
  };

  const aggTrades = (q: Record<string, string>): [number, unknown] => {
    if (!markets.has(q.symbol ?? '')) return [400, { code: -1121, msg: 'Invalid symbol.' }];
    const start = q.startTime !== undefined ? Number(q.startTime) : -Infinity;
    const end = q.endTime !== undefined ? Number(q.endTime) : Infinity;
    const limit = Math.min(Number(q.limit ?? 500), 1000);
    const all = (options.trades?.[q.symbol!] ?? []).filter((t) => t.T >= start && t.T <= end && t.T <= nowMs);
    return [200, q.startTime !== undefined ? all.slice(0, limit) : all.slice(-limit)];
  };

  const account = createFakeAccount(options.markets, options.account ?? {}, (id) => tickerNow(id), () => nowMs);

  const exchangeInfo = (): unknown => ({
    timezone: 'UTC',
    serverTime: nowMs,
    rateLimits: [],
    exchangeFilters: [],
    symbols: options.markets.map((m) => ({
      symbol: m.id,
      status: 'TRADING',
      baseAsset: m.base,
      baseAssetPrecision: 8,
      quoteAsset: m.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS'],
      ocoAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      permissions: ['SPOT'],
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
        { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
      ],
    })),
  });

  const route = (path: string, q: Record<string, string>): [number, unknown, ServedTicker | undefined] => {
    switch (path) {
      case '/api/v3/ping':
        return [200, {}, undefined];
      case '/api/v3/time':
        return [200, { serverTime: nowMs }, undefined];
      case '/api/v3/exchangeInfo':
        return [200, exchangeInfo(), undefined];
      case '/api/v3/ticker/24hr': {
        if (q.symbol === undefined) return [200, [...markets.keys()].map(ticker24h).filter(Boolean), undefined];
        const body = markets.has(q.symbol) ? ticker24h(q.symbol) : undefined;
        if (!body) return [400, { code: -1121, msg: 'Invalid symbol.' }, undefined];
        return [200, body, tickerNow(q.symbol)];
      }
      case '/api/v3/klines':
        return [...klines(q), undefined];
      case '/api/v3/aggTrades':
        return [...aggTrades(q), undefined];
      default:
        return [404, { code: -1, msg: `no route ${path}` }, undefined];
    }
  };

  const pickFault = (path: string, method: string): Fault | undefined => {
    if (outage) return 'reset';
    const index = queued.findIndex((f) => (f.path === undefined || f.path === path) && (f.method === undefined || f.method === method));
    if (index >= 0) {
      const entry = queued[index]!;
      if (--entry.times <= 0) queued.splice(index, 1);
      return entry.fault;
    }
    return picker?.(path);
  };

  const send = (res: ServerResponse, status: number, body: string, type = 'application/json;charset=UTF-8', headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const url = new URL(req.url ?? '/', 'http://fake');
    // Signed calls carry their parameters in the query (GET, DELETE) or a form body (POST).
    const query = { ...Object.fromEntries(url.searchParams), ...Object.fromEntries(new URLSearchParams(body)) };
    const fault = pickFault(url.pathname, req.method ?? 'GET');
    const record = (status: number, ticker?: ServedTicker) =>
      log.push({ seq: log.length, path: url.pathname, query, fault, status, ticker });
    const retryHeaders: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
    switch (fault) {
      case 'reset':
        record(0);
        req.socket.destroy();
        return;
      case 'timeout':
        record(0);
        return;
      case 'rate-limit':
        record(429);
        send(res, 429, JSON.stringify({ code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.' }), undefined, retryHeaders);
        return;
      case 'server-error':
        record(500);
        send(res, 500, '<html><body><h1>500 Internal Server Error</h1></body></html>', 'text/html');
        return;
      case 'unavailable':
        record(503);
        send(res, 503, '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>', 'text/html', retryHeaders);
        return;
      case 'unknown-symbol':
        record(400);
        send(res, 400, JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }));
        return;
      default: {
        const apiKey = req.headers['x-mbx-apikey'];
        const privateAnswer = account.route(req.method ?? 'GET', url.pathname, query, typeof apiKey === 'string' ? apiKey : undefined);
        const [status, answer, ticker] = privateAnswer ? [...privateAnswer, undefined] : route(url.pathname, query);
        if (fault === 'executed-then-reset' || fault === 'executed-then-hang') {
          record(0);
          if (fault === 'executed-then-reset') req.socket.destroy();
          return;
        }
        const text = JSON.stringify(answer);
        // A body cut in half: what a proxy that drops the connection mid-answer leaves behind.
        const served = fault === 'malformed-json' ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text;
        record(status, fault === 'malformed-json' ? undefined : ticker);
        send(res, status, served);
      }
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    account,
    count: (path) => log.filter((e) => e.path === path).length,
    clearLog: () => void log.splice(0),
    setCurrentTime: (t) => void (nowMs = t),
    currentTimeMs: () => nowMs,
    tickerNow,
    injectFault: (fault, o = {}) => void queued.push({ fault, times: o.times ?? 1, path: o.path, method: o.method }),
    setFaultPicker: (p) => void (picker = p),
    setOutage: (on) => void (outage = on),
    setRetryAfterSeconds: (s) => void (retryAfterSeconds = s),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
