import type { BacktestOptions, Commission, ExitLevel } from './types.js';

/** backtesting.py's `_FULL_EQUITY`: the default order size, all of the available margin. */
export const FULL_EQUITY = 1 - Number.EPSILON;

/** A stop-loss or take-profit resolved to a price rule (prices are per `unitSize`). */
export interface LevelRule {
  /** The price level for a trade of direction `sign` entered at `entry` on an order of `signalBar`; NaN if unset. */
  level(sign: number, entry: number, signalBar: number, side: -1 | 1): number;
}

/** A trailing stop resolved to a ratchet rule. */
export interface TrailRule {
  readonly active: boolean;
  /** The stop after bar `bar` closed at `barClose`: never looser than `stop`. */
  trail(sign: number, stop: number, barClose: number, bar: number): number;
}

/** Options with defaults applied, commission as a function, and exits as rules. */
export interface ResolvedOptions {
  readonly cash: number;
  readonly commission: (size: number, price: number) => number;
  readonly spread: number;
  readonly leverage: number;
  readonly tradeOnClose: boolean;
  readonly finalize: boolean;
  readonly warmupBars: number;
  readonly sizeIsFraction: boolean;
  readonly sizeValue: number;
  readonly unitSize: number;
  readonly stopLoss: LevelRule;
  readonly takeProfit: LevelRule;
  readonly trailing: TrailRule;
}

/** Applies defaults and checks ranges the way backtesting.py's constructor does; throws RangeError on misuse. */
export function resolveOptions(options: BacktestOptions, bars: number): ResolvedOptions {
  const cash = options.cash ?? 10_000;
  const margin = options.margin ?? 1;
  const spread = options.spread ?? 0;
  const warmupBars = options.warmupBars ?? 0;
  const unitSize = options.unitSize ?? 1;
  if (!(cash > 0) || !Number.isFinite(cash)) throw new RangeError(`cash must be > 0, got ${cash}`);
  if (!(margin > 0 && margin <= 1)) throw new RangeError(`margin must be in (0, 1], got ${margin}`);
  if (!Number.isFinite(spread)) throw new RangeError(`spread must be a finite fraction, got ${spread}`);
  if (!Number.isInteger(warmupBars) || warmupBars < 0) throw new RangeError(`warmupBars must be a whole number >= 0, got ${warmupBars}`);
  if (!(unitSize > 0) || !Number.isFinite(unitSize)) throw new RangeError(`unitSize must be > 0, got ${unitSize}`);
  const sizing = options.sizing ?? { fraction: FULL_EQUITY };
  const sizeIsFraction = 'fraction' in sizing;
  const sizeValue = sizeIsFraction ? sizing.fraction : sizing.units;
  if (sizeIsFraction ? !(sizeValue > 0 && sizeValue <= 1) : !(Number.isInteger(sizeValue) && sizeValue >= 1)) {
    throw new RangeError(`sizing must be a fraction in (0, 1] or a whole number of units >= 1, got ${JSON.stringify(sizing)}`);
  }
  return {
    cash,
    commission: commissionFunction(options.commission ?? 0),
    spread,
    leverage: 1 / margin,
    tradeOnClose: options.tradeOnClose ?? false,
    finalize: options.finalize ?? false,
    warmupBars,
    sizeIsFraction,
    sizeValue,
    unitSize,
    stopLoss: levelRule(options.stopLoss, unitSize, bars, 'stopLoss'),
    takeProfit: levelRule(options.takeProfit, unitSize, bars, 'takeProfit'),
    trailing: trailRule(options.trailingStop, unitSize, bars),
  };
}

function commissionFunction(commission: Commission): (size: number, price: number) => number {
  if (typeof commission === 'function') return commission;
  const { fixed, rate } = typeof commission === 'number' ? { fixed: 0, rate: commission } : commission;
  if (!(fixed >= 0)) throw new RangeError(`fixed commission must be >= 0, got ${fixed}`);
  if (!(rate >= -0.1 && rate < 0.1)) throw new RangeError(`commission rate must be in [-0.1, 0.1), got ${rate}`);
  return (size, price) => fixed + Math.abs(size) * price * rate;
}

const NO_LEVEL: LevelRule = { level: () => NaN };

function levelRule(exit: ExitLevel | undefined, u: number, bars: number, name: string): LevelRule {
  if (exit === undefined) return NO_LEVEL;
  if ('price' in exit) {
    if (!(exit.price > 0)) throw new RangeError(`${name}.price must be > 0, got ${exit.price}`);
    const price = exit.price * u;
    return { level: () => price };
  }
  if ('fraction' in exit) {
    const f = checkPositive(exit.fraction, `${name}.fraction`);
    return { level: (sign, entry, _bar, side) => entry * (1 + side * sign * f) };
  }
  const perBar = distanceArray(exit.distance, bars, name);
  if (perBar) return { level: (sign, entry, bar, side) => entry + side * sign * perBar[bar]! * u };
  const d = checkPositive(exit.distance as number, `${name}.distance`) * u;
  return { level: (sign, entry, _bar, side) => entry + side * sign * d };
}

const NO_TRAIL: TrailRule = { active: false, trail: (_sign, stop) => stop };

function trailRule(exit: ExitLevel | undefined, u: number, bars: number): TrailRule {
  if (exit === undefined) return NO_TRAIL;
  if ('price' in exit) throw new RangeError('trailingStop takes a fraction or a distance, not a price');
  const ratchet = (sign: number, stop: number, level: number): number =>
    stop !== stop ? level : sign > 0 ? Math.max(stop, level) : Math.min(stop, level);
  if ('fraction' in exit) {
    const f = checkPositive(exit.fraction, 'trailingStop.fraction');
    return { active: true, trail: (sign, stop, c) => ratchet(sign, stop, c * (1 - sign * f)) };
  }
  const perBar = distanceArray(exit.distance, bars, 'trailingStop');
  if (perBar) return { active: true, trail: (sign, stop, c, bar) => ratchet(sign, stop, c - sign * perBar[bar]! * u) };
  const d = checkPositive(exit.distance as number, 'trailingStop.distance') * u;
  return { active: true, trail: (sign, stop, c) => ratchet(sign, stop, c - sign * d) };
}

function distanceArray(distance: number | Float64Array, bars: number, name: string): Float64Array | undefined {
  if (typeof distance === 'number') return undefined;
  if (distance.length !== bars) throw new RangeError(`${name}.distance has ${distance.length} values for ${bars} candles`);
  return distance;
}

function checkPositive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be > 0, got ${value}`);
  return value;
}
