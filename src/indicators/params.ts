/** The largest period accepted, TA-Lib's limit (it also caps the window a streaming indicator allocates). */
export const MAX_PERIOD = 100_000;

/** Throws a RangeError unless `value` is an integer from `min` to MAX_PERIOD; `what` names it, e.g. "RSI period". */
export function checkPeriod(what: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${what} must be an integer >= ${min}, got ${String(value)}`);
  }
  if (value > MAX_PERIOD) throw new RangeError(`${what} must be at most ${MAX_PERIOD}, got ${value}`);
}

/** Throws a RangeError unless `value` is a finite number > 0; `what` names it in the message. */
export function checkPositive(what: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${what} must be a finite number > 0, got ${String(value)}`);
  }
}

/** Throws a RangeError unless every input column has the length of the first one. */
export function checkSameLength(what: string, ...columns: readonly Float64Array[]): number {
  const n = columns[0]?.length ?? 0;
  for (const column of columns) {
    if (column.length !== n) {
      throw new RangeError(`${what} inputs must have the same length, got ${columns.map((c) => c.length).join(', ')}`);
    }
  }
  return n;
}

/** Returns `out` after checking it holds exactly `n` values (it must not share memory with an input), or a new array. */
export function outputArray(what: string, n: number, out?: Float64Array): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (out.length !== n) throw new RangeError(`${what} output must have length ${n} (the input length), got ${out.length}`);
  return out;
}
