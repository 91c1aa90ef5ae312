import { describe, expect, it } from 'vitest';
import { ConfigError, TemporaryError, UserError } from '../../src/errors.js';
import { createCcxtClient, parseRetryAfter, rebaseUrls } from '../../src/market/ccxt.js';
import { ExchangeOutage } from '../../src/market/exchange-client.js';
import type { AggTrade, Fault } from '../fakes/exchange-server.js';
import { startHarness } from './harness.js';
import { utc } from './shared-data.js';

describe('ccxt client against the fake Binance', () => {
  it('returns a quote whose price is the real close of the current bar, with provenance', async () => {
    const h = await startHarness({ atIso: '2021-04-02T00:01' });
    const quote = await h.client.fetchQuote('BTC/USDT');
    // The first BTC/USDT bar of 2021-04-02 (README spot check: it opens at 58720.45) closed at 58760.34.
    expect(quote.last).toBe(58760.34);
    expect(quote.symbol).toBe('BTC/USDT');
    expect(quote.provenance).toEqual({ source: 'binance', sourceTimeMs: utc('2021-04-02T00:00') + 59_999, receivedAtMs: h.now() });
    expect(quote.bid).toBeUndefined();
    expect(quote.ask).toBeUndefined();
    expect(h.exchange.count('/api/v3/exchangeInfo')).toBe(1);
    expect(h.exchange.count('/api/v3/ticker/24hr')).toBe(1);
  });

  it('resolves btcusdt, BTCUSDT and a bare base to the unified symbol', async () => {
    const h = await startHarness();
    for (const input of ['btcusdt', 'BTCUSDT', 'btc', ' btc/usdt ']) {
      expect((await h.client.fetchQuote(input)).symbol).toBe('BTC/USDT');
    }
  });

  it('lists markets in our own type', async () => {
    const h = await startHarness();
    const markets = await h.client.listMarkets();
    expect(markets.map((m) => m.symbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(markets[0]).toEqual({
      symbol: expect.any(String), id: expect.any(String), base: expect.any(String), quote: 'USDT', active: true,
      // From the exchangeInfo filters (tick size, lot size, notional) and ccxt's listed spot fees.
      amountStep: 0.00001, priceStep: 0.01, minAmount: 0.00001, minNotional: 5, takerFeeRate: 0.001, makerFeeRate: 0.001,
    });
  });

  it('rejects an unlisted symbol locally with a UserError that suggests the listed ones', async () => {
    const h = await startHarness();
    await expect(h.client.fetchQuote('BTC/EUR')).rejects.toThrow(UserError);
    await expect(h.client.fetchQuote('BTC/EUR')).rejects.toThrow(/no market "BTC\/EUR".*BTC\/USDT/);
    expect(h.exchange.count('/api/v3/ticker/24hr')).toBe(0);
  });

  it('fetches candles as our Candle type, exactly as stored in the data file', async () => {
    const h = await startHarness({ atIso: '2021-04-03T00:00' });
    const candles = await h.client.fetchCandles('BTC/USDT', '1m', utc('2021-04-02T00:00'), 3);
    expect(candles[0]).toEqual({ timeMs: utc('2021-04-02T00:00'), open: 58720.45, high: 58840.43, low: 58720.44, close: 58760.34, volume: 61.685675 });
    expect(candles.map((c) => c.timeMs)).toEqual([0, 1, 2].map((i) => utc('2021-04-02T00:00') + i * 60_000));
    const fiveMinute = await h.client.fetchCandles('BTC/USDT', '5m', utc('2021-01-01T00:00'), 1);
    expect(fiveMinute[0]!.open).toBe(28923.63);
  });

  it('turns an unsupported or malformed timeframe into a UserError', async () => {
    const h = await startHarness();
    await expect(h.client.fetchCandles('BTC/USDT', '7x', 0, 10)).rejects.toThrow(UserError);
    await expect(h.client.fetchCandles('BTC/USDT', '7m', 0, 10)).rejects.toThrow(/binance has no 7m candles/);
    await expect(h.client.fetchCandles('ETH/USDT', '5m', 0, 10)).rejects.toThrow(/Invalid interval/);
  });

  it('fetches public trades as our Trade type', async () => {
    const t0 = utc('2021-04-20T00:30');
    const trades: AggTrade[] = [
      { a: 1, p: '55000.10', q: '2.5', f: 10, l: 11, T: t0, m: true, M: true },
      { a: 2, p: '55001.00', q: '0.1', f: 12, l: 12, T: t0 + 1_000, m: false, M: true },
    ];
    const h = await startHarness({ trades: { BTCUSDT: trades } });
    const got = await h.client.fetchTrades('BTC/USDT');
    expect(got).toEqual([
      { id: '1', symbol: 'BTC/USDT', timeMs: t0, side: 'sell', price: 55000.1, amount: 2.5, cost: 137500.25 },
      { id: '2', symbol: 'BTC/USDT', timeMs: t0 + 1_000, side: 'buy', price: 55001, amount: 0.1, cost: 5500.1 },
    ]);
  });

  const faults: [Fault, RegExp, string][] = [
    ['timeout', /did not answer within 250 ms/, 'timeout'],
    ['rate-limit', /rate-limiting/, 'rate-limited'],
    ['server-error', /unavailable \(HTTP 500\)/, 'unavailable'],
    ['unavailable', /unavailable \(HTTP 503\)/, 'unavailable'],
    ['malformed-json', /could not be read/, 'bad-response'],
    ['reset', /cannot reach binance/, 'network'],
  ];
  for (const [fault, message, kind] of faults) {
    it(`maps a ${fault} to a TemporaryError (${kind}) with a retry-after`, async () => {
      const h = await startHarness({ timeoutMs: 250 });
      await h.client.listMarkets();
      h.exchange.injectFault(fault);
      const error = await h.client.fetchQuote('BTC/USDT').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExchangeOutage);
      expect(error).toBeInstanceOf(TemporaryError);
      expect((error as ExchangeOutage).kind).toBe(kind);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/try again in \d+ s/);
      expect((error as TemporaryError).retryAfterMs).toBeGreaterThan(0);
    });
  }

  it('takes the retry-after from the Retry-After header of a 429 and 503, and demands that wait', async () => {
    const h = await startHarness();
    await h.client.listMarkets();
    h.exchange.setRetryAfterSeconds(7);
    for (const fault of ['rate-limit', 'unavailable'] as const) {
      h.exchange.injectFault(fault);
      const error = (await h.client.fetchQuote('BTC/USDT').catch((e: unknown) => e)) as ExchangeOutage;
      expect(error.retryAfterMs).toBe(7_000);
      expect(error.waitAtLeastMs).toBe(7_000);
      expect(error.message).toMatch(/try again in 7 s/);
    }
    h.exchange.setRetryAfterSeconds(undefined);
    h.exchange.injectFault('rate-limit');
    const noHeader = (await h.client.fetchQuote('BTC/USDT').catch((e: unknown) => e)) as ExchangeOutage;
    expect(noHeader.retryAfterMs).toBe(10_000);
    h.exchange.injectFault('server-error');
    expect(((await h.client.fetchQuote('BTC/USDT').catch((e: unknown) => e)) as ExchangeOutage).waitAtLeastMs).toBe(0);
  });

  it('maps Binance -1121 "Invalid symbol." to a UserError with the exchange words', async () => {
    const h = await startHarness();
    h.exchange.injectFault('unknown-symbol', { path: '/api/v3/ticker/24hr' });
    const error = await h.client.fetchQuote('ETH/USDT').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe('binance does not recognise the market ETH/USDT (Invalid symbol.).');
  });

  it('recovers when loading the markets failed once', async () => {
    const h = await startHarness();
    h.exchange.injectFault('unavailable', { path: '/api/v3/exchangeInfo' });
    await expect(h.client.fetchQuote('BTC/USDT')).rejects.toThrow(TemporaryError);
    expect((await h.client.fetchQuote('BTC/USDT')).last).toBeGreaterThan(0);
    expect(h.exchange.count('/api/v3/exchangeInfo')).toBe(2);
  });

  it('never returns a number from a malformed answer, for any endpoint', async () => {
    const h = await startHarness({ atIso: '2021-04-03T00:00' });
    await h.client.listMarkets();
    h.exchange.setFaultPicker(() => 'malformed-json');
    await expect(h.client.fetchQuote('BTC/USDT')).rejects.toThrow(TemporaryError);
    await expect(h.client.fetchCandles('BTC/USDT', '1m', utc('2021-04-02T00:00'), 10)).rejects.toThrow(TemporaryError);
    await expect(h.client.fetchTrades('BTC/USDT')).rejects.toThrow(TemporaryError);
  });

  it('refuses an exchange id ccxt does not know with a ConfigError naming EXCHANGE', async () => {
    const client = createCcxtClient({ exchangeId: 'nosuchexchange' });
    await expect(client.fetchQuote('BTC/USDT')).rejects.toThrow(ConfigError);
    await expect(client.listMarkets()).rejects.toThrow(/EXCHANGE: "nosuchexchange"/);
  });
});

describe('ccxt helpers', () => {
  it('rebases every REST URL onto the API URL, keeping paths', () => {
    const api = { public: 'https://api.binance.com/api/v3', sapi: 'https://api.binance.com/sapi/v1', nested: { x: 'https://fapi.binance.com/fapi/v1' }, ws: 'wss://stream' };
    expect(rebaseUrls(api, 'http://127.0.0.1:9/')).toEqual({
      public: 'http://127.0.0.1:9/api/v3',
      sapi: 'http://127.0.0.1:9/sapi/v1',
      nested: { x: 'http://127.0.0.1:9/fapi/v1' },
      ws: 'wss://stream',
    });
  });

  it('parses Retry-After in seconds or as an HTTP date', () => {
    const now = Date.parse('2021-04-20T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Tue, 20 Apr 2021 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
