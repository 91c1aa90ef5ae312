import { formatUtc } from '../chat/format.js';
import type { TradingConfig } from '../config.js';
import type { BreakerSnapshot } from '../market/circuit-breaker.js';
import { Decimal } from '../trading/decimal.js';
import { modeBadge } from '../trading/order-service.js';
import { drawdownPct, type RiskSnapshot } from '../trading/risk-rules.js';
import type { BreakerEvent, TradingMode } from '../trading/types.js';
import type { AlertBook, NewAlert } from './alerts.js';

/** PAPER or LIVE, on every alert that concerns trading: the badge trading replies show. */

/** The dedup key of the trading breaker's alert. */
const tradingBreakerKey = (mode: TradingMode): string => `trading-breaker:${mode}`;
/** The dedup key of the market-data breaker's alert. */
const marketDataKey = (source: string): string => `market-data:${source}`;

/** Raises (critical) or resolves the trading breaker's alert from its latest stored event. */
export async function applyTradingBreaker(book: AlertBook, mode: TradingMode, latest: BreakerEvent | undefined, nowMs: number): Promise<void> {
  if (latest?.kind === 'tripped') {
    await book.raise({
      dedupKey: tradingBreakerKey(mode), severity: 'critical', badges: [modeBadge(mode)],
      title: `${mode === 'paper' ? 'Paper' : 'Live'} trading breaker tripped (${latest.trigger ?? 'unknown trigger'})`,
      lines: [
        `The ${mode} trading breaker tripped at ${formatUtc(latest.atMs)}: ${latest.detail}.`,
        'New entries are refused; exits are allowed. An admin can /breaker reset once the cause is understood.',
      ],
    }, nowMs);
    return;
  }
  const detail = latest ? `${latest.detail} at ${formatUtc(latest.atMs)}; the ${mode} trading breaker is closed` : `the ${mode} trading breaker is closed`;
  await book.resolve(tradingBreakerKey(mode), detail, nowMs);
}

/** Raises (warning) the market-data breaker's alert while it is open or probing; resolves it when it is closed. */
export async function applyMarketData(
  book: AlertBook, source: string, snapshot: Pick<BreakerSnapshot, 'state' | 'lastFailure' | 'retryAtMs'>, nowMs: number,
  closedDetail = `the ${source} market-data breaker is closed`,
): Promise<void> {
  if (snapshot.state === 'closed') {
    await book.resolve(marketDataKey(source), closedDetail, nowMs);
    return;
  }
  await book.raise({
    dedupKey: marketDataKey(source), severity: 'warning', title: `Market data from ${source} is failing (breaker open)`,
    lines: [
      `Calls to ${source} fail fast${snapshot.lastFailure ? ` after: ${snapshot.lastFailure}` : ''}${snapshot.retryAtMs ? `; next probe ${formatUtc(snapshot.retryAtMs)}` : ''}.`,
      'Prices are labelled STALE and the trading breaker trips while it is open.',
    ],
  }, nowMs);
}

/** One risk figure compared with its limit: raised at `raiseAt` of the limit, resolved below `raiseAt − 5` points. */
interface RiskGauge {
  readonly name: 'daily-loss' | 'drawdown' | 'exposure';
  readonly label: string;
  readonly value: Decimal;
  readonly limit: Decimal;
  readonly raiseAt: number;
  readonly unit: string;
}

/** The risk figures that have a configured limit, from the same snapshot the order service's risk rules judge. */
function riskGauges(snapshot: RiskSnapshot, limits: TradingConfig['limits']): RiskGauge[] {
  const gauges: RiskGauge[] = [];
  if (limits.maxDailyLoss) gauges.push({ name: 'daily-loss', label: "Today's realized loss", value: Decimal.max(snapshot.realizedPnlToday.neg(), Decimal.ZERO), limit: Decimal.from(limits.maxDailyLoss), raiseAt: 0.8, unit: '' });
  if (limits.maxDrawdownPct !== undefined) gauges.push({ name: 'drawdown', label: 'Drawdown from the peak', value: drawdownPct(snapshot), limit: Decimal.from(limits.maxDrawdownPct), raiseAt: 0.8, unit: '%' });
  if (limits.maxTotalExposure) gauges.push({ name: 'exposure', label: 'Total exposure', value: Decimal.sum(snapshot.positions.map((p) => p.notional)), limit: Decimal.from(limits.maxTotalExposure), raiseAt: 0.9, unit: '' });
  return gauges;
}

/** Raises a warning for each risk figure near its limit; resolves one that fell back well below it. */
export async function applyRisk(book: AlertBook, snapshot: RiskSnapshot, limits: TradingConfig['limits'], quoteAsset: string, nowMs: number): Promise<string[]> {
  const near: string[] = [];
  for (const g of riskGauges(snapshot, limits)) {
    const key = `risk:${g.name}:${snapshot.mode}`;
    const ratio = g.limit.isPositive() ? g.value.toNumber() / g.limit.toNumber() : 0;
    const shown = `${g.value.toFixed(2)}${g.unit || ` ${quoteAsset}`} of the limit ${g.limit.toString()}${g.unit || ` ${quoteAsset}`} (${(ratio * 100).toFixed(0)}%)`;
    if (ratio >= g.raiseAt) {
      near.push(`${g.name} ${(ratio * 100).toFixed(0)}%`);
      await book.raise({
        dedupKey: key, severity: 'warning', badges: [modeBadge(snapshot.mode)], title: `${g.label} ${ratio >= 1 ? 'has reached' : 'is near'} its limit`,
        lines: [`${g.label} (${snapshot.mode}) is ${shown} at ${formatUtc(nowMs)}; warned from ${Math.round(g.raiseAt * 100)}%.`],
      }, nowMs);
    } else if (ratio < g.raiseAt - 0.05) {
      await book.resolve(key, `${g.label.toLowerCase()} is back to ${shown}`, nowMs);
    }
  }
  return near;
}
