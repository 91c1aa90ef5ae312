import { donchian } from '../indicators/donchian.js';
import { cached, defineStrategy, intParam, modeParam } from './define.js';
import { shortTarget } from './signals.js';

/** The series shifted one bar later (out[i] = values[i−1], NaN at 0): "the channel of the bars before this one". */
function previousBar(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  out.set(values.subarray(0, values.length - 1), 1);
  if (out.length > 0) out[0] = NaN;
  return out;
}

/**
 * donchian_breakout: goes long when the close breaks above the highest high of the `period` bars BEFORE it, and short
 * (flat in long_only) when it breaks below their lowest low; otherwise it keeps its position (stop and reverse).
 * Flat until `period` earlier bars exist. The indicators are that prior-bars channel.
 */
export const donchianBreakout = defineStrategy({
  name: 'donchian_breakout',
  description: 'Long on a close above the prior N-bar high, short (or flat) on a close below the prior N-bar low.',
  space: {
    period: intParam(2, 200, 20, 'bars in the breakout channel'),
    mode: modeParam,
  },
  compute(candles, p, cache) {
    const channel = cached(cache, `donchian:${p.period}`, () => donchian(candles.high, candles.low, p.period));
    const upper = previousBar(channel.upper);
    const lower = previousBar(channel.lower);
    const close = candles.close;
    const short = shortTarget(p.mode);
    const targets = new Int8Array(close.length);
    let target = 0;
    for (let i = 0; i < close.length; i++) {
      const c = close[i]!;
      if (c > upper[i]!) target = 1;
      else if (c < lower[i]!) target = short;
      targets[i] = target;
    }
    return { targets, indicators: { upper, lower } };
  },
});
