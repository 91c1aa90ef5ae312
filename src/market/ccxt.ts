import type { Exchange, Market, OHLCV, Ticker, Trade as CcxtTrade } from 'ccxt';
import { ConfigError, TemporaryError, UserError } from '../errors.js';
import { ExchangeOutage, type ExchangeClient, type OutageKind } from './exchange-client.js';
import { SYMBOL_USAGE, resolveSymbol } from './symbols.js';
import { timeframeMs } from './timeframe.js';
import type { Candle, MarketInfo, Quote, Trade } from './types.js';

type CcxtModule = typeof import('ccxt');
type ExchangeClass = typeof Exchange;

/** Default retry-after per kind of outage, used when the exchange sends no Retry-After header. */
export interface RetryAfterDefaults {
  readonly rateLimited: number;
  readonly unavailable: number;
  readonly timeout: number;
  readonly network: number;
  readonly badResponse: number;
}

/** The defaults of {@link RetryAfterDefaults}, in ms. */
export const DEFAULT_RETRY_AFTER_MS: RetryAfterDefaults = {
  rateLimited: 10_000,
  unavailable: 5_000,
  timeout: 2_000,
  network: 2_000,
  badResponse: 2_000,
};

/** Options of {@link createCcxtClient}; every field has a default. */
export interface CcxtClientOptions {
  /** A ccxt exchange id (the `EXCHANGE` setting); `binance` when absent. */
  readonly exchangeId?: string;
  /** Replaces the scheme and host of every REST base URL (the `EXCHANGE_API_URL` setting). */
  readonly apiUrl?: string;
  /** Per-request timeout; ccxt's 10 s when absent. */
  readonly timeoutMs?: number;
  /** Minimum spacing of requests for ccxt's built-in rate limiter; the exchange's own figure when absent. */
  readonly rateLimitMs?: number;
  /** Clock for `receivedAtMs` and for HTTP-date Retry-After headers. */
  readonly now?: () => number;
  readonly retryAfterMs?: Partial<RetryAfterDefaults>;
  /** API key and secret, for the live broker's private calls; market data needs none. */
  readonly credentials?: { readonly apiKey: string; readonly secret: string };
}

interface Opened {
  readonly exchange: Exchange;
  readonly ccxt: CcxtModule;
}

const MARKETS_REFRESH_ON_MISS_MS = 10 * 60_000;

/**
 * An {@link ExchangeClient} backed by ccxt. ccxt is imported on first use, so start-up stays fast when no
 * market data is needed. The rate limiter is always on.
 */
export function createCcxtClient(options: CcxtClientOptions = {}): ExchangeClient {
  const id = options.exchangeId ?? 'binance';
  const now = options.now ?? Date.now;
  const retryAfter = { ...DEFAULT_RETRY_AFTER_MS, ...options.retryAfterMs };
  const headerRetryAfter = new WeakMap<object, number>();
  let opening: Promise<Opened> | undefined;
  let markets: { list: readonly MarketInfo[]; loadedAtMs: number } | undefined;
  let loadingMarkets: Promise<readonly MarketInfo[]> | undefined;

  function open(): Promise<Opened> {
    if (!opening) {
      opening = openExchange(id, options, headerRetryAfter, now);
      opening.catch(() => (opening = undefined));
    }
    return opening;
  }

  /** Runs one ccxt call and maps whatever it throws to our errors. */
  async function call<T>(run: (exchange: Exchange) => Promise<T>, symbol?: string): Promise<T> {
    const { exchange, ccxt } = await open();
    try {
      return await run(exchange);
    } catch (error) {
      throw mapCcxtError(error, ccxt, { id, symbol, timeoutMs: exchange.timeout, retryAfter, headerRetryAfter });
    }
  }

  function loadMarkets(): Promise<readonly MarketInfo[]> {
    loadingMarkets ??= call(async (exchange) => {
      await exchange.loadMarkets(true);
      const tickSize = exchange.precisionMode === TICK_SIZE_MODE;
      const list = Object.values(exchange.markets ?? {}).flatMap((m) => toMarketInfo(m, tickSize));
      markets = { list, loadedAtMs: now() };
      return list;
    }).finally(() => (loadingMarkets = undefined));
    return loadingMarkets;
  }

  async function market(symbol: string): Promise<MarketInfo> {
    const list = markets?.list ?? (await loadMarkets());
    try {
      return resolveSymbol(symbol, list, id);
    } catch (error) {
      if (!markets || now() - markets.loadedAtMs < MARKETS_REFRESH_ON_MISS_MS) throw error;
      return resolveSymbol(symbol, await loadMarkets(), id);
    }
  }

  return {
    id,
    listMarkets: () => (markets ? Promise.resolve(markets.list) : loadMarkets()),
    async fetchQuote(symbol) {
      const m = await market(symbol);
      const ticker = await call((exchange) => exchange.fetchTicker(m.symbol), m.symbol);
      return toQuote(ticker, m.symbol, id, now(), retryAfter.badResponse);
    },
    async fetchCandles(symbol, timeframe, sinceMs, limit) {
      timeframeMs(timeframe);
      const m = await market(symbol);
      const rows = await call(async (exchange) => {
        if (!(timeframe in exchange.timeframes)) {
          const known = Object.keys(exchange.timeframes).join(', ');
          throw new UserError(`${id} has no ${timeframe} candles; it offers ${known}.`);
        }
        return exchange.fetchOHLCV(m.symbol, timeframe, sinceMs, limit);
      }, m.symbol);
      return rows.map((row) => toCandle(row, id, retryAfter.badResponse));
    },
    async fetchTrades(symbol, sinceMs, limit) {
      const m = await market(symbol);
      const trades = await call((exchange) => exchange.fetchTrades(m.symbol, sinceMs, limit), m.symbol);
      return trades.map((t) => toTrade(t, m.symbol, id, retryAfter.badResponse));
    },
    async close() {
      const opened = await opening?.catch(() => undefined);
      await opened?.exchange.close();
    },
  };
}

/** A ccxt exchange opened with API keys for the live broker, with the error mapping market data uses. */
export interface TradingExchange {
  readonly exchange: Exchange;
  /** The ccxt module, so the broker can tell error classes apart (placed, not placed, unknown). */
  readonly ccxt: CcxtModule;
  /** Maps a ccxt error to a UserError, an ExchangeOutage or an internal Error, as for market data. */
  mapError(error: unknown, symbol?: string): Error;
}

/** Opens the exchange for trading: same URL rebasing, response checks and rate limiter as market data, plus keys. */
export async function openTradingExchange(options: CcxtClientOptions & { readonly credentials: NonNullable<CcxtClientOptions['credentials']> }): Promise<TradingExchange> {
  const id = options.exchangeId ?? 'binance';
  const now = options.now ?? Date.now;
  const headerRetryAfter = new WeakMap<object, number>();
  const retryAfter = { ...DEFAULT_RETRY_AFTER_MS, ...options.retryAfterMs };
  const { exchange, ccxt } = await openExchange(id, options, headerRetryAfter, now);
  return {
    exchange,
    ccxt,
    mapError: (error, symbol) => mapCcxtError(error, ccxt, { id, symbol, timeoutMs: exchange.timeout, retryAfter, headerRetryAfter }),
  };
}

async function openExchange(
  id: string,
  options: CcxtClientOptions,
  headerRetryAfter: WeakMap<object, number>,
  now: () => number,
): Promise<Opened> {
  const ccxt = await import('ccxt');
  const classes = ccxt.exchanges as unknown as Record<string, ExchangeClass | undefined>;
  const Base = Object.hasOwn(classes, id) ? classes[id] : undefined;
  if (Base === undefined) {
    throw new ConfigError([`EXCHANGE: "${id}" is not a ccxt exchange id (e.g. binance, kraken, coinbase)`]);
  }
  const Instrumented = withResponseChecks(Base, ccxt, headerRetryAfter, now);
  const config: Record<string, unknown> = { enableRateLimit: true };
  if (options.timeoutMs !== undefined) config.timeout = options.timeoutMs;
  if (options.rateLimitMs !== undefined) config.rateLimit = options.rateLimitMs;
  if (options.credentials) Object.assign(config, { apiKey: options.credentials.apiKey, secret: options.credentials.secret });
  // With keys, Binance would also load currencies and margin pairs from private endpoints; spot trading needs neither.
  if (id === 'binance' || id === 'binanceus') config.options = { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false };
  const exchange = new Instrumented(config);
  if (options.apiUrl !== undefined) exchange.urls.api = rebaseUrls(exchange.urls.api, options.apiUrl) as never;
  return { exchange, ccxt };
}

/** Points every REST base URL in a ccxt `urls.api` tree at `apiUrl`, keeping each URL's path. */
export function rebaseUrls(api: unknown, apiUrl: string): unknown {
  const base = apiUrl.replace(/\/+$/, '');
  if (typeof api === 'string') return api.replace(/^https?:\/\/[^/]+/, base);
  if (api !== null && typeof api === 'object') {
    return Object.fromEntries(Object.entries(api).map(([key, value]) => [key, rebaseUrls(value, apiUrl)]));
  }
  return api;
}

/**
 * A subclass that remembers each error response's Retry-After header and refuses a 2xx body that is not
 * JSON (ccxt would hand the raw text on to its parsers).
 */
function withResponseChecks(
  Base: ExchangeClass,
  ccxt: CcxtModule,
  headerRetryAfter: WeakMap<object, number>,
  now: () => number,
): ExchangeClass {
  return class extends Base {
    override handleErrors(
      code: number,
      reason: string,
      url: string,
      method: string,
      headers: Record<string, unknown>,
      body: string,
      response: unknown,
      requestHeaders: unknown,
      requestBody: unknown,
    ): undefined {
      try {
        super.handleErrors(code, reason, url, method, headers, body, response, requestHeaders, requestBody);
        if (code >= 400) this.handleHttpStatusCode(code, reason, url, method, body);
        if (code < 300 && response === undefined && body.trim() !== '') {
          throw new ccxt.BadResponse(`${this.id} ${method} ${url} answered ${code} with a body that is not JSON`);
        }
        return undefined;
      } catch (error) {
        const ms = parseRetryAfter(headers?.['Retry-After'], now());
        if (ms !== undefined && typeof error === 'object' && error !== null) headerRetryAfter.set(error, ms);
        throw error;
      }
    }
  };
}

/** A Retry-After header (delay in seconds, or an HTTP date) as ms from `nowMs`; undefined when absent. */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

interface MapContext {
  readonly id: string;
  readonly symbol: string | undefined;
  readonly timeoutMs: number;
  readonly retryAfter: RetryAfterDefaults;
  readonly headerRetryAfter: WeakMap<object, number>;
}

/** Maps anything a ccxt call threw to a UserError, an ExchangeOutage, or (for the rest) an internal Error. */
function mapCcxtError(error: unknown, ccxt: CcxtModule, ctx: MapContext): Error {
  if (error instanceof UserError || error instanceof TemporaryError) return error;
  const { id, retryAfter } = ctx;
  const outage = (reason: string, kind: OutageKind): ExchangeOutage => {
    const header = typeof error === 'object' && error !== null ? ctx.headerRetryAfter.get(error) : undefined;
    const ms = header ?? retryAfter[KIND_DEFAULT[kind]];
    const demanded = header ?? (kind === 'rate-limited' ? ms : 0);
    return new ExchangeOutage(reason, ms, kind, demanded, { cause: error, sayWhen: true });
  };
  if (!(error instanceof ccxt.BaseError)) return outage(`${id} sent a response that could not be read`, 'bad-response');
  const said = exchangeMessage(error.message);
  if (error instanceof ccxt.BadSymbol) {
    return new UserError(`${id} does not recognise the market ${ctx.symbol ?? ''}${said ? ` (${said})` : ''}.`, SYMBOL_USAGE);
  }
  if (error instanceof ccxt.BadRequest || error instanceof ccxt.NotSupported || error instanceof ccxt.ArgumentsRequired) {
    return new UserError(`${id} refused the request${said ? `: ${said}` : ''}.`);
  }
  if (error instanceof ccxt.RateLimitExceeded || error instanceof ccxt.DDoSProtection) {
    return outage(`${id} is rate-limiting our requests`, 'rate-limited');
  }
  if (error instanceof ccxt.RequestTimeout) return outage(`${id} did not answer within ${ctx.timeoutMs} ms`, 'timeout');
  if (error instanceof ccxt.OnMaintenance) return outage(`${id} is under maintenance`, 'unavailable');
  if (error instanceof ccxt.ExchangeNotAvailable) {
    const status = / (\d{3}) /.exec(error.message)?.[1];
    return outage(`${id} is unavailable${status ? ` (HTTP ${status})` : ''}`, 'unavailable');
  }
  if (error instanceof ccxt.NetworkError) return outage(`cannot reach ${id}`, 'network');
  if (error instanceof ccxt.OperationFailed) return outage(`${id} sent a response that could not be read`, 'bad-response');
  return new Error(`${id}: ${error.message}`, { cause: error });
}

const KIND_DEFAULT: Readonly<Record<OutageKind, keyof RetryAfterDefaults>> = {
  'rate-limited': 'rateLimited',
  unavailable: 'unavailable',
  timeout: 'timeout',
  network: 'network',
  'bad-response': 'badResponse',
};

/** The exchange's own words from a ccxt message such as `binance {"code":-1121,"msg":"Invalid symbol."}`. */
function exchangeMessage(message: string): string | undefined {
  return /"msg"\s*:\s*"([^"]{1,200})"/.exec(message)?.[1];
}

/** ccxt's TICK_SIZE precision mode: `precision.amount`/`price` are steps, not decimal places. */
const TICK_SIZE_MODE = 4;

/** A ccxt precision as a step: itself in tick-size mode, 10^-digits in decimal-places mode. */
function step(precision: number | undefined, tickSize: boolean): number | undefined {
  const p = finite(precision);
  if (p === undefined || p < 0) return undefined;
  if (tickSize) return p > 0 ? p : undefined;
  return Number(`1e-${Math.round(p)}`);
}

/** A ccxt market in our own type, with its precision, minimums and fee rates when the exchange gives them. */
export function toMarketInfo(m: Market | undefined, tickSize = true): MarketInfo[] {
  if (m === undefined) return [];
  const optional = {
    amountStep: step(m.precision?.amount, tickSize),
    priceStep: step(m.precision?.price, tickSize),
    minAmount: finite(m.limits?.amount?.min),
    minNotional: finite(m.limits?.cost?.min),
    takerFeeRate: finite(m.taker),
    makerFeeRate: finite(m.maker),
  };
  const present = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return [{ symbol: m.symbol, id: String(m.id), base: m.base, quote: m.quote, active: m.active !== false, ...present }];
}

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function unreadable(id: string, what: string, retryAfterMs: number): ExchangeOutage {
  return new ExchangeOutage(`${id} sent ${what}`, retryAfterMs, 'bad-response', 0, { sayWhen: true });
}

function toQuote(t: Ticker, symbol: string, id: string, receivedAtMs: number, retryAfterMs: number): Quote {
  const last = finite(t.last);
  if (last === undefined || last <= 0) throw unreadable(id, `a ticker without a usable price for ${symbol}`, retryAfterMs);
  return {
    symbol,
    last,
    bid: finite(t.bid),
    ask: finite(t.ask),
    change24hPct: finite(t.percentage),
    baseVolume24h: finite(t.baseVolume),
    quoteVolume24h: finite(t.quoteVolume),
    // Some exchanges stamp no ticker time; then the receive time is the best honest figure.
    provenance: { source: id, sourceTimeMs: finite(t.timestamp) ?? receivedAtMs, receivedAtMs },
  };
}

function toCandle(row: OHLCV, id: string, retryAfterMs: number): Candle {
  const [timeMs, open, high, low, close, volume] = row.map(finite);
  if (timeMs === undefined || open === undefined || high === undefined || low === undefined || close === undefined || volume === undefined) {
    throw unreadable(id, 'a candle with a missing or non-numeric field', retryAfterMs);
  }
  return { timeMs, open, high, low, close, volume };
}

function toTrade(t: CcxtTrade, symbol: string, id: string, retryAfterMs: number): Trade {
  const timeMs = finite(t.timestamp);
  const price = finite(t.price);
  const amount = finite(t.amount);
  if (timeMs === undefined || price === undefined || amount === undefined || (t.side !== 'buy' && t.side !== 'sell')) {
    throw unreadable(id, 'a trade with a missing or non-numeric field', retryAfterMs);
  }
  const cost = finite(t.cost) ?? price * amount;
  return { id: String(t.id ?? `${timeMs}`), symbol, timeMs, side: t.side, price, amount, cost };
}
