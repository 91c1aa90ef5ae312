import { describe, expect, it } from 'vitest';
import { listStrategies } from '../../src/strategies/index.js';
import type { StrategyParams } from '../../src/strategies/index.js';
import { readFreqtradeJson, sharedDataPath } from '../support/shared-data.js';
import { prefix } from './candles.js';

const btc = readFreqtradeJson(
  sharedDataPath('crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json'),
);
const PREFIXES = [1, 2, 35, 777, 5_000, 30_001];

/** Non-default settings per strategy, so a second configuration (including long_only) is checked too. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  sma_cross: { fast: 7, slow: 99, mode: 'long_only' },
  ema_cross: { fast: 3, slow: 50, mode: 'long_only' },
  rsi_reversion: { period: 7, oversold: 25, overbought: 80 },
  macd_cross: { fast: 5, slow: 35, signal: 5, mode: 'long_only' },
  bollinger_reversion: { period: 50, stddev: 2.5 },
  donchian_breakout: { period: 55, mode: 'long_only' },
  confluence: { rsiPeriod: 7, bbPeriod: 30, volumePeriod: 60, volumeWeight: 2, longAbove: 60, shortBelow: 40 },
};

describe('no look-ahead: a prefix of the real BTC 1m data gives the same targets and indicators as the whole', () => {
  for (const strategy of listStrategies()) {
    const settings: [string, StrategyParams][] = [
      ['defaults', strategy.defaults],
      ['variant', strategy.schema.parse(VARIANTS[strategy.name] ?? {})],
    ];
    it.each(settings)(`${strategy.name} with %s`, (_label, params) => {
      const whole = strategy.compute(btc, params);
      expect(whole.targets.length).toBe(btc.close.length);
      expect(whole.targets.some((t) => t !== 0)).toBe(true);
      for (const length of PREFIXES) {
        const part = strategy.compute(prefix(btc, length), params);
        expect(Array.from(part.targets), `${strategy.name} targets, prefix ${length}`).toEqual(Array.from(whole.targets.subarray(0, length)));
        for (const [name, series] of Object.entries(whole.indicators)) {
          const head = part.indicators[name]!;
          for (let i = 0; i < length; i++) {
            if (!Object.is(head[i], series[i])) expect.fail(`${strategy.name}.${name}[${i}] differs on a prefix of ${length}`);
          }
        }
      }
    });
  }
});

describe('targets stay in {-1, 0, 1} and long_only never shorts', () => {
  it.each(listStrategies().map((s) => [s.name, s] as const))('%s', (_name, strategy) => {
    const longOnly = strategy.schema.parse({ ...(VARIANTS[strategy.name] ?? {}), mode: 'long_only' });
    const both = strategy.compute(btc, strategy.defaults).targets;
    expect(both.every((t) => t === -1 || t === 0 || t === 1)).toBe(true);
    expect(strategy.compute(btc, longOnly).targets.every((t) => t === 0 || t === 1)).toBe(true);
  });
});
