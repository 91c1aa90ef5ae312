import { describe, expect, it } from 'vitest';
import { dec } from '../../src/trading/decimal.js';
import { allRefusals, checkAll, drawdownPct, lossStreak, RISK_RULES, type RiskOrder, type RiskSnapshot } from '../../src/trading/risk-rules.js';
import { T0 } from './helpers.js';

const snap = (over: Partial<RiskSnapshot> = {}): RiskSnapshot => ({
  mode: 'paper', equity: dec('10000'), peakEquity: dec('10000'), realizedPnlToday: dec('0'),
  positions: [{ symbol: 'BTC/USDT', amount: dec('0.05'), notional: dec('2000') }], closedTrades: [], ...over,
});
const order = (over: Partial<RiskOrder> = {}): RiskOrder => ({ symbol: 'ETH/USDT', side: 'buy', amount: dec('1'), notional: dec('2500'), ...over });
const trades = (...pnls: string[]) => pnls.map((p, i) => ({ atMs: T0 - (pnls.length - i) * 60_000, realizedPnl: dec(p) }));

describe('risk rules (fixed clock, pure)', () => {
  it('allowed symbols', () => {
    const limits = { allowedSymbols: ['BTC/USDT'] };
    expect(RISK_RULES.allowed_symbols(snap(), order({ symbol: 'BTC/USDT' }), T0, limits)).toEqual({ ok: true });
    expect(RISK_RULES.allowed_symbols(snap(), order(), T0, limits)).toEqual({
      ok: false, rule: 'allowed_symbols', limit: 'BTC/USDT', current: 'ETH/USDT', message: 'ETH/USDT is not in the allowed symbols (BTC/USDT)',
    });
  });

  it('max order notional', () => {
    expect(RISK_RULES.max_order_notional(snap(), order(), T0, { maxOrderNotional: dec('2500') }).ok).toBe(true);
    expect(RISK_RULES.max_order_notional(snap(), order(), T0, { maxOrderNotional: dec('2499.99') })).toMatchObject({
      ok: false, rule: 'max_order_notional', limit: '2499.99', current: '2500',
    });
  });

  it('max position per symbol counts what is held plus the order', () => {
    const limits = { maxPositionNotional: dec('3000') };
    expect(RISK_RULES.max_position(snap(), order(), T0, limits).ok).toBe(true);
    expect(RISK_RULES.max_position(snap(), order({ symbol: 'BTC/USDT', notional: dec('1000.01') }), T0, limits)).toMatchObject({
      ok: false, rule: 'max_position', limit: '3000', current: '3000.01',
    });
  });

  it('max open positions refuses a new symbol but not adding to a held one', () => {
    const limits = { maxOpenPositions: 1 };
    expect(RISK_RULES.max_open_positions(snap(), order({ symbol: 'BTC/USDT' }), T0, limits).ok).toBe(true);
    expect(RISK_RULES.max_open_positions(snap(), order(), T0, limits)).toMatchObject({ ok: false, rule: 'max_open_positions', limit: '1', current: '1' });
  });

  it('max total exposure', () => {
    expect(RISK_RULES.max_total_exposure(snap(), order(), T0, { maxTotalExposure: dec('4500') }).ok).toBe(true);
    expect(RISK_RULES.max_total_exposure(snap(), order(), T0, { maxTotalExposure: dec('4000') })).toMatchObject({
      ok: false, rule: 'max_total_exposure', limit: '4000', current: '4500',
    });
  });

  it('daily loss limit refuses once today\'s realized loss reaches it', () => {
    const limits = { maxDailyLoss: dec('300') };
    expect(RISK_RULES.daily_loss(snap({ realizedPnlToday: dec('-299.99') }), order(), T0, limits).ok).toBe(true);
    expect(RISK_RULES.daily_loss(snap({ realizedPnlToday: dec('-300') }), order(), T0, limits)).toMatchObject({
      ok: false, rule: 'daily_loss', limit: '300', current: '300',
    });
  });

  it('max drawdown from the peak, in percent', () => {
    expect(drawdownPct(snap({ equity: dec('9000') }))).toEqual(dec('10'));
    expect(RISK_RULES.max_drawdown(snap({ equity: dec('9001') }), order(), T0, { maxDrawdownPct: 10 }).ok).toBe(true);
    expect(RISK_RULES.max_drawdown(snap({ equity: dec('9000') }), order(), T0, { maxDrawdownPct: 10 })).toMatchObject({
      ok: false, rule: 'max_drawdown', limit: '10%', current: '10.00%',
    });
  });

  it('cooldown after N losses in a row lasts its duration from the last loss', () => {
    const limits = { cooldown: { losses: 3, durationMs: 30 * 60_000 } };
    const s = snap({ closedTrades: trades('5', '-1', '-2', '-3') }); // last loss at T0 − 1 min
    expect(lossStreak(s)).toBe(3);
    expect(RISK_RULES.cooldown(s, order(), T0, limits)).toMatchObject({ ok: false, rule: 'cooldown', current: '3 losses in a row' });
    expect(RISK_RULES.cooldown(s, order(), T0 + 29 * 60_000 - 1, limits).ok).toBe(false);
    expect(RISK_RULES.cooldown(s, order(), T0 + 29 * 60_000, limits).ok).toBe(true);
    expect(RISK_RULES.cooldown(snap({ closedTrades: trades('-1', '-2', '4') }), order(), T0, limits).ok).toBe(true);
  });

  it('checkAll returns the first refusal, allRefusals every one; exits always pass', () => {
    const limits = { maxOrderNotional: dec('100'), maxTotalExposure: dec('100'), allowedSymbols: ['ETH/USDT'] };
    expect(checkAll(snap(), order(), T0, limits)).toMatchObject({ rule: 'max_order_notional' });
    expect(allRefusals(snap(), order(), T0, limits).map((r) => r.rule)).toEqual(['max_order_notional', 'max_total_exposure']);
    expect(checkAll(snap(), order({ side: 'sell', symbol: 'XRP/USDT' }), T0, limits)).toEqual({ ok: true });
    expect(checkAll(snap(), order(), T0, {})).toEqual({ ok: true });
  });
});
