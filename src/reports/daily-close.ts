import type { Store } from '../store/types.js';
import type { Trading } from '../trading/create-trading.js';
import { dailySnapshotOf, utcDay } from '../trading/portfolio.js';
import { startOfUtcDay } from '../trading/trade-stats.js';

/**
 * How long after midnight UTC the previous day's close may still be taken. Later (the bot was down over midnight)
 * the day is left without a close rather than given one taken at the wrong time.
 */
const CLOSE_WINDOW_MS = 30 * 60_000;

/**
 * Stores the closing snapshot of the UTC day that just ended (equity, cash, P&L), once, when run within
 * {@link CLOSE_WINDOW_MS} after midnight and every open position has a current price (a position valued at cost
 * would make the close up). Returns what it did, for the job's summary; undefined when there was nothing to do.
 */
export async function recordDailyClose(store: Pick<Store, 'trading'>, trading: () => Promise<Trading>, nowMs: number): Promise<string | undefined> {
  const midnightMs = startOfUtcDay(nowMs);
  if (nowMs - midnightMs >= CLOSE_WINDOW_MS) return undefined;
  const t = await trading();
  const day = utcDay(midnightMs - 1);
  const [stored] = await t.service.dailySnapshots(day);
  if (stored?.day === day) return undefined;
  const portfolio = await t.service.portfolio(nowMs);
  const unpriced = portfolio.positions.filter((p) => p.mark === undefined).map((p) => p.symbol);
  if (unpriced.length > 0) return `no ${day} close yet: no current price for ${unpriced.join(', ')}`;
  await store.trading.putDailySnapshot(dailySnapshotOf(portfolio, day));
  return `recorded the ${day} close`;
}
