import { macd } from '../indicators/macd.js';
import { cached, defineStrategy, intParam, lessThan, modeParam } from './define.js';
import { crossTargets, shortTarget } from './signals.js';

/**
 * macd_cross: long while the MACD line is above its signal line (histogram > 0), short while below (flat in long_only
 * mode); equal keeps the previous target; flat until TA-Lib's MACD is defined (bar slow+signal−2).
 */
export const macdCross = defineStrategy({
  name: 'macd_cross',
  description: 'Long while the MACD line is above its signal line, short (or flat) while below.',
  space: {
    fast: intParam(2, 100, 12, 'bars of the fast EMA'),
    slow: intParam(3, 200, 26, 'bars of the slow EMA', 2),
    signal: intParam(1, 50, 9, 'bars of the signal EMA'),
    mode: modeParam,
  },
  constraints: [lessThan('fast', 'slow')],
  compute(candles, p, cache) {
    const m = cached(cache, `macd:${p.fast}:${p.slow}:${p.signal}`, () => macd(candles.close, p.fast, p.slow, p.signal));
    return {
      targets: crossTargets(m.macd, m.signal, shortTarget(p.mode)),
      indicators: { macd: m.macd, signal: m.signal, histogram: m.histogram },
    };
  },
});
