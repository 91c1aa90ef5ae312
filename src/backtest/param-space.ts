import { seededRandom } from '../market/random.js';

/** The seeded generator the random search draws with, for callers of the backtest API. */
export { seededRandom };

/** One parameter's values: an inclusive range with a step (default 1), or an explicit list. */
export type ParamSpec = { readonly min: number; readonly max: number; readonly step?: number } | { readonly values: readonly number[] };

/** The parameters to search, by name; combinations follow the key order. */
export type ParamSpace = Readonly<Record<string, ParamSpec>>;

/** One parameter combination. */
export type Params = Readonly<Record<string, number>>;

/** Keeps a combination when true (e.g. `p => p.fast < p.slow`). */
export type Constraint = (params: Params) => boolean;

/** The values a spec allows, in order; a range is computed as min + k·step so it does not drift. */
export function paramValues(spec: ParamSpec): number[] {
  if ('values' in spec) {
    if (!spec.values.length) throw new RangeError('a parameter needs at least one value');
    return [...spec.values];
  }
  const step = spec.step ?? 1;
  if (!(step > 0) || !(spec.max >= spec.min)) throw new RangeError(`bad range ${JSON.stringify(spec)}`);
  const decimals = Math.max(decimalPlaces(spec.min), decimalPlaces(step));
  const count = Math.floor((spec.max - spec.min) / step + 1e-9) + 1;
  return Array.from({ length: count }, (_, k) => Number((spec.min + k * step).toFixed(decimals)));
}

function decimalPlaces(v: number): number {
  const text = String(v);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : Math.min(12, text.length - dot - 1);
}

/** Every combination of the space that passes the constraint, in odometer order (last key fastest). */
export function gridCombinations(space: ParamSpace, constraint?: Constraint): Params[] {
  const names = Object.keys(space);
  const values = names.map((name) => paramValues(space[name]!));
  const out: Params[] = [];
  const pick = new Array<number>(names.length).fill(0);
  const total = values.reduce((a, v) => a * v.length, 1);
  for (let c = 0; c < total; c++) {
    const params = Object.fromEntries(names.map((name, k) => [name, values[k]![pick[k]!]!]));
    if (!constraint || constraint(params)) out.push(params);
    for (let k = names.length - 1; k >= 0; k--) {
      if (++pick[k]! < values[k]!.length) break;
      pick[k] = 0;
    }
  }
  return out;
}

/**
 * Up to `count` distinct combinations drawn with a seeded generator from the grid's values (each parameter uniform),
 * in draw order; deterministic for a seed. Gives up after 50·count draws when the constraint rejects most.
 */
export function randomCombinations(space: ParamSpace, count: number, seed: number, constraint?: Constraint): Params[] {
  const names = Object.keys(space);
  const values = names.map((name) => paramValues(space[name]!));
  const random = seededRandom(seed);
  const seen = new Set<string>();
  const out: Params[] = [];
  const gridSize = values.reduce((a, v) => a * v.length, 1);
  for (let draw = 0; out.length < count && draw < 50 * count && seen.size < gridSize; draw++) {
    const picks = values.map((v) => Math.floor(random() * v.length));
    const key = picks.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const params = Object.fromEntries(names.map((name, k) => [name, values[k]![picks[k]!]!]));
    if (!constraint || constraint(params)) out.push(params);
  }
  return out;
}
