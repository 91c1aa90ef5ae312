/** Where a number came from: the data source, the time the source stamped it, and when we received it. */
export interface Provenance {
  /** Data source id: an exchange id (`binance`), an imported file set (`csv:<name>`) or `synthetic`. */
  readonly source: string;
  /** The source's own timestamp for the value, epoch ms. */
  readonly sourceTimeMs: number;
  /** When we received it, epoch ms. */
  readonly receivedAtMs: number;
}

/** One OHLCV bar; `timeMs` is the bar's OPEN time (ccxt/freqtrade convention), epoch ms. */
export interface Candle {
  readonly timeMs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Candles as columns of typed arrays, the form the indicators and the backtest engine run on. */
export interface CandleColumns {
  readonly timeMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** A price quote with its provenance. */
export interface Quote {
  readonly symbol: string;
  readonly last: number;
  readonly bid: number | undefined;
  readonly ask: number | undefined;
  readonly change24hPct: number | undefined;
  readonly baseVolume24h: number | undefined;
  readonly quoteVolume24h: number | undefined;
  readonly provenance: Provenance;
}

/** One public trade on an exchange, as the exchange reported it. */
export interface Trade {
  readonly id: string;
  readonly symbol: string;
  /** The exchange's timestamp of the trade, epoch ms. */
  readonly timeMs: number;
  /** The taker's side. */
  readonly side: 'buy' | 'sell';
  readonly price: number;
  /** Amount in base-asset units. */
  readonly amount: number;
  /** price × amount in quote-asset units, as the exchange library computed it. */
  readonly cost: number;
}

/** A tradable market as the exchange lists it. */
export interface MarketInfo {
  /** Unified symbol, e.g. `BTC/USDT`. */
  readonly symbol: string;
  /** The exchange's own id, e.g. `BTCUSDT`. */
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly active: boolean;
  /** Lot size: amounts are whole multiples of it (from the exchange's precision, as a step). */
  readonly amountStep?: number;
  /** Tick size: prices are whole multiples of it. */
  readonly priceStep?: number;
  /** Smallest order amount, in the base asset. */
  readonly minAmount?: number;
  /** Smallest order value (price × amount), in the quote asset. */
  readonly minNotional?: number;
  /** Fee rates as fractions (0.001 = 0.1 %), as the exchange library lists them. */
  readonly takerFeeRate?: number;
  readonly makerFeeRate?: number;
}

/** A run of missing bars: the last bar before the hole opened at `afterMs`; `missingBars` bars are absent. */
export interface Gap {
  readonly afterMs: number;
  readonly missingBars: number;
}

/** One stored candle series and its extent. */
export interface SeriesInfo {
  readonly source: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly rows: number;
  readonly firstMs: number;
  readonly lastMs: number;
}
