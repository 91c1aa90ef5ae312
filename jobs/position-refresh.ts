import { tradingOf, type Deps } from '../src/deps.js';
import { TemporaryError } from '../src/errors.js';
import { defineJob } from '../src/ops/job.js';
import type { Trading } from '../src/trading/create-trading.js';
import { ACTIVE_STATUSES } from '../src/trading/order-lifecycle.js';
import type { Order } from '../src/trading/types.js';

const describeOrder = (o: Order) =>
  `${o.clientOrderId} ${o.side} ${o.filledAmount.toString()}/${o.amount.toString()} ${o.symbol} ${o.type} ${o.status}${o.averagePrice ? ` @ ${o.averagePrice.toString()}` : ''}${o.reason ? ` (${o.reason})` : ''}`;

/** Why each symbol with resting orders or a position has no usable quote now (an outage, a stale price). */
async function quoteProblems(trading: Trading, symbols: Iterable<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const symbol of symbols) {
    await trading.quotes.getQuote(symbol).catch((error: unknown) => problems.push(`${symbol}: ${(error as Error).message}`));
  }
  return problems;
}

/** The trading stack, or why it cannot start now (a passing outage skips the run instead of failing it). */
async function tradingOrSkip(deps: Deps): Promise<Trading | string> {
  try {
    return await tradingOf(deps);
  } catch (error) {
    if (error instanceof TemporaryError) return `skipped: trading could not start (${error.message})`;
    throw error;
  }
}

/**
 * position-refresh: lets the broker fill the resting limit and stop orders (protective exits included) that the
 * real quote crossed, records fills in the ledger, places or cancels protective exits, marks positions to market
 * and re-checks the trading breaker. No chat post: no chat subscribes to fills (they show in /orders and /trades),
 * so they are listed in the run's summary. A quote outage is not a failed run: nothing fills on a price the bot
 * does not have, the summary names the symbols, and the next run (15 s later) tries again.
 */
export const positionRefresh = defineJob({
  name: 'position-refresh',
  summary: 'Fills resting paper orders the market crossed, marks positions to market, re-checks the breaker.',
  schedule: '*/15 * * * * *',
  async run(deps, nowMs) {
    const trading = await tradingOrSkip(deps);
    if (typeof trading === 'string') return { summary: trading };
    const { portfolio, ...report } = await trading.service.refresh(nowMs);
    const active = await trading.service.orders({ statuses: ACTIVE_STATUSES, limit: 1000 });
    const problems = await quoteProblems(trading, new Set([...active.map((o) => o.symbol), ...portfolio.positions.map((p) => p.symbol)]));
    const parts = [
      `${trading.service.badge}: ${report.checked} active orders checked, ${report.fillsRecorded} fills recorded`,
      ...report.updated.map(describeOrder),
      ...report.failed.map((f) => `${f.order.clientOrderId} not checked: ${f.reason}`),
      `${active.length} orders resting, ${portfolio.positions.length} positions, equity ${portfolio.equity.toFixed(2)} ${portfolio.quoteAsset}`,
      ...(problems.length ? [`no usable quote, nothing filled there: ${problems.join('; ')}`] : []),
    ];
    return { summary: parts.join('; ') };
  },
});
