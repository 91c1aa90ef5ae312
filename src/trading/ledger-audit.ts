import { Decimal } from './decimal.js';
import { applyFill, type LedgerEntry } from './ledger.js';
import type { TradingRepository } from './repository.js';
import { createSerialQueue } from './serial-queue.js';
import type { Position, TradingMode } from './types.js';

/** A sell the ledger recorded for more than the position it held: coins from outside the bot, or a missing fill. */
export interface LedgerAnomaly {
  readonly kind: 'oversold';
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly fillId: string;
  readonly atMs: number;
  /** How much more was sold than the ledger held (base asset). */
  readonly amount: Decimal;
  readonly message: string;
}

/** Folds ledger entries into positions and lists every sell that sold more than its position held. */
export function findAnomalies(entries: readonly LedgerEntry[], positions = new Map<string, Position>()): LedgerAnomaly[] {
  const found: LedgerAnomaly[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'fill') continue;
    const f = entry.fill;
    const { position, oversold } = applyFill(positions.get(f.symbol), f);
    positions.set(f.symbol, position);
    if (!oversold.isPositive()) continue;
    found.push({
      kind: 'oversold', symbol: f.symbol, clientOrderId: f.clientOrderId, fillId: f.fillId, atMs: f.atMs, amount: oversold,
      message: `sell ${f.clientOrderId} sold ${oversold.toString()} ${f.base} more than the ledger's ${f.symbol} position held (coins from outside the bot, or a fill the ledger lacks); its P&L counts those proceeds at no cost`,
    });
  }
  return found;
}

/**
 * Watches one mode's ledger for anomalies, reading only the entries added since the last check; `onNew` hears of
 * each anomaly once per process (the first check after a start reports the old ones too).
 */
export function createLedgerAudit(repo: Pick<TradingRepository, 'listEntries'>, mode: TradingMode, onNew: (anomaly: LedgerAnomaly) => void) {
  let throughSeq = 0;
  const positions = new Map<string, Position>();
  const anomalies: LedgerAnomaly[] = [];
  // One check at a time: two folding the same new entries into `positions` would count them twice.
  const serial = createSerialQueue();
  return {
    /** Reads new entries and returns every anomaly so far, oldest first. */
    check: (): Promise<LedgerAnomaly[]> =>
      serial(async () => {
        const entries = await repo.listEntries(mode, throughSeq);
        const fresh = findAnomalies(entries, positions);
        throughSeq = entries.at(-1)?.seq ?? throughSeq;
        anomalies.push(...fresh);
        for (const a of fresh) onNew(a);
        return [...anomalies];
      }),
  };
}

/** Total amount oversold per symbol. */
export function oversoldBySymbol(anomalies: readonly LedgerAnomaly[]): Map<string, Decimal> {
  const totals = new Map<string, Decimal>();
  for (const a of anomalies) totals.set(a.symbol, (totals.get(a.symbol) ?? Decimal.ZERO).plus(a.amount));
  return totals;
}
