import { checkPeriod, checkSameLength, outputArray } from './params.js';

/** (high + low + close)·volume: three times a bar's typical-price × volume, the sums both VWAPs keep. */
export function priceVolume3(high: number, low: number, close: number, volume: number): number {
  return (high + low + close) * volume;
}

/** Σ(3·typical price × volume)/(3·Σ volume): one division per bar instead of two. */
export function vwapOf(priceVolume3Sum: number, volumeSum: number): number {
  return priceVolume3Sum / (3 * volumeSum);
}

/**
 * Rolling VWAP (not in TA-Lib): Σ(typical price × volume)/Σ volume, typical price = (high+low+close)/3, over the
 * last `period` bars including the current one; NaN for the first period−1 bars and wherever the window traded no
 * volume. Windows without volume are found by counting zero-volume bars, so rounding residue left in the running sums
 * never passes for a price; otherwise both sums are of non-negative terms and their rounding error stays relative.
 */
export function vwap(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  period = 20,
  out?: Float64Array,
): Float64Array {
  checkPeriod('VWAP period', period);
  const n = checkSameLength('VWAP', high, low, close, volume);
  const res = outputArray('VWAP', n, out);
  const head = Math.min(n, period);
  let pv = 0;
  let v = 0;
  let zeros = 0;
  for (let i = 0; i < head; i++) {
    const vol = volume[i]!;
    pv += priceVolume3(high[i]!, low[i]!, close[i]!, vol);
    v += vol;
    if (vol === 0) zeros++;
  }
  res.fill(NaN, 0, head);
  if (n >= period) res[period - 1] = zeros === period ? NaN : vwapOf(pv, v);
  for (let i = period; i < n; i++) {
    const o = i - period;
    const vol = volume[i]!;
    const oldVol = volume[o]!;
    pv += priceVolume3(high[i]!, low[i]!, close[i]!, vol) - priceVolume3(high[o]!, low[o]!, close[o]!, oldVol);
    v += vol - oldVol;
    if (vol === 0) zeros++;
    if (oldVol === 0) zeros--;
    res[i] = zeros === period ? NaN : vwapOf(pv, v);
  }
  return res;
}

/**
 * Cumulative VWAP (not in TA-Lib): Σ(typical price × volume)/Σ volume from the first bar given, so one call covers one
 * session (slice the candles per session for a session VWAP); NaN while no volume has traded.
 */
export function cumulativeVwap(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  out?: Float64Array,
): Float64Array {
  const n = checkSameLength('cumulative VWAP', high, low, close, volume);
  const res = outputArray('cumulative VWAP', n, out);
  let pv = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const vol = volume[i]!;
    pv += priceVolume3(high[i]!, low[i]!, close[i]!, vol);
    v += vol;
    res[i] = v !== 0 ? vwapOf(pv, v) : NaN;
  }
  return res;
}

/** Streaming rolling VWAP: `update(high, low, close, volume)` returns exactly what `vwap` gives at the same index. */
export class VwapStream {
  /** The latest VWAP (NaN during the lookback or with no volume). */
  value = NaN;
  private readonly products: Float64Array;
  private readonly volumes: Float64Array;
  private count = 0;
  private zeros = 0;
  private pv = 0;
  private v = 0;

  constructor(readonly period = 20) {
    checkPeriod('VWAP period', period);
    this.products = new Float64Array(period);
    this.volumes = new Float64Array(period);
  }

  /** Adds the next bar and returns the VWAP of the window ending at it. */
  update(high: number, low: number, close: number, volume: number): number {
    const p = this.period;
    const i = this.count++;
    const slot = i % p;
    const x = priceVolume3(high, low, close, volume);
    if (volume === 0) this.zeros++;
    if (i < p) {
      this.pv += x;
      this.v += volume;
    } else {
      const oldVol = this.volumes[slot]!;
      this.pv += x - this.products[slot]!;
      this.v += volume - oldVol;
      if (oldVol === 0) this.zeros--;
    }
    this.products[slot] = x;
    this.volumes[slot] = volume;
    if (i < p - 1) return NaN;
    this.value = this.zeros === p ? NaN : vwapOf(this.pv, this.v);
    return this.value;
  }
}

/** Streaming cumulative VWAP: `update(...)` returns exactly what `cumulativeVwap` gives at the same index. */
export class CumulativeVwapStream {
  /** The latest VWAP (NaN while no volume has traded). */
  value = NaN;
  private pv = 0;
  private v = 0;

  /** Adds the next bar and returns the VWAP since the first bar. */
  update(high: number, low: number, close: number, volume: number): number {
    this.pv += priceVolume3(high, low, close, volume);
    this.v += volume;
    this.value = this.v !== 0 ? vwapOf(this.pv, this.v) : NaN;
    return this.value;
  }
}
