import type { ExitReasonCode, TradeColumns } from './types.js';

/** A closed trade as a plain object, for rendering and JSON. */
export interface TradeRecord {
  readonly entryBar: number;
  readonly exitBar: number;
  readonly entryTimeMs: number;
  readonly exitTimeMs: number;
  readonly size: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly pnl: number;
  readonly returnPct: number;
  readonly commission: number;
  readonly exitReason: ExitReasonCode;
}

/** An append-only trade table that grows by doubling, so the bar loop allocates only when the trade count doubles. */
export class TradeBuffer {
  count = 0;
  private capacity: number;
  entryBar: Int32Array;
  exitBar: Int32Array;
  entryTimeMs: Float64Array;
  exitTimeMs: Float64Array;
  size: Float64Array;
  entryPrice: Float64Array;
  exitPrice: Float64Array;
  pnl: Float64Array;
  returnPct: Float64Array;
  commission: Float64Array;
  exitReason: Uint8Array;

  constructor(initialCapacity = 64) {
    this.capacity = Math.max(1, initialCapacity);
    this.entryBar = new Int32Array(this.capacity);
    this.exitBar = new Int32Array(this.capacity);
    this.entryTimeMs = new Float64Array(this.capacity);
    this.exitTimeMs = new Float64Array(this.capacity);
    this.size = new Float64Array(this.capacity);
    this.entryPrice = new Float64Array(this.capacity);
    this.exitPrice = new Float64Array(this.capacity);
    this.pnl = new Float64Array(this.capacity);
    this.returnPct = new Float64Array(this.capacity);
    this.commission = new Float64Array(this.capacity);
    this.exitReason = new Uint8Array(this.capacity);
  }

  /** Appends one closed trade; `timeMs` gives the bars' times. */
  push(
    timeMs: Float64Array, entryBar: number, exitBar: number, size: number, entryPrice: number, exitPrice: number,
    pnl: number, returnPct: number, commission: number, exitReason: ExitReasonCode,
  ): void {
    if (this.count === this.capacity) this.grow();
    const k = this.count++;
    this.entryBar[k] = entryBar;
    this.exitBar[k] = exitBar;
    this.entryTimeMs[k] = timeMs[entryBar]!;
    this.exitTimeMs[k] = timeMs[exitBar]!;
    this.size[k] = size;
    this.entryPrice[k] = entryPrice;
    this.exitPrice[k] = exitPrice;
    this.pnl[k] = pnl;
    this.returnPct[k] = returnPct;
    this.commission[k] = commission;
    this.exitReason[k] = exitReason;
  }

  /** Trimmed views of the columns (no copy: the next run on this buffer overwrites them). */
  toColumns(): TradeColumns {
    const n = this.count;
    return {
      count: n,
      entryBar: this.entryBar.subarray(0, n),
      exitBar: this.exitBar.subarray(0, n),
      entryTimeMs: this.entryTimeMs.subarray(0, n),
      exitTimeMs: this.exitTimeMs.subarray(0, n),
      size: this.size.subarray(0, n),
      entryPrice: this.entryPrice.subarray(0, n),
      exitPrice: this.exitPrice.subarray(0, n),
      pnl: this.pnl.subarray(0, n),
      returnPct: this.returnPct.subarray(0, n),
      commission: this.commission.subarray(0, n),
      exitReason: this.exitReason.subarray(0, n),
    };
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const f64 = (a: Float64Array): Float64Array => { const b = new Float64Array(cap); b.set(a); return b; };
    const i32 = new Int32Array(cap); i32.set(this.entryBar); this.entryBar = i32;
    const x32 = new Int32Array(cap); x32.set(this.exitBar); this.exitBar = x32;
    const u8 = new Uint8Array(cap); u8.set(this.exitReason); this.exitReason = u8;
    this.entryTimeMs = f64(this.entryTimeMs);
    this.exitTimeMs = f64(this.exitTimeMs);
    this.size = f64(this.size);
    this.entryPrice = f64(this.entryPrice);
    this.exitPrice = f64(this.exitPrice);
    this.pnl = f64(this.pnl);
    this.returnPct = f64(this.returnPct);
    this.commission = f64(this.commission);
    this.capacity = cap;
  }
}

/** The closed trades as plain objects. */
export function tradeRecords(trades: TradeColumns): TradeRecord[] {
  const out: TradeRecord[] = [];
  for (let k = 0; k < trades.count; k++) {
    out.push({
      entryBar: trades.entryBar[k]!,
      exitBar: trades.exitBar[k]!,
      entryTimeMs: trades.entryTimeMs[k]!,
      exitTimeMs: trades.exitTimeMs[k]!,
      size: trades.size[k]!,
      entryPrice: trades.entryPrice[k]!,
      exitPrice: trades.exitPrice[k]!,
      pnl: trades.pnl[k]!,
      returnPct: trades.returnPct[k]!,
      commission: trades.commission[k]!,
      exitReason: trades.exitReason[k]! as ExitReasonCode,
    });
  }
  return out;
}
