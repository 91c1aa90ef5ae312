/** How a result that does not fit the scale (or a step) is rounded. */
export type RoundingMode = 'down' | 'up' | 'half_even';

const SCALE = 18;
const ONE = 10n ** BigInt(SCALE);
const PATTERN = /^([+-])?(\d+)?(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/** Divides with the given rounding; `down`/`up` are toward zero / away from zero. */
function divRound(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d === 0n) throw new RangeError('division by zero');
  const negative = n < 0n !== d < 0n;
  const [an, ad] = [n < 0n ? -n : n, d < 0n ? -d : d];
  let q = an / ad;
  const r = an % ad;
  if (r !== 0n) {
    if (mode === 'up') q += 1n;
    else if (mode === 'half_even' && (2n * r > ad || (2n * r === ad && q % 2n === 1n))) q += 1n;
  }
  return negative ? -q : q;
}

/**
 * An exact decimal: an integer count of 1e-18 units held in a bigint. Sums and differences are exact; products
 * and quotients round (half-even unless told) to 18 decimals, far below any exchange's precision.
 */
export class Decimal {
  private constructor(readonly units: bigint) {}

  /** Decimal places kept. */
  static readonly SCALE = SCALE;
  static readonly ZERO = new Decimal(0n);
  static readonly ONE = new Decimal(ONE);

  /** Parses a decimal string (`"12.5"`, `"-0.001"`, `"1e-7"`), a finite number (its shortest round-trip text) or a Decimal. */
  static from(value: string | number | Decimal): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
      return Decimal.parse(String(value));
    }
    return Decimal.parse(value);
  }

  /** Parses decimal text strictly; throws RangeError on anything else. */
  static parse(text: string): Decimal {
    const m = PATTERN.exec(text.trim());
    if (!m || (m[2] === undefined && !m[3])) throw new RangeError(`not a decimal number: "${text}"`);
    const digits = `${m[2] ?? ''}${m[3] ?? ''}` || '0';
    const exponent = Number(m[4] ?? 0) - (m[3]?.length ?? 0) + SCALE;
    if (Math.abs(exponent) > 400) throw new RangeError(`decimal out of range: "${text}"`);
    const raw = BigInt(digits);
    const units = exponent >= 0 ? raw * 10n ** BigInt(exponent) : divRound(raw, 10n ** BigInt(-exponent), 'half_even');
    return new Decimal(m[1] === '-' ? -units : units);
  }

  /** The sum of the values (zero for none). */
  static sum(values: Iterable<Decimal>): Decimal {
    let units = 0n;
    for (const v of values) units += v.units;
    return new Decimal(units);
  }

  /** The smaller of two values. */
  static min(a: Decimal, b: Decimal): Decimal {
    return a.lte(b) ? a : b;
  }

  /** The larger of two values. */
  static max(a: Decimal, b: Decimal): Decimal {
    return a.gte(b) ? a : b;
  }

  plus(other: Decimal): Decimal {
    return new Decimal(this.units + other.units);
  }
  minus(other: Decimal): Decimal {
    return new Decimal(this.units - other.units);
  }
  times(other: Decimal, mode: RoundingMode = 'half_even'): Decimal {
    return new Decimal(divRound(this.units * other.units, ONE, mode));
  }
  div(other: Decimal, mode: RoundingMode = 'half_even'): Decimal {
    return new Decimal(divRound(this.units * ONE, other.units, mode));
  }
  /** this × `numerator` ÷ `denominator` with a single rounding, for pro-rata shares. */
  mulDiv(numerator: Decimal, denominator: Decimal, mode: RoundingMode = 'half_even'): Decimal {
    return new Decimal(divRound(this.units * numerator.units, denominator.units, mode));
  }
  neg(): Decimal {
    return new Decimal(-this.units);
  }
  abs(): Decimal {
    return this.units < 0n ? this.neg() : this;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  cmp(other: Decimal): -1 | 0 | 1 {
    return this.units < other.units ? -1 : this.units > other.units ? 1 : 0;
  }
  eq(other: Decimal): boolean {
    return this.units === other.units;
  }
  lt(other: Decimal): boolean {
    return this.units < other.units;
  }
  lte(other: Decimal): boolean {
    return this.units <= other.units;
  }
  gt(other: Decimal): boolean {
    return this.units > other.units;
  }
  gte(other: Decimal): boolean {
    return this.units >= other.units;
  }
  isZero(): boolean {
    return this.units === 0n;
  }
  isNegative(): boolean {
    return this.units < 0n;
  }
  isPositive(): boolean {
    return this.units > 0n;
  }

  /** This value rounded to a whole multiple of `step` (an exchange's tick or lot size). */
  roundToStep(step: Decimal, mode: RoundingMode): Decimal {
    if (!step.isPositive()) throw new RangeError(`step must be positive, got ${step.toString()}`);
    return new Decimal(divRound(this.units, step.units, mode) * step.units);
  }

  /** This value rounded to `places` decimals. */
  roundTo(places: number, mode: RoundingMode = 'half_even'): Decimal {
    if (!Number.isInteger(places) || places < 0 || places > SCALE) throw new RangeError(`places must be 0..${SCALE}`);
    return this.roundToStep(new Decimal(10n ** BigInt(SCALE - places)), mode);
  }

  /** The canonical text: no exponent, no trailing zeros (`"0.1"`, `"-12"`, `"0"`). */
  toString(): string {
    const negative = this.units < 0n;
    const text = (negative ? -this.units : this.units).toString().padStart(SCALE + 1, '0');
    const whole = text.slice(0, -SCALE);
    const fraction = text.slice(-SCALE).replace(/0+$/, '');
    return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
  }

  /** Text with exactly `places` decimals (rounded half-even), for display. */
  toFixed(places: number): string {
    const text = this.roundTo(places).toString();
    if (places === 0) return text;
    const [whole, fraction = ''] = text.split('.');
    return `${whole}.${fraction.padEnd(places, '0')}`;
  }

  /** The nearest float, for display and charts only, never for sums. */
  toNumber(): number {
    return Number(this.toString());
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Shorthand for {@link Decimal.from}. */
export const dec = (value: string | number | Decimal): Decimal => Decimal.from(value);
