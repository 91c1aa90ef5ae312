import type { Candle, CandleColumns } from './types.js';

/** Candles in either shape: a list of bars or columns of typed arrays. */
export type CandleInput = readonly Candle[] | CandleColumns;

/** Empty columns of length `n`, to fill. */
export function allocateColumns(n: number): CandleColumns {
  return {
    timeMs: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** True when `input` is already columns. */
export function isColumns(input: CandleInput): input is CandleColumns {
  return !Array.isArray(input);
}

/** `input` as columns; a RangeError if any field is not a finite number (storage never holds NaN). */
export function asColumns(input: CandleInput): CandleColumns {
  let columns: CandleColumns;
  if (isColumns(input)) columns = input;
  else {
    columns = allocateColumns(input.length);
    input.forEach((c, i) => {
      columns.timeMs[i] = c.timeMs;
      columns.open[i] = c.open;
      columns.high[i] = c.high;
      columns.low[i] = c.low;
      columns.close[i] = c.close;
      columns.volume[i] = c.volume;
    });
  }
  for (const [name, column] of Object.entries(columns) as [string, Float64Array][]) {
    for (let i = 0; i < column.length; i++) {
      if (!Number.isFinite(column[i])) throw new RangeError(`candle ${i}: ${name} is ${column[i]}, not a finite number`);
    }
  }
  return columns;
}

/** Bars `[start, end)` of `columns`: sharing memory with it, or a copy when `copy` is true. */
export function sliceColumns(columns: CandleColumns, start: number, end: number, copy = false): CandleColumns {
  const cut = (a: Float64Array): Float64Array => (copy ? a.slice(start, end) : a.subarray(start, end));
  return {
    timeMs: cut(columns.timeMs),
    open: cut(columns.open),
    high: cut(columns.high),
    low: cut(columns.low),
    close: cut(columns.close),
    volume: cut(columns.volume),
  };
}
