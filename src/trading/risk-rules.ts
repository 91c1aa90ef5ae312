import { Decimal } from './decimal.js';
import type { OrderSide, TradingMode } from './types.js';

/** The ledger as the risk rules see it, marked at current prices, for one mode. */
export interface RiskSnapshot {
  readonly mode: TradingMode;
  /** Cash plus open positions at their marks, in the account's quote asset. */
  readonly equity: Decimal;
  /** The highest equity seen since the breaker was last reset (or since the start). */
  readonly peakEquity: Decimal;
  /** Realized P&L since the start of the UTC day (or the last breaker reset, whichever is later). */
  readonly realizedPnlToday: Decimal;
  /** Open positions, each at its mark. */
  readonly positions: ReadonlyArray<{ readonly symbol: string; readonly amount: Decimal; readonly notional: Decimal }>;
  /** Closed trades (sell orders) since the last reset, oldest first, with the P&L each realized. */
  readonly closedTrades: ReadonlyArray<{ readonly atMs: number; readonly realizedPnl: Decimal }>;
}

/** An order as the rules see it: its value estimated at the current price (or its limit price). */
export interface RiskOrder {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly amount: Decimal;
  readonly notional: Decimal;
}

/** The limits; a limit left undefined is not enforced. Money in the account's quote asset. */
export interface RiskLimits {
  readonly allowedSymbols?: readonly string[];
  readonly maxOrderNotional?: Decimal;
  readonly maxPositionNotional?: Decimal;
  readonly maxOpenPositions?: number;
  readonly maxTotalExposure?: Decimal;
  readonly maxDailyLoss?: Decimal;
  readonly maxDrawdownPct?: number;
  /** After `losses` losing trades in a row, no entries for `durationMs` after the last one. */
  readonly cooldown?: { readonly losses: number; readonly durationMs: number };
}

/** The name of each rule. */
export type RiskRuleName =
  | 'allowed_symbols' | 'max_order_notional' | 'max_position' | 'max_open_positions'
  | 'max_total_exposure' | 'daily_loss' | 'max_drawdown' | 'cooldown';

/** A rule's answer: yes, or no with the rule, its limit and the current value. */
export type RiskVerdict = { readonly ok: true } | RiskRefusal;

/** A "no" from a rule, saying which limit and what the value was. */
export interface RiskRefusal {
  readonly ok: false;
  readonly rule: RiskRuleName;
  readonly limit: string;
  readonly current: string;
  readonly message: string;
}

/** A rule: a pure function of the ledger snapshot, the order, the time and the limits. */
export type RiskRule = (snapshot: RiskSnapshot, order: RiskOrder, nowMs: number, limits: RiskLimits) => RiskVerdict;

const OK: RiskVerdict = { ok: true };
const no = (rule: RiskRuleName, limit: string, current: string, message: string): RiskRefusal => ({ ok: false, rule, limit, current, message });
const exposure = (s: RiskSnapshot) => Decimal.sum(s.positions.map((p) => p.notional));
const positionOf = (s: RiskSnapshot, symbol: string) => s.positions.find((p) => p.symbol === symbol);

/** How many of the latest closed trades were losses in a row. */
export function lossStreak(snapshot: RiskSnapshot): number {
  let streak = 0;
  for (let i = snapshot.closedTrades.length - 1; i >= 0 && snapshot.closedTrades[i]!.realizedPnl.isNegative(); i--) streak++;
  return streak;
}

/** Drawdown from the peak, in percent (0 when at or above the peak). */
export function drawdownPct(snapshot: RiskSnapshot): Decimal {
  if (!snapshot.peakEquity.isPositive() || snapshot.equity.gte(snapshot.peakEquity)) return Decimal.ZERO;
  return snapshot.peakEquity.minus(snapshot.equity).times(Decimal.from(100)).div(snapshot.peakEquity);
}

/** Every rule by name, in the order {@link checkAll} runs them. Rules judge entries (buys); exits always pass. */
export const RISK_RULES: Readonly<Record<RiskRuleName, RiskRule>> = {
  allowed_symbols: (s, o, _now, l) =>
    !l.allowedSymbols || l.allowedSymbols.includes(o.symbol) ? OK
      : no('allowed_symbols', l.allowedSymbols.join(', '), o.symbol, `${o.symbol} is not in the allowed symbols (${l.allowedSymbols.join(', ')})`),
  max_order_notional: (_s, o, _now, l) =>
    !l.maxOrderNotional || o.notional.lte(l.maxOrderNotional) ? OK
      : no('max_order_notional', l.maxOrderNotional.toString(), o.notional.toString(), `order value ${o.notional.toFixed(2)} is above the maximum ${l.maxOrderNotional.toString()} per order`),
  max_position: (s, o, _now, l) => {
    const after = (positionOf(s, o.symbol)?.notional ?? Decimal.ZERO).plus(o.notional);
    return !l.maxPositionNotional || after.lte(l.maxPositionNotional) ? OK
      : no('max_position', l.maxPositionNotional.toString(), after.toString(), `the ${o.symbol} position would be worth ${after.toFixed(2)}, above the maximum ${l.maxPositionNotional.toString()} per symbol`);
  },
  max_open_positions: (s, o, _now, l) =>
    l.maxOpenPositions === undefined || positionOf(s, o.symbol) || s.positions.length < l.maxOpenPositions ? OK
      : no('max_open_positions', String(l.maxOpenPositions), String(s.positions.length), `${s.positions.length} positions are open, the maximum is ${l.maxOpenPositions}`),
  max_total_exposure: (s, o, _now, l) => {
    const after = exposure(s).plus(o.notional);
    return !l.maxTotalExposure || after.lte(l.maxTotalExposure) ? OK
      : no('max_total_exposure', l.maxTotalExposure.toString(), after.toString(), `total exposure would be ${after.toFixed(2)}, above the maximum ${l.maxTotalExposure.toString()}`);
  },
  daily_loss: (s, _o, _now, l) => {
    const loss = s.realizedPnlToday.neg();
    return !l.maxDailyLoss || loss.lt(l.maxDailyLoss) ? OK
      : no('daily_loss', l.maxDailyLoss.toString(), loss.toString(), `today's realized loss ${loss.toFixed(2)} has reached the daily limit ${l.maxDailyLoss.toString()}`);
  },
  max_drawdown: (s, _o, _now, l) => {
    const dd = drawdownPct(s);
    return l.maxDrawdownPct === undefined || dd.lt(Decimal.from(l.maxDrawdownPct)) ? OK
      : no('max_drawdown', `${l.maxDrawdownPct}%`, `${dd.toFixed(2)}%`, `drawdown ${dd.toFixed(2)}% from the peak ${s.peakEquity.toFixed(2)} has reached the limit ${l.maxDrawdownPct}%`);
  },
  cooldown: (s, _o, nowMs, l) => {
    if (!l.cooldown) return OK;
    const streak = lossStreak(s);
    const untilMs = (s.closedTrades[s.closedTrades.length - 1]?.atMs ?? 0) + l.cooldown.durationMs;
    return streak < l.cooldown.losses || nowMs >= untilMs ? OK
      : no('cooldown', `${l.cooldown.losses} losses → ${Math.round(l.cooldown.durationMs / 60_000)} min pause`, `${streak} losses in a row`,
        `${streak} losing trades in a row: no new entries until ${new Date(untilMs).toISOString()}`);
  },
};

/** Every refusal for this order (none for exits). */
export function allRefusals(snapshot: RiskSnapshot, order: RiskOrder, nowMs: number, limits: RiskLimits): RiskRefusal[] {
  if (order.side === 'sell') return [];
  return Object.values(RISK_RULES)
    .map((rule) => rule(snapshot, order, nowMs, limits))
    .filter((v): v is RiskRefusal => !v.ok);
}

/** The first refusal for this order, or `{ ok: true }`. */
export function checkAll(snapshot: RiskSnapshot, order: RiskOrder, nowMs: number, limits: RiskLimits): RiskVerdict {
  if (order.side === 'sell') return OK;
  for (const rule of Object.values(RISK_RULES)) {
    const verdict = rule(snapshot, order, nowMs, limits);
    if (!verdict.ok) return verdict;
  }
  return OK;
}
