import type { Broker } from './broker.js';
import { Decimal } from './decimal.js';
import { applyEntry, balanceChanges, emptyLedgerState } from './ledger.js';
import type { TradingRepository } from './repository.js';
import type { Deposit } from './types.js';

/** The note (and key prefix) of the ledger entries that align the ledger with the exchange's balances. */
export const EXCHANGE_SYNC_SOURCE = 'exchange balance sync';
const KEY_PREFIX = 'exchange-sync';

/** Where a deposit came from: the paper starting money, an exchange balance sync, or anything else. */
export function depositSource(deposit: Pick<Deposit, 'key'>): 'starting balance' | typeof EXCHANGE_SYNC_SOURCE | 'other' {
  if (deposit.key.startsWith(`${KEY_PREFIX}:`)) return EXCHANGE_SYNC_SOURCE;
  return /^(paper|live)-start:/.test(deposit.key) ? 'starting balance' : 'other';
}

/** What one balance sync booked, and the assets it left alone. */
export interface BalanceSyncReport {
  readonly booked: Deposit[];
  readonly skipped: Array<{ asset: string; reason: string }>;
}

/**
 * Books, per asset, the exchange's total (free + locked in open orders: the ledger counts coins in open orders too)
 * minus the ledger's balance as a deposit (or a withdrawal when negative). Idempotent: each entry's key names the
 * asset and the seq of the ledger's last entry touching it, so a repeat or a second replica computing the same
 * difference books nothing, a crash between assets resumes with the rest, and a later change books only itself.
 * Assets in `unsettled` (orders reconcile could not settle: fills may be missing) are skipped, not guessed.
 */
export async function syncExchangeBalances(repo: TradingRepository, broker: Broker, nowMs: number, unsettled: ReadonlySet<string>): Promise<BalanceSyncReport> {
  const mode = broker.mode;
  const exchange = new Map((await broker.balances()).map((b) => [b.asset, b.amount]));
  const entries = await repo.listEntries(mode, 0);
  let state = emptyLedgerState(mode);
  const lastSeq = new Map<string, number>();
  for (const entry of entries) {
    state = applyEntry(state, entry);
    const assets = entry.kind === 'deposit' ? [entry.deposit.asset] : balanceChanges(entry.fill).map((c) => c.asset);
    for (const asset of assets) lastSeq.set(asset, entry.seq);
  }
  const report: BalanceSyncReport = { booked: [], skipped: [] };
  for (const asset of [...new Set([...exchange.keys(), ...state.balances.keys()])].sort()) {
    const ledger = state.balances.get(asset) ?? Decimal.ZERO;
    const total = exchange.get(asset) ?? Decimal.ZERO;
    const delta = total.minus(ledger);
    if (delta.isZero()) continue;
    if (unsettled.has(asset)) {
      report.skipped.push({ asset, reason: 'an order in this asset is not settled yet; its fills may be missing from the ledger' });
      continue;
    }
    const deposit: Deposit = {
      key: `${KEY_PREFIX}:${mode}:${asset}:after-${lastSeq.get(asset) ?? 0}`, mode, asset, amount: delta, atMs: nowMs,
      note: `${EXCHANGE_SYNC_SOURCE}: the exchange holds ${total.toString()} ${asset}, the ledger had ${ledger.toString()}`,
    };
    if ((await repo.recordDeposit(deposit)).inserted) report.booked.push(deposit);
  }
  return report;
}
