import { renderEquityChart } from '../chat/charts.js';
import { formatDuration, formatUtc } from '../chat/format.js';
import type { Reply, ReplyImage } from '../chat/reply.js';
import { describeMark, formatDecimal, formatMoney } from '../chat/trading-replies.js';
import type { Deps } from '../deps.js';
import type { Trading } from '../trading/create-trading.js';
import { Decimal } from '../trading/decimal.js';
import { oversoldBySymbol } from '../trading/ledger-audit.js';
import type { Portfolio } from '../trading/portfolio.js';
import type { DailySnapshot, RecordedFill } from '../trading/types.js';
import { describeFill, describeWinRate, openedAtMs, summarizeFills } from './activity.js';
import { currentDrawdown, equityChanges, equityCurve, type EquityChange } from './equity-history.js';
import { candleFreshness, quoteFreshness } from './freshness.js';

const DAY_MS = 86_400_000;
const MAX_TRADE_LINES = 10;
const MAX_FILLS_READ = 100_000;

/** Whether the report carries the equity-curve PNG, or is text only (chats where images are off). */
export interface ReportOptions {
  readonly image: boolean;
}

/** What the report is built from, read once. */
interface ReportData {
  readonly portfolio: Portfolio;
  readonly fills: RecordedFill[];
  readonly snapshots: DailySnapshot[];
}

/**
 * The portfolio report (/report and the daily job): equity and its change over a day, a week and a month, P&L,
 * fees, win rate, drawdown, the breaker, open positions marked to real prices with the price's source and age and
 * the position's age, ledger anomalies, the last 24 hours' trades, data freshness per source, and an equity-curve PNG
 * unless text only. A position without a current price is shown as such and equity is labelled incomplete; nothing
 * is estimated.
 */
export async function buildPortfolioReport(deps: Pick<Deps, 'store' | 'market'>, trading: Trading, nowMs: number, options: ReportOptions): Promise<Reply> {
  const [portfolio, fills, snapshots, anomalies] = await Promise.all([
    trading.service.portfolio(nowMs),
    trading.service.trades({ limit: MAX_FILLS_READ }),
    trading.service.dailySnapshots(),
    trading.service.anomalies(),
  ]);
  const oversold = [...oversoldBySymbol(anomalies)].map(
    ([symbol, amount]) => `Ledger anomaly: ${symbol} sells exceeded the position by ${formatDecimal(amount)} ${symbol.split('/')[0]} in total (coins from outside the bot, or a fill the ledger lacks); P&L counts those proceeds at no cost.`,
  );
  const data: ReportData = { portfolio, fills, snapshots };
  const unpriced = portfolio.positions.filter((p) => p.mark === undefined);
  const breaker = trading.service.breaker.status();
  const chart = options.image ? await chartOf(data, nowMs, unpriced.length > 0) : undefined;
  return {
    level: unpriced.length > 0 || breaker.tripped || oversold.length > 0 ? 'warning' : 'info',
    title: 'Portfolio report',
    lines: [
      `As of ${formatUtc(nowMs)}, ${trading.mode} account in ${portfolio.quoteAsset}.`,
      ...equityLines(data, nowMs, unpriced.length > 0),
      ...pnlLines(data, nowMs),
      breaker.tripped ? `Breaker TRIPPED by ${breaker.trigger} at ${formatUtc(breaker.sinceMs)}: ${breaker.detail}. New entries are refused.` : 'Breaker closed: orders are allowed.',
      ...positionLines(portfolio),
      ...oversold,
      ...tradeLines(fills, portfolio.quoteAsset, nowMs),
      'Data freshness:',
      quoteFreshness(deps.market, nowMs),
      ...(await candleFreshness(deps.store, nowMs)),
      ...(chart?.note ? [chart.note] : []),
      ...(options.image ? [] : textCurve(snapshots)),
    ],
    ...(portfolio.positions.length ? { table: positionTable(data, nowMs) } : {}),
    ...(chart?.image ? { image: chart.image } : {}),
    badges: [trading.service.badge],
  };
}

function equityLines({ portfolio: p, snapshots }: ReportData, nowMs: number, incomplete: boolean): string[] {
  const q = p.quoteAsset;
  if (incomplete) {
    const priced = p.cash.plus(Decimal.sum(p.positions.filter((x) => x.mark).map((x) => x.notional)));
    const missing = p.positions.filter((x) => !x.mark).map((x) => x.symbol).join(', ');
    return [
      `Equity INCOMPLETE: ${formatMoney(priced)} ${q} in cash and priced positions, plus ${missing} with no current price (not valued).`,
      'Equity change and drawdown: not computed while equity is incomplete.',
    ];
  }
  const dd = currentDrawdown(p.equity, p.netDeposits, snapshots);
  return [
    `Equity ${formatMoney(p.equity)} ${q}: cash ${formatMoney(p.cash)} + positions ${formatMoney(p.equity.minus(p.cash))} at current prices.`,
    `Change: ${equityChanges(p.equity, snapshots, nowMs).map(describeChange).join(' · ')}`,
    `Drawdown ${dd.pct.toFixed(2)}% from the peak ${formatMoney(dd.peak)} ${q} (daily closes, net deposits and now).`,
  ];
}

function describeChange(c: EquityChange): string {
  if (c.kind === 'none') return `${c.label}: no daily close that old yet`;
  return `${c.label} ${c.pct ? `${c.pct.isPositive() ? '+' : ''}${c.pct.toFixed(2)}% ` : ''}(${formatMoney(c.amount, true)} since the ${c.since.day} close)`;
}

function pnlLines({ portfolio: p, fills }: ReportData, nowMs: number): string[] {
  const q = p.quoteAsset;
  const all = summarizeFills(fills, q);
  const day = summarizeFills(fills.filter((f) => f.atMs > nowMs - DAY_MS), q);
  const unrealized = p.positions.some((x) => !x.mark) ? `${formatMoney(p.unrealizedPnl, true)} on priced positions only` : formatMoney(p.unrealizedPnl, true);
  return [
    `P&L: realized ${formatMoney(p.realizedPnl, true)} ${q} (net of fees; last 24 h ${formatMoney(day.realizedPnl, true)}) · unrealized ${unrealized}`,
    `Fees: ${formatMoney(p.feesPaid)} ${q} in all, ${formatMoney(day.fees)} in the last 24 h`,
    `Win rate: ${describeWinRate(all)} in all; last 24 h: ${describeWinRate(day)}`,
  ];
}

function positionLines(p: Portfolio): string[] {
  if (p.positions.length === 0) return [`Open positions: none.`];
  return [
    `Open positions: ${p.positions.length} (table below).`,
    ...p.positions.filter((x) => !x.mark).map((x) => `${x.symbol}: no current price (${unpricedReason(x.markNote)}); not valued.`),
  ];
}

/** Why a position has no mark, from its note (the trading wording about refusing to trade dropped: this is a report). */
const unpricedReason = (markNote: string) => markNote.replace(/^valued at cost: /, '').replace(/; not trading on a stale price$/, '');

function positionTable({ portfolio: p, fills }: ReportData, nowMs: number) {
  return {
    columns: ['symbol', 'amount', 'entry', 'mark', 'value', 'unrealized', 'held for', 'price from'],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] as const,
    rows: p.positions.map((x) => {
      const opened = openedAtMs(x.amount, fills.filter((f) => f.symbol === x.symbol));
      return [
        x.symbol, formatDecimal(x.amount), formatDecimal(x.cost.div(x.amount), 2),
        x.mark ? formatDecimal(x.mark) : '—', x.mark ? formatMoney(x.notional) : 'unknown', x.mark ? formatMoney(x.unrealizedPnl, true) : 'unknown',
        opened === undefined ? 'unknown' : formatDuration(nowMs - opened),
        x.mark ? describeMark(x.markNote, nowMs) : 'no current price',
      ];
    }),
  };
}

function tradeLines(fills: readonly RecordedFill[], quoteAsset: string, nowMs: number): string[] {
  const day = fills.filter((f) => f.atMs > nowMs - DAY_MS && f.quote === quoteAsset);
  if (day.length === 0) return ['Trades in the last 24 h: none.'];
  const shown = day.slice(0, MAX_TRADE_LINES).reverse();
  return [
    `Trades in the last 24 h: ${day.length} fills${day.length > shown.length ? `, the latest ${shown.length} shown (/trades for all)` : ''}:`,
    ...shown.map(describeFill),
  ];
}

async function chartOf({ portfolio: p, snapshots }: ReportData, nowMs: number, incomplete: boolean): Promise<{ image?: ReplyImage; note?: string }> {
  if (incomplete) return { note: 'No equity chart: equity is incomplete.' };
  if (!snapshots.some((s) => s.atMs < nowMs)) return { note: 'No equity chart yet: there is no stored daily close to draw from.' };
  const curve = equityCurve(snapshots, { atMs: nowMs, equity: p.equity });
  const png = await renderEquityChart(curve, { title: `Equity (${p.quoteAsset})`, subtitle: `${p.mode} account: daily closes and ${formatUtc(nowMs)}` });
  return { image: { png, filename: 'equity.png', alt: `Equity curve of the ${p.mode} account over ${curve.equity.length} points, now ${formatMoney(p.equity)} ${p.quoteAsset}` } };
}

function textCurve(snapshots: readonly DailySnapshot[]): string[] {
  const last = snapshots.slice(-7);
  if (last.length === 0) return [];
  return [`Equity at the daily closes: ${last.map((s) => `${s.day.slice(5)} ${formatMoney(s.equity)}`).join(' · ')}`];
}
