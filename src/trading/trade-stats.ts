import { Decimal } from './decimal.js';
import type { TradingRepository } from './repository.js';
import type { RiskSnapshot } from './risk-rules.js';
import type { TradingMode } from './types.js';

const KEEP_TRADES = 200;

/** Midnight UTC of the day of `ms`. */
export function startOfUtcDay(ms: number): number {
  return ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000);
}

/**
 * Realized P&L today and the latest closed trades, kept up to date from the ledger incrementally (only entries
 * after the last one seen are read), and rebuilt when the UTC day or the counting start (`sinceMs`) changes.
 */
export class TradeStats {
  private dayStartMs = -1;
  private sinceMs = -1;
  private lastSeq = 0;
  private realizedToday = Decimal.ZERO;
  private readonly trades = new Map<string, { atMs: number; realizedPnl: Decimal }>();

  constructor(
    private readonly repo: TradingRepository,
    private readonly mode: TradingMode,
    private readonly quoteAsset: string,
  ) {}

  /** The figures as of `nowMs`, counting from `sinceMs` (the last breaker reset, or 0). */
  async update(nowMs: number, sinceMs: number): Promise<Pick<RiskSnapshot, 'realizedPnlToday' | 'closedTrades'>> {
    const dayStartMs = startOfUtcDay(nowMs);
    if (dayStartMs !== this.dayStartMs || sinceMs !== this.sinceMs) {
      [this.dayStartMs, this.sinceMs, this.lastSeq, this.realizedToday] = [dayStartMs, sinceMs, 0, Decimal.ZERO];
      this.trades.clear();
    }
    const countFrom = Math.max(dayStartMs, sinceMs);
    for (const entry of await this.repo.listEntries(this.mode, this.lastSeq)) {
      this.lastSeq = entry.seq;
      if (entry.kind !== 'fill') continue;
      const f = entry.fill;
      if (f.side !== 'sell' || f.quote !== this.quoteAsset || f.atMs < sinceMs) continue;
      if (f.atMs >= countFrom) this.realizedToday = this.realizedToday.plus(f.realizedPnl);
      const t = this.trades.get(f.clientOrderId);
      this.trades.delete(f.clientOrderId);
      this.trades.set(f.clientOrderId, { atMs: Math.max(t?.atMs ?? 0, f.atMs), realizedPnl: (t?.realizedPnl ?? Decimal.ZERO).plus(f.realizedPnl) });
      if (this.trades.size > KEEP_TRADES) this.trades.delete(this.trades.keys().next().value!);
    }
    return { realizedPnlToday: this.realizedToday, closedTrades: [...this.trades.values()].sort((a, b) => a.atMs - b.atMs) };
  }
}
