import type { CandleColumns } from '../market/types.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { TradeBuffer } from './trades.js';
import { ExitReason, type BacktestOptions, type ExitReasonCode, type Simulation } from './types.js';

const NO_ORDER = 2;

/**
 * Runs backtesting.py 0.6.6's event loop over candle columns and a target position per bar (+1 long, −1 short, 0 flat).
 *
 * - Orders: on bar i (from bar 1 + warmupBars on) an order is issued when `targets[i] !== targets[i-1]`; it fills on
 *   bar i+1 at the open (with `tradeOnClose`, at bar i's close, recorded on bar i). It closes the open trade, then opens
 *   one in the new direction (bt.py `position.close(); buy()` or `exclusive_orders`). A trade closed by a stop keeps the
 *   target unchanged, so there is no re-entry until the target changes. This reproduces bt.py's crossover strategies.
 * - Bar i's target is read only after bar i is processed, so the engine cannot act on information from later bars.
 * - Sizing: all-in whole units (`floor(cash / (price·(1+spread) + commission per unit))`, Python's floor division);
 *   `unitSize` trades multiples of a fraction of the asset exactly like bt.py's `FractionalBacktest`.
 * - Stop-loss and take-profit are checked inside each bar from the entry bar on (stop-loss first), filled at the level
 *   or at the open when the bar gaps through it. A trailing stop ratchets at each close (bt.py `TrailingStrategy`).
 * - `finalize` closes a trade still open at the last bar's open (with `tradeOnClose`, at the previous close, as bt.py does).
 * - Equity is marked at each bar's close; equity at or below zero closes everything and ends the run.
 */
export function simulate(
  candles: CandleColumns,
  targets: Int8Array,
  options: BacktestOptions = {},
  buffers?: SimulationBuffers,
): Simulation {
  const n = candles.close.length;
  if (n === 0) throw new RangeError('no candles to backtest');
  if (targets.length !== n) throw new RangeError(`targets has ${targets.length} values for ${n} candles`);
  const equity = buffers?.equity ?? new Float64Array(n);
  if (equity.length !== n) throw new RangeError(`buffers.equity has ${equity.length} slots for ${n} candles`);
  const trades = buffers?.trades ?? new TradeBuffer();
  trades.count = 0;
  return run(candles, targets, resolveOptions(options, n), equity, trades);
}

/**
 * Buffers one caller reuses between runs (the optimizer): the next run overwrites the equity curve and trades
 * of the previous one, so read its results first.
 */
export interface SimulationBuffers {
  readonly equity: Float64Array;
  readonly trades: TradeBuffer;
}

// One flat loop so the per-bar state stays in registers; bars where nothing can happen go through quietUntil.
function run(candles: CandleColumns, targets: Int8Array, o: ResolvedOptions, equity: Float64Array, trades: TradeBuffer): Simulation {
  const { open, high, low, close, timeMs } = candles;
  const n = close.length;
  const u = o.unitSize;
  const comm = o.commission;
  const start = Math.min(n, 1 + o.warmupBars);
  const stop = o.finalize && start < n ? n + 1 : n;

  let cash = o.cash;
  let posSize = 0;
  let entryPrice = 0;
  let entryBar = 0;
  let sl = NaN;
  let tp = NaN;
  let pending = NO_ORDER;
  let pendingBar = 0;
  let feesPaid = 0;
  let spreadPaid = 0;
  let turnover = 0;
  let outOfMoney = false;

  let prevTarget = start > 0 && start <= n ? targets[start - 1]! : 0;
  for (let s = start; s < stop; s++) {
    const finalPass = s === n;
    const i = finalPass ? n - 1 : s;

    if (pending !== NO_ORDER || finalPass) {
      const fill = o.tradeOnClose ? close[i - 1]! * u : open[i]! * u;
      const fillBar = o.tradeOnClose ? i - 1 : i;
      if (posSize !== 0) {
        const reason = finalPass ? ExitReason.end : ExitReason.signal;
        const exitComm = comm(posSize, fill);
        cash += settle(trades, timeMs, posSize, entryPrice, entryBar, fill, fillBar, reason, u, exitComm, comm(posSize, entryPrice));
        feesPaid += exitComm;
        turnover += Math.abs(posSize) * fill;
        posSize = 0;
      }
      if (pending === 1 || pending === -1) {
        const sign = pending;
        const adjusted = fill * (1 + sign * o.spread);
        const units = entryUnits(o, sign, fill, adjusted, cash);
        if (units > 0) {
          posSize = sign * units;
          entryPrice = adjusted;
          entryBar = fillBar;
          const entryComm = comm(posSize, adjusted);
          cash -= entryComm;
          feesPaid += entryComm;
          turnover += units * adjusted;
          spreadPaid += units * Math.abs(adjusted - fill);
          sl = o.stopLoss.level(sign, adjusted, pendingBar, -1);
          tp = o.takeProfit.level(sign, adjusted, pendingBar, 1);
        }
      }
      pending = NO_ORDER;
    }

    // Only a trade with a stop or target reads the bar's range; NaN levels never compare true.
    if (posSize > 0 && (sl === sl || tp === tp)) {
      const barOpen = open[i]! * u;
      let exit = NaN;
      let reason: ExitReasonCode = ExitReason.stopLoss;
      if (low[i]! * u <= sl) exit = Math.min(barOpen, sl);
      else if (high[i]! * u >= tp) { exit = Math.max(barOpen, tp); reason = ExitReason.takeProfit; }
      if (exit === exit) {
        const exitComm = comm(posSize, exit);
        cash += settle(trades, timeMs, posSize, entryPrice, entryBar, exit, i, reason, u, exitComm, comm(posSize, entryPrice));
        feesPaid += exitComm;
        turnover += posSize * exit;
        posSize = 0;
      }
    } else if (posSize < 0 && (sl === sl || tp === tp)) {
      const barOpen = open[i]! * u;
      let exit = NaN;
      let reason: ExitReasonCode = ExitReason.stopLoss;
      if (high[i]! * u >= sl) exit = Math.max(barOpen, sl);
      else if (low[i]! * u <= tp) { exit = Math.min(barOpen, tp); reason = ExitReason.takeProfit; }
      if (exit === exit) {
        const exitComm = comm(posSize, exit);
        cash += settle(trades, timeMs, posSize, entryPrice, entryBar, exit, i, reason, u, exitComm, comm(posSize, entryPrice));
        feesPaid += exitComm;
        turnover -= posSize * exit;
        posSize = 0;
      }
    }

    const barClose = close[i]! * u;
    const eq = posSize === 0 ? cash : cash + (barClose * posSize - posSize * entryPrice);
    equity[i] = eq;
    if (eq <= 0) {
      if (posSize !== 0) {
        const exitComm = comm(posSize, barClose);
        cash += settle(trades, timeMs, posSize, entryPrice, entryBar, barClose, i, ExitReason.outOfMoney, u, exitComm, comm(posSize, entryPrice));
        feesPaid += exitComm;
        turnover += Math.abs(posSize) * barClose;
        posSize = 0;
      }
      cash = 0;
      equity.fill(0, i);
      outOfMoney = true;
      break;
    }
    if (finalPass) break;

    if (posSize !== 0 && o.trailing.active) sl = o.trailing.trail(posSize > 0 ? 1 : -1, sl, barClose, i);
    const t = targets[i]!;
    if (t !== prevTarget) {
      pending = t > 0 ? 1 : t < 0 ? -1 : 0;
      pendingBar = i;
      prevTarget = t;
    } else if (posSize === 0 || (sl !== sl && tp !== tp && !o.trailing.active)) {
      // Nothing can happen until the target changes: mark to market in a call-free loop, then resume at that bar.
      s = quietUntil(close, targets, equity, i + 1, n, u, cash, posSize, entryPrice, prevTarget) - 1;
    }
  }

  equity.fill(o.cash, 0, start);
  const openTrade = posSize === 0 ? undefined : {
    entryBar, size: posSize * u, entryPrice: entryPrice / u, entryCommission: comm(posSize, entryPrice),
  };
  return {
    equity, trades: trades.toColumns(), openTrade, cash, initialCash: o.cash, startBar: start,
    warmupBars: o.warmupBars, feesPaid, spreadPaid, turnover, outOfMoney,
  };
}

/**
 * Marks an unchanging position to market from bar `from` and returns the first bar whose target differs from
 * `target` or whose equity is not positive (its equity is written too; the main loop redoes that bar), else `to`.
 */
function quietUntil(
  close: Float64Array, targets: Int8Array, equity: Float64Array, from: number, to: number,
  u: number, cash: number, size: number, entry: number, target: number,
): number {
  if (size === 0) {
    for (let i = from; i < to; i++) {
      equity[i] = cash;
      if (targets[i] !== target) return i;
    }
    return to;
  }
  const cost = size * entry;
  for (let i = from; i < to; i++) {
    const eq = cash + (close[i]! * u * size - cost);
    equity[i] = eq;
    if (eq <= 0 || targets[i] !== target) return i;
  }
  return to;
}

/** Whole units an entry buys, or 0 when the broker would cancel it for lack of margin (bt.py `_process_orders`). */
function entryUnits(o: ResolvedOptions, sign: number, fill: number, adjusted: number, cash: number): number {
  const marginAvailable = Math.max(0, cash);
  const orderSize = sign * o.sizeValue;
  const perUnit = adjusted + o.commission(orderSize, fill) / o.sizeValue;
  const units = o.sizeIsFraction ? pyFloorDiv(marginAvailable * o.leverage * o.sizeValue, perUnit) : o.sizeValue;
  if (!(units > 0) || units * perUnit > marginAvailable * o.leverage) return 0;
  return units;
}

/** Books a closed trade and returns the cash it releases: gross PnL minus the exit commission (bt.py `_close_trade`). */
function settle(
  trades: TradeBuffer, timeMs: Float64Array, size: number, entry: number, entryBar: number, exit: number, exitBar: number,
  reason: ExitReasonCode, u: number, exitComm: number, entryComm: number,
): number {
  const gross = size * (exit - entry);
  const commissions = exitComm + entryComm;
  const returnPct = (size > 0 ? 1 : -1) * (exit / entry - 1) - commissions / (Math.abs(size) * entry);
  trades.push(timeMs, entryBar, exitBar, size * u, entry / u, exit / u, gross - commissions, returnPct, commissions, reason);
  return gross - exitComm;
}

/** Python's float floor division `a // b`, which is exact where `Math.floor(a / b)` can round up. */
export function pyFloorDiv(a: number, b: number): number {
  const x = a / b;
  const q = Math.floor(x);
  const margin = Math.abs(x) * 1e-15;
  if (x - q > margin && q + 1 - x > margin) return q;
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && (b < 0) !== (mod < 0)) {
    mod += b;
    div -= 1;
  }
  if (div === 0) return 0;
  let floorDiv = Math.floor(div);
  if (div - floorDiv > 0.5) floorDiv += 1;
  return floorDiv;
}
