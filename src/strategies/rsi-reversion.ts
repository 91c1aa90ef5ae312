import { rsi } from '../indicators/rsi.js';
import { cached, defineStrategy, intParam, lessThan, modeParam, numberParam } from './define.js';
import { shortTarget } from './signals.js';

/**
 * rsi_reversion: goes long when RSI(period) closes below `oversold` and holds until it closes above `overbought`;
 * there it goes short (long_short) or flat (long_only) and holds until RSI is below `oversold` again.
 * Flat until the first signal; RSI is TA-Lib's (defined from bar `period`).
 */
export const rsiReversion = defineStrategy({
  name: 'rsi_reversion',
  description: 'Long when RSI drops below oversold, held until RSI rises above overbought; then short (or flat).',
  space: {
    period: intParam(2, 100, 14, 'RSI period in bars'),
    oversold: numberParam(1, 50, 30, 'RSI level below which to go long', 5),
    overbought: numberParam(50, 99, 70, 'RSI level above which to leave the long (and go short)', 5),
    mode: modeParam,
  },
  constraints: [lessThan('oversold', 'overbought')],
  compute(candles, p, cache) {
    const values = cached(cache, `rsi:${p.period}`, () => rsi(candles.close, p.period));
    const short = shortTarget(p.mode);
    const targets = new Int8Array(values.length);
    let target = 0;
    for (let i = 0; i < values.length; i++) {
      const r = values[i]!;
      if (r < p.oversold) target = 1;
      else if (r > p.overbought) target = short;
      targets[i] = target;
    }
    return { targets, indicators: { rsi: values } };
  },
});
