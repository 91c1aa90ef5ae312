/** Commission per fill: a rate of notional, `{ fixed, rate }` (cash + rate), or a function of signed size and price. */
export type Commission = number | { readonly fixed: number; readonly rate: number } | ((size: number, price: number) => number);

/**
 * Where a stop-loss, take-profit or trailing stop sits:
 * `fraction` of the reference price (0.05 = 5 %), an absolute price `distance` (a number, or one per bar for e.g. 3×ATR),
 * or a fixed `price` level (stop-loss and take-profit only).
 */
export type ExitLevel =
  | { readonly fraction: number }
  | { readonly distance: number | Float64Array }
  | { readonly price: number };

/** How many units an entry buys: a `fraction` of available margin (bt.py `size < 1`) or a fixed number of `units`. */
export type Sizing = { readonly fraction: number } | { readonly units: number };

/** Options of one backtest; the defaults are backtesting.py 0.6.6's `Backtest(...)` defaults. */
export interface BacktestOptions {
  /** Initial cash. Default 10 000. */
  readonly cash?: number;
  /** Commission charged at entry and again at exit. Default 0. */
  readonly commission?: Commission;
  /** Spread as a fraction, applied to the entry price only. Default 0. */
  readonly spread?: number;
  /** Margin requirement in (0, 1]; leverage = 1 / margin. Default 1. */
  readonly margin?: number;
  /** Fill market orders at the signal bar's close instead of the next bar's open. Default false. */
  readonly tradeOnClose?: boolean;
  /** Close a trade still open at the end at the last bar's open, so it counts in the statistics. Default false. */
  readonly finalize?: boolean;
  /** Bars whose indicators are still warming up; the loop starts at bar 1 + warmupBars. Default 0. */
  readonly warmupBars?: number;
  /** Entry size. Default all-in: `{ fraction: 1 - Number.EPSILON }`. */
  readonly sizing?: Sizing;
  /** The smallest tradable amount; sizes are whole multiples of it (1e-8 = a satoshi). Default 1. */
  readonly unitSize?: number;
  /** Stop-loss; a fraction or distance is taken from the trade's entry price. */
  readonly stopLoss?: ExitLevel;
  /** Take-profit; a fraction or distance is taken from the trade's entry price. */
  readonly takeProfit?: ExitLevel;
  /** Trailing stop, re-anchored at each bar's close and active from the next bar. */
  readonly trailingStop?: ExitLevel;
}

/** Why a trade was closed. */
export const ExitReason = { signal: 0, stopLoss: 1, takeProfit: 2, end: 3, outOfMoney: 4 } as const;
/** One of the values of {@link ExitReason}. */
export type ExitReasonCode = (typeof ExitReason)[keyof typeof ExitReason];

/** Closed trades as columns, in the order they were closed; prices and sizes are in asset units. */
export interface TradeColumns {
  readonly count: number;
  readonly entryBar: Int32Array;
  readonly exitBar: Int32Array;
  readonly entryTimeMs: Float64Array;
  readonly exitTimeMs: Float64Array;
  /** Signed size in asset units (negative = short). */
  readonly size: Float64Array;
  /** Entry price including the spread. */
  readonly entryPrice: Float64Array;
  readonly exitPrice: Float64Array;
  /** Profit in cash after both commissions. */
  readonly pnl: Float64Array;
  /** Return as a fraction, net of commissions (bt.py `ReturnPct`). */
  readonly returnPct: Float64Array;
  /** Entry plus exit commission. */
  readonly commission: Float64Array;
  readonly exitReason: Uint8Array;
}

/** A trade still open when the run ended (finalize off, or opened on the final bar). */
export interface OpenTrade {
  readonly entryBar: number;
  readonly size: number;
  readonly entryPrice: number;
  readonly entryCommission: number;
}

/** The raw outcome of {@link simulate}: equity per bar, trades and cash totals. */
export interface Simulation {
  /** Account equity at each bar's close; warm-up bars hold the initial cash. */
  readonly equity: Float64Array;
  readonly trades: TradeColumns;
  readonly openTrade: OpenTrade | undefined;
  readonly cash: number;
  readonly initialCash: number;
  /** First bar of the event loop (1 + warmupBars). */
  readonly startBar: number;
  readonly warmupBars: number;
  /** Every commission charged, including the entry commission of a trade still open. */
  readonly feesPaid: number;
  /** Spread paid on entries, in cash. */
  readonly spreadPaid: number;
  /** Traded notional (entries and exits) in cash. */
  readonly turnover: number;
  /** True when equity hit zero and the run stopped early. */
  readonly outOfMoney: boolean;
}
