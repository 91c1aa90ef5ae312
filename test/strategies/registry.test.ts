import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { getStrategy, listStrategies, parseStrategyParams, strategyParamSpace } from '../../src/strategies/index.js';
import { candles } from './candles.js';

const NAMES = ['sma_cross', 'ema_cross', 'rsi_reversion', 'macd_cross', 'bollinger_reversion', 'donchian_breakout', 'confluence'];

/** The message of the UserError `f` throws. */
function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  return expect.fail('expected a UserError');
}

describe('registry', () => {
  it('lists every strategy with a description', () => {
    expect(listStrategies().map((s) => s.name)).toEqual(NAMES);
    for (const s of listStrategies()) expect(s.description.length).toBeGreaterThan(20);
  });

  it('names the available strategies when asked for an unknown one', () => {
    expect(userError(() => getStrategy('sma_crosss')).message).toBe(
      `Unknown strategy "sma_crosss". Available strategies: ${NAMES.join(', ')}.`,
    );
  });

  it('describes each parameter with bounds, a grid step and a default inside the bounds', () => {
    for (const s of listStrategies()) {
      for (const [name, spec] of Object.entries(s.space)) {
        expect(spec.description, `${s.name}.${name}`).not.toBe('');
        if (spec.kind === 'choice') expect(spec.values).toContain(spec.default);
        else {
          expect(spec.min).toBeLessThanOrEqual(spec.default);
          expect(spec.default).toBeLessThanOrEqual(spec.max);
          expect(spec.step).toBeGreaterThan(0);
        }
      }
      expect(s.accepts({}), `${s.name} defaults`).toBe(true);
    }
    expect(strategyParamSpace('sma_cross')).toMatchObject({ fast: { kind: 'int', min: 1, max: 200, default: 10 }, slow: { default: 30 } });
    expect(getStrategy('macd_cross').constraints).toEqual(['fast < slow']);
  });
});

describe('parseStrategyParams', () => {
  it('fills defaults and coerces numeric strings', () => {
    expect(parseStrategyParams('sma_cross', {})).toEqual({ fast: 10, slow: 30, mode: 'long_short' });
    expect(parseStrategyParams('sma_cross', { fast: '5', slow: ' 20 ', mode: 'long_only' })).toEqual({ fast: 5, slow: 20, mode: 'long_only' });
    expect(parseStrategyParams('bollinger_reversion', { stddev: '2.5' })).toMatchObject({ stddev: 2.5, period: 20 });
  });

  it.each(['sma_cross', 'ema_cross', 'macd_cross'])('%s rejects fast >= slow with a readable message and the usage line', (name) => {
    const error = userError(() => parseStrategyParams(name, { fast: '50', slow: '20' }));
    expect(error.message).toBe(`Invalid parameters for ${name}: fast (50) must be less than slow (20).`);
    expect(error.usage).toMatch(new RegExp(`^${name} fast=\\d+ slow=\\d+`));
    expect(userError(() => parseStrategyParams(name, { fast: 20, slow: 20 })).message).toContain('fast (20) must be less than slow (20)');
  });

  it('lists every problem at once: non-numbers, fractions, out-of-range values, bad choices and unknown names', () => {
    const error = userError(() => parseStrategyParams('sma_cross', { fast: 'abc', slow: 2.5, mode: 'short', fsat: 3 }));
    expect(error.message).toBe(
      'Invalid parameters for sma_cross: fast must be a whole number from 1 to 200, got "abc"; ' +
        'slow must be a whole number from 2 to 500, got 2.5; mode must be one of long_short, long_only, got "short"; ' +
        'unknown parameter fsat (parameters: fast, slow, mode).',
    );
    expect(userError(() => parseStrategyParams('rsi_reversion', { period: 0 })).message).toContain(
      'period must be a whole number from 2 to 100, got 0',
    );
  });

  it('checks the other cross-field rules', () => {
    expect(userError(() => parseStrategyParams('rsi_reversion', { oversold: 50, overbought: 50 })).message).toContain(
      'oversold (50) must be less than overbought (50)',
    );
    const confluence = { rsiWeight: 0, macdWeight: 0, bollingerWeight: 0, volumeWeight: 0, macdFast: 30, longAbove: 50, shortBelow: 50 };
    const message = userError(() => parseStrategyParams('confluence', confluence)).message;
    expect(message).toContain('macdFast (30) must be less than macdSlow (26)');
    expect(message).toContain('shortBelow (50) must be less than longAbove (50)');
    expect(message).toContain('at least one weight must be above 0');
  });

  it('shares indicators between parameter combinations through a memo cache', () => {
    const memo = new Map<string, unknown>();
    const cache = {
      memo<T>(key: string, compute: () => T): T {
        if (!memo.has(key)) memo.set(key, compute());
        return memo.get(key) as T;
      },
    };
    const s = getStrategy('sma_cross');
    const c = candles([1, 2, 3, 4, 3, 2, 1, 1, 1]);
    const first = s.compute(c, s.schema.parse({ fast: 2, slow: 3 }), cache);
    const second = s.compute(c, s.schema.parse({ fast: 2, slow: 4 }), cache);
    expect([...memo.keys()]).toEqual(['sma:2', 'sma:3', 'sma:4']);
    expect(second.indicators.fast).toBe(first.indicators.fast);
    expect(Array.from(first.targets)).toEqual(Array.from(s.compute(c, s.schema.parse({ fast: 2, slow: 3 })).targets));
  });

  it('lets an optimizer filter grid points with accepts()', () => {
    const s = getStrategy('sma_cross');
    expect(s.accepts({ fast: 5, slow: 20 })).toBe(true);
    expect(s.accepts({ fast: 20, slow: 5 })).toBe(false);
  });
});
