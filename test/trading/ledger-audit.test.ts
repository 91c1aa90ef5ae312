import { describe, expect, it } from 'vitest';
import { dec } from '../../src/trading/decimal.js';
import { applyFill, type LedgerEntry } from '../../src/trading/ledger.js';
import { findAnomalies } from '../../src/trading/ledger-audit.js';
import type { RecordedFill } from '../../src/trading/types.js';
import { testFill } from './helpers.js';

const entry = (seq: number, over: Parameters<typeof testFill>[0]): LedgerEntry => {
  const fill: RecordedFill = { ...testFill({ fillId: `f-${seq}`, clientOrderId: `o-${seq}`, feeAmount: dec('0'), ...over }), seq, realizedPnl: dec('0') };
  return { kind: 'fill', seq, key: `fill-${seq}`, fill };
};

describe('a sell larger than the position is recorded and flagged, not silently clamped', () => {
  it('applyFill keeps the accounting and returns the excess as oversold', () => {
    const bought = applyFill(undefined, testFill({ amount: dec('0.5'), feeAmount: dec('0') })).position;
    const sold = applyFill(bought, testFill({ side: 'sell', amount: dec('0.7'), price: dec('50000'), feeAmount: dec('0') }));
    expect(sold.oversold.toString()).toBe('0.2');
    expect(sold.position.amount.toString()).toBe('0');
    // Proceeds 35,000 − cost 20,000: the excess 0.2 BTC is counted at no cost (and flagged for that reason).
    expect(sold.realizedPnl.toString()).toBe('15000');
    expect(applyFill(bought, testFill({ side: 'sell', amount: dec('0.5'), feeAmount: dec('0') })).oversold.isZero()).toBe(true);
  });

  it('findAnomalies names each oversold sell, with the amount and why it matters', () => {
    const anomalies = findAnomalies([
      entry(1, { side: 'buy', amount: dec('0.5') }),
      entry(2, { side: 'sell', amount: dec('0.3') }),
      entry(3, { side: 'sell', amount: dec('0.4') }),
      entry(4, { side: 'sell', amount: dec('0.1') }),
      { kind: 'deposit', seq: 5, key: 'd', deposit: { key: 'd', mode: 'paper', asset: 'BTC', amount: dec('1'), atMs: 0, note: '' } },
    ]);
    expect(anomalies.map((a) => [a.clientOrderId, a.amount.toString()])).toEqual([['o-3', '0.2'], ['o-4', '0.1']]);
    expect(anomalies[0]!.message).toBe("sell o-3 sold 0.2 BTC more than the ledger's BTC/USDT position held (coins from outside the bot, or a fill the ledger lacks); its P&L counts those proceeds at no cost");
  });
});
