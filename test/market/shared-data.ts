import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeMarket, RawBars } from '../fakes/exchange-server.js';
import { SHARED_DATA_DIR } from '../support/shared-data.js';

/** The read-only folder of real market data beside the repository (see test/support/shared-data.ts). */
export const DATA_DIR = SHARED_DATA_DIR;
/** Binance spot 1m/5m candles with two real maintenance outages (2021-04-20 and 2021-04-25). */
export const SELSKAS_DIR = join(DATA_DIR, 'crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs');

const cache = new Map<string, RawBars>();

/** A freqtrade JSON candle file, parsed once per test process. */
export function readBars(path: string): RawBars {
  let bars = cache.get(path);
  if (!bars) {
    bars = JSON.parse(readFileSync(path, 'utf8')) as RawBars;
    cache.set(path, bars);
  }
  return bars;
}

/** BTC/USDT (1m, 5m) and ETH/USDT (1m) as the fake exchange serves them. */
export function binanceMarkets(): FakeMarket[] {
  return [
    {
      id: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      bars: { '1m': readBars(join(SELSKAS_DIR, 'BTC_USDT-1m.json')), '5m': readBars(join(SELSKAS_DIR, 'BTC_USDT-5m.json')) },
    },
    { id: 'ETHUSDT', base: 'ETH', quote: 'USDT', bars: { '1m': readBars(join(SELSKAS_DIR, 'ETH_USDT-1m.json')) } },
  ];
}

/** Epoch ms of a UTC time written `2021-04-20T01:59`. */
export const utc = (iso: string): number => Date.parse(`${iso}Z`);
