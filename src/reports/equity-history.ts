import { addDays } from '../ops/local-time.js';
import { Decimal } from '../trading/decimal.js';
import { utcDay } from '../trading/portfolio.js';
import type { DailySnapshot } from '../trading/types.js';

const HUNDRED = Decimal.from(100);

/** The periods equity changes are reported over. */
const CHANGE_PERIODS = [
  { label: 'day', days: 1 },
  { label: 'week', days: 7 },
  { label: 'month', days: 30 },
] as const;

/** Equity's change since the newest daily close at least a period old, or why there is none. */
export type EquityChange =
  | { readonly label: string; readonly kind: 'change'; readonly since: DailySnapshot; readonly amount: Decimal; readonly pct: Decimal | undefined }
  | { readonly label: string; readonly kind: 'none' };

/**
 * Changes of `equity` over a day, a week and a month: against the close of the UTC day 1, 7 and 30 days before today
 * (or the newest close before it, when that day has none; the line names the day used). Snapshots oldest first.
 */
export function equityChanges(equity: Decimal, snapshots: readonly DailySnapshot[], nowMs: number): EquityChange[] {
  const today = utcDay(nowMs);
  return CHANGE_PERIODS.map(({ label, days }) => {
    const target = addDays(today, -days);
    const since = snapshots.filter((s) => s.day <= target).at(-1);
    if (!since) return { label, kind: 'none' };
    const amount = equity.minus(since.equity);
    return { label, kind: 'change', since, amount, pct: since.equity.isPositive() ? amount.mulDiv(HUNDRED, since.equity) : undefined };
  });
}

/** The drawdown now from the highest equity seen: daily closes, net deposits and now. */
export function currentDrawdown(equity: Decimal, netDeposits: Decimal, snapshots: readonly DailySnapshot[]): { peak: Decimal; pct: Decimal } {
  const peak = snapshots.reduce((max, s) => Decimal.max(max, s.equity), Decimal.max(equity, netDeposits));
  const pct = peak.isPositive() && equity.lt(peak) ? peak.minus(equity).mulDiv(HUNDRED, peak) : Decimal.ZERO;
  return { peak, pct };
}

/** The equity curve of the daily closes plus now, with the running drawdown in percent, for the chart. */
export function equityCurve(snapshots: readonly DailySnapshot[], now: { atMs: number; equity: Decimal }) {
  const points = [...snapshots.filter((s) => s.atMs < now.atMs).map((s) => ({ atMs: s.atMs, equity: s.equity.toNumber() })), { atMs: now.atMs, equity: now.equity.toNumber() }];
  const timeMs = new Float64Array(points.map((p) => p.atMs));
  const equity = new Float64Array(points.map((p) => p.equity));
  let peak = -Infinity;
  const drawdownPct = equity.map((e) => {
    peak = Math.max(peak, e);
    return peak > 0 ? ((peak - e) / peak) * 100 : 0;
  });
  return { timeMs, equity, drawdownPct };
}
