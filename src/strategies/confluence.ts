import { bollinger } from '../indicators/bollinger.js';
import { macd } from '../indicators/macd.js';
import { rsi } from '../indicators/rsi.js';
import { volumeZScore } from '../indicators/volume-zscore.js';
import type { CandleColumns } from '../market/types.js';
import { cached, defineStrategy, intParam, lessThan, modeParam, numberParam } from './define.js';
import { shortTarget } from './signals.js';
import type { IndicatorCache, ParamsOf, StrategyResult } from './types.js';

const space = {
  rsiPeriod: intParam(2, 100, 14, 'RSI period'),
  macdFast: intParam(2, 100, 12, 'MACD fast EMA period'),
  macdSlow: intParam(3, 200, 26, 'MACD slow EMA period', 2),
  macdSignal: intParam(1, 50, 9, 'MACD signal EMA period'),
  bbPeriod: intParam(2, 200, 20, 'Bollinger period (also the price deviation that scales the MACD histogram)'),
  bbStddev: numberParam(0.5, 5, 2, 'Bollinger width in standard deviations', 0.5),
  volumePeriod: intParam(2, 200, 20, 'volume z-score window'),
  rsiWeight: numberParam(0, 10, 1, 'weight of the RSI component', 0.5),
  macdWeight: numberParam(0, 10, 1, 'weight of the MACD component', 0.5),
  bollingerWeight: numberParam(0, 10, 1, 'weight of the Bollinger component', 0.5),
  volumeWeight: numberParam(0, 10, 0.5, 'weight of the volume component', 0.5),
  longAbove: numberParam(50, 100, 65, 'score at or above which to be long', 5),
  shortBelow: numberParam(0, 50, 35, 'score at or below which to be short (flat in long_only)', 5),
  mode: modeParam,
};

/** The confluence strategy's parameters. */
export type ConfluenceParams = ParamsOf<typeof space>;

/** The four components: weight parameter, raw indicator and sub-score series names, and how the sub-score is made. */
export const CONFLUENCE_COMPONENTS = [
  { name: 'rsi', weight: 'rsiWeight', raw: 'rsi', score: 'rsiScore', rule: '100 − RSI (oversold is bullish)' },
  { name: 'macd', weight: 'macdWeight', raw: 'macdHistogram', score: 'macdScore', rule: '50 + 50·tanh(histogram / price σ)' },
  { name: 'bollinger', weight: 'bollingerWeight', raw: 'percentB', score: 'bollingerScore', rule: '100·(1 − clamp(%B, 0, 1))' },
  { name: 'volume', weight: 'volumeWeight', raw: 'volumeZ', score: 'volumeScore', rule: '50 + 50·tanh(max(z, 0)/2)·sign(Δclose)' },
] as const;

function computeConfluence(candles: CandleColumns, p: ConfluenceParams, cache?: IndicatorCache): StrategyResult {
  const { close, volume } = candles;
  const n = close.length;
  const rsiValues = cached(cache, `rsi:${p.rsiPeriod}`, () => rsi(close, p.rsiPeriod));
  const m = cached(cache, `macd:${p.macdFast}:${p.macdSlow}:${p.macdSignal}`, () => macd(close, p.macdFast, p.macdSlow, p.macdSignal));
  const bands = cached(cache, `bollinger:${p.bbPeriod}:${p.bbStddev}`, () => bollinger(close, p.bbPeriod, p.bbStddev));
  const volumeZ = cached(cache, `volumeZ:${p.volumePeriod}`, () => volumeZScore(volume, p.volumePeriod));
  const s = {
    closeStd: new Float64Array(n),
    percentB: new Float64Array(n),
    rsiScore: new Float64Array(n),
    macdScore: new Float64Array(n),
    bollingerScore: new Float64Array(n),
    volumeScore: new Float64Array(n),
    score: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const width = bands.upper[i]! - bands.lower[i]!;
    const sigma = width / (2 * p.bbStddev);
    const percentB = width > 0 ? (close[i]! - bands.lower[i]!) / width : width === 0 ? 0.5 : NaN;
    const hist = m.histogram[i]!;
    const direction = i > 0 ? Math.sign(close[i]! - close[i - 1]!) : NaN;
    s.closeStd[i] = sigma;
    s.percentB[i] = percentB;
    s.rsiScore[i] = 100 - rsiValues[i]!;
    s.macdScore[i] = sigma > 0 ? 50 + 50 * Math.tanh(hist / sigma) : sigma === 0 && !Number.isNaN(hist) ? 50 : NaN;
    s.bollingerScore[i] = 100 * (1 - Math.min(1, Math.max(0, percentB)));
    s.volumeScore[i] = 50 + 50 * Math.tanh(Math.max(volumeZ[i]!, 0) / 2) * direction;
  }
  const active = CONFLUENCE_COMPONENTS.filter((c) => p[c.weight] > 0).map((c) => ({ w: p[c.weight], values: s[c.score] }));
  const totalWeight = active.reduce((sum, c) => sum + c.w, 0);
  const short = shortTarget(p.mode);
  const targets = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const c of active) sum += c.w * c.values[i]!;
    const score = sum / totalWeight;
    s.score[i] = score;
    targets[i] = score >= p.longAbove ? 1 : score <= p.shortBelow ? short : 0;
  }
  return {
    targets,
    indicators: { ...s, rsi: rsiValues, macdHistogram: m.histogram, volumeZ },
  };
}

/**
 * confluence: a 0–100 score per bar (50 neutral, higher = more bullish), the weighted mean of four sub-scores:
 * RSI (100 − RSI), MACD (histogram scaled by the Bollinger-window price σ through tanh), Bollinger position
 * (100·(1 − %B), clamped) and volume (above-average volume z-score confirming the bar's direction). Long when the score
 * is ≥ longAbove, short (flat in long_only) when ≤ shortBelow, else flat; flat while any weighted component is undefined.
 */
export const confluence = defineStrategy({
  name: 'confluence',
  description: 'A 0–100 bullishness score from RSI, MACD, Bollinger position and volume; long above one threshold, short below another.',
  space,
  constraints: [
    lessThan('macdFast', 'macdSlow'),
    lessThan('shortBelow', 'longAbove'),
    {
      description: 'at least one weight > 0',
      check: (p) =>
        p.rsiWeight + p.macdWeight + p.bollingerWeight + p.volumeWeight > 0 ? undefined : 'at least one weight must be above 0',
    },
  ],
  compute: computeConfluence,
});

/** One component of a confluence score at one bar. */
export interface ConfluenceComponent {
  readonly name: (typeof CONFLUENCE_COMPONENTS)[number]['name'];
  /** The weight parameter's value, and its share of the total weight (0 when the weight is 0). */
  readonly weight: number;
  readonly share: number;
  /** The indicator value: RSI, MACD histogram, %B or volume z-score (NaN while undefined). */
  readonly raw: number;
  /** The 0–100 sub-score made from it, and share × sub-score, its part of the score. */
  readonly subScore: number;
  readonly contribution: number;
  /** How the sub-score is made from the raw value. */
  readonly rule: string;
}

/** Why the confluence strategy wants what it wants at one bar. */
export interface ConfluenceExplanation {
  readonly index: number;
  readonly score: number;
  readonly target: number;
  readonly longAbove: number;
  readonly shortBelow: number;
  readonly components: readonly ConfluenceComponent[];
}

/** Explains bar `index` of a confluence result computed with `params`: each component's weight, raw value and sub-score. */
export function explainConfluence(result: StrategyResult, params: ConfluenceParams, index: number): ConfluenceExplanation {
  if (!Number.isInteger(index) || index < 0 || index >= result.targets.length) {
    throw new RangeError(`bar index must be an integer from 0 to ${result.targets.length - 1}, got ${index}`);
  }
  const at = (series: string): number => result.indicators[series]?.[index] ?? NaN;
  const totalWeight = CONFLUENCE_COMPONENTS.reduce((sum, c) => sum + params[c.weight], 0);
  const components = CONFLUENCE_COMPONENTS.map((c) => {
    const weight = params[c.weight];
    const share = weight / totalWeight;
    const subScore = at(c.score);
    return { name: c.name, weight, share, raw: at(c.raw), subScore, contribution: weight > 0 ? share * subScore : 0, rule: c.rule };
  });
  return {
    index,
    score: at('score'),
    target: result.targets[index]!,
    longAbove: params.longAbove,
    shortBelow: params.shortBelow,
    components,
  };
}
