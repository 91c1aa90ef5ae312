import { bollinger } from '../indicators/bollinger.js';
import { cached, defineStrategy, intParam, modeParam, numberParam } from './define.js';
import { shortTarget } from './signals.js';

/**
 * bollinger_reversion: goes long when the close is below the lower band and holds until a close at or above the middle
 * band; goes short when the close is above the upper band and holds until a close at or below the middle (long_only:
 * no shorts). A close beyond the opposite band reverses at once. Flat until the bands exist (bar period−1).
 */
export const bollingerReversion = defineStrategy({
  name: 'bollinger_reversion',
  description: 'Long below the lower Bollinger band until the middle band, short above the upper band until the middle.',
  space: {
    period: intParam(2, 200, 20, 'bars of the moving average and deviation'),
    stddev: numberParam(0.5, 5, 2, 'band width in population standard deviations', 0.5),
    mode: modeParam,
  },
  compute(candles, p, cache) {
    const close = candles.close;
    const bands = cached(cache, `bollinger:${p.period}:${p.stddev}`, () => bollinger(close, p.period, p.stddev));
    const { upper, middle, lower } = bands;
    const short = shortTarget(p.mode);
    const targets = new Int8Array(close.length);
    let target = 0;
    for (let i = 0; i < close.length; i++) {
      const c = close[i]!;
      if (c < lower[i]!) target = 1;
      else if (c > upper[i]! && short !== 0) target = short;
      else if ((target === 1 && c >= middle[i]!) || (target === -1 && c <= middle[i]!)) target = 0;
      targets[i] = target;
    }
    return { targets, indicators: { upper, middle, lower } };
  },
});
