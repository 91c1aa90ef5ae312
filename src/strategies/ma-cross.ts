import { ema } from '../indicators/ema.js';
import { sma } from '../indicators/sma.js';
import { cached, defineStrategy, intParam, lessThan, modeParam } from './define.js';
import { crossTargets, shortTarget } from './signals.js';

const space = {
  fast: intParam(1, 200, 10, 'bars of the fast moving average'),
  slow: intParam(2, 500, 30, 'bars of the slow moving average', 5),
  mode: modeParam,
};

const fastBelowSlow = lessThan('fast', 'slow');

/**
 * sma_cross: long while SMA(fast) > SMA(slow), short while below (flat in long_only mode); on a bar where they are
 * equal the previous target is kept; flat until both averages exist (bar slow−1).
 */
export const smaCross = defineStrategy({
  name: 'sma_cross',
  description: 'Long while the fast SMA is above the slow SMA, short (or flat) while below.',
  space,
  constraints: [fastBelowSlow],
  compute(candles, p, cache) {
    const fast = cached(cache, `sma:${p.fast}`, () => sma(candles.close, p.fast));
    const slow = cached(cache, `sma:${p.slow}`, () => sma(candles.close, p.slow));
    return { targets: crossTargets(fast, slow, shortTarget(p.mode)), indicators: { fast, slow } };
  },
});

/**
 * ema_cross: long while EMA(fast) > EMA(slow), short while below (flat in long_only mode); on a bar where they are
 * equal the previous target is kept; flat until both averages exist (bar slow−1, TA-Lib's SMA-seeded EMA).
 */
export const emaCross = defineStrategy({
  name: 'ema_cross',
  description: 'Long while the fast EMA is above the slow EMA, short (or flat) while below.',
  space,
  constraints: [fastBelowSlow],
  compute(candles, p, cache) {
    const fast = cached(cache, `ema:${p.fast}`, () => ema(candles.close, p.fast));
    const slow = cached(cache, `ema:${p.slow}`, () => ema(candles.close, p.slow));
    return { targets: crossTargets(fast, slow, shortTarget(p.mode)), indicators: { fast, slow } };
  },
});
