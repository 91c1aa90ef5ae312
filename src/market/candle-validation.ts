import { UserError } from '../errors.js';
import { allocateColumns } from './candle-columns.js';
import type { CandleColumns } from './types.js';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A strict decimal number (no empty, NaN, Infinity, hex or trailing text); undefined otherwise. */
export function parseDecimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMBER.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Collects validated bars into growing columns. Each row must have finite numbers, low ≤ min(open, close),
 * high ≥ max(open, close), volume ≥ 0 and a time after the previous row's; otherwise a UserError names
 * `file` and the row's `where` (a line number, or an entry number for JSON).
 */
export class CandleCollector {
  private columns: CandleColumns = allocateColumns(1024);
  private size = 0;

  constructor(private readonly file: string) {}

  /** The error for a bad row at `where`. */
  reject(where: string, problem: string): UserError {
    return new UserError(`${this.file}, ${where}: ${problem}. Nothing was imported.`);
  }

  /** Validates and appends one bar. */
  add(where: string, timeMs: number, open: number, high: number, low: number, close: number, volume: number): void {
    if (!Number.isFinite(timeMs)) throw this.reject(where, 'the time is not a valid timestamp');
    if (this.size > 0) {
      const previous = this.columns.timeMs[this.size - 1]!;
      if (timeMs <= previous) {
        const order = timeMs === previous ? 'repeats' : 'is before';
        throw this.reject(where, `the time ${new Date(timeMs).toISOString()} ${order} the previous row's ${new Date(previous).toISOString()}; rows must be in strictly increasing time`);
      }
    }
    const values = { open, high, low, close, volume };
    for (const [name, value] of Object.entries(values)) {
      if (!Number.isFinite(value)) throw this.reject(where, `${name} is not a number`);
    }
    if (low > Math.min(open, close)) throw this.reject(where, `low ${low} is above min(open ${open}, close ${close})`);
    if (high < Math.max(open, close)) throw this.reject(where, `high ${high} is below max(open ${open}, close ${close})`);
    if (volume < 0) throw this.reject(where, `volume ${volume} is negative`);
    if (this.size === this.columns.timeMs.length) this.grow();
    const i = this.size++;
    const c = this.columns;
    c.timeMs[i] = timeMs;
    c.open[i] = open;
    c.high[i] = high;
    c.low[i] = low;
    c.close[i] = close;
    c.volume[i] = volume;
  }

  /** The bars collected so far, trimmed to size. */
  finish(): CandleColumns {
    const c = this.columns;
    const n = this.size;
    return {
      timeMs: c.timeMs.slice(0, n),
      open: c.open.slice(0, n),
      high: c.high.slice(0, n),
      low: c.low.slice(0, n),
      close: c.close.slice(0, n),
      volume: c.volume.slice(0, n),
    };
  }

  private grow(): void {
    const bigger = allocateColumns(this.columns.timeMs.length * 2);
    for (const key of Object.keys(bigger) as (keyof CandleColumns)[]) bigger[key].set(this.columns[key]);
    this.columns = bigger;
  }
}
