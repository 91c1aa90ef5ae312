import { afterEach } from 'vitest';
import { createCcxtClient } from '../../src/market/ccxt.js';
import type { ExchangeClient } from '../../src/market/exchange-client.js';
import { guardExchangeClient, type GuardOptions, type GuardedExchangeClient } from '../../src/market/guarded-client.js';
import { seededRandom } from '../../src/market/random.js';
import { startExchangeServer, type AggTrade, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from './shared-data.js';

/** A fake Binance, the real ccxt client pointed at it, a test clock and a recording sleep. */
export interface Harness {
  readonly exchange: ExchangeServer;
  readonly client: ExchangeClient;
  readonly clock: { nowMs: number };
  readonly now: () => number;
  /** Every delay the code under test asked to sleep, in order; sleeping advances both clocks. */
  readonly sleeps: number[];
  readonly sleep: (ms: number) => Promise<void>;
  guard(options?: Omit<GuardOptions, 'now' | 'sleep'>): GuardedExchangeClient;
}

const open: Harness[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.client.close();
    await h.exchange.close();
  }
});

/** Starts a harness whose exchange and clock both stand at `atIso` (UTC); closed after each test. */
export async function startHarness(options: { atIso?: string; trades?: Record<string, AggTrade[]>; timeoutMs?: number } = {}): Promise<Harness> {
  const clock = { nowMs: utc(options.atIso ?? '2021-04-20T01:00') };
  const now = (): number => clock.nowMs;
  const exchange = await startExchangeServer({
    markets: binanceMarkets(),
    currentTimeMs: clock.nowMs,
    trades: options.trades,
    retryAfterSeconds: 1,
  });
  const client = createCcxtClient({ apiUrl: exchange.url, rateLimitMs: 1, timeoutMs: options.timeoutMs ?? 2_000, now });
  const sleeps: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
    clock.nowMs += ms;
    exchange.setCurrentTime(clock.nowMs);
  };
  const harness: Harness = {
    exchange,
    client,
    clock,
    now,
    sleeps,
    sleep,
    guard: (o = {}) => guardExchangeClient(client, { random: seededRandom(7), ...o, now, sleep }),
  };
  open.push(harness);
  return harness;
}

/** Moves the test clock and the fake exchange's clock together. */
export function advance(h: Harness, ms: number): void {
  h.clock.nowMs += ms;
  h.exchange.setCurrentTime(h.clock.nowMs);
}
