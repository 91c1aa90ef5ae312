import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { TradingBreaker, type BreakerInput } from '../../src/trading/breaker.js';
import { dec } from '../../src/trading/decimal.js';
import type { TradingRepository } from '../../src/trading/repository.js';
import type { RiskSnapshot } from '../../src/trading/risk-rules.js';
import type { BreakerEvent } from '../../src/trading/types.js';
import { BACKENDS, dropMongoRepos, T0 } from './helpers.js';

afterAll(dropMongoRepos);

const snap = (over: Partial<RiskSnapshot> = {}): RiskSnapshot => ({
  mode: 'paper', equity: dec('10000'), peakEquity: dec('10000'), realizedPnlToday: dec('0'), positions: [], closedTrades: [], ...over,
});
const input = (over: Partial<RiskSnapshot> = {}, marketDataOpen = false): BreakerInput => ({ snapshot: snap(over), marketDataOpen });
const losses = (n: number) => Array.from({ length: n }, (_, i) => ({ atMs: T0 - 1000 + i, realizedPnl: dec('-1') }));
const LIMITS = { maxDailyLoss: dec('500'), maxDrawdownPct: 15, maxLossStreak: 4, errorRate: { maxRatio: 0.5, windowMs: 60_000, minOrders: 4 } };

for (const backend of BACKENDS) {
  describe(`trading breaker on ${backend.name}`, () => {
    let repo: TradingRepository;
    let breaker: TradingBreaker;
    beforeEach(async () => {
      repo = await backend.open();
      breaker = await TradingBreaker.open(repo, 'paper', LIMITS);
    });

    it('stays closed while every figure is inside its limit', async () => {
      expect(await breaker.evaluate(input({ realizedPnlToday: dec('-499'), equity: dec('8501'), closedTrades: losses(3) }), T0)).toBeUndefined();
      expect(breaker.status()).toMatchObject({ tripped: false, epochStartMs: 0 });
    });

    it.each([
      ['daily_loss', input({ realizedPnlToday: dec('-500') }), 'daily loss 500.00 ≥ limit 500'],
      ['drawdown', input({ equity: dec('8500') }), 'drawdown 15.00% ≥ limit 15%'],
      ['loss_streak', input({ closedTrades: losses(4) }), '4 losing trades in a row ≥ limit 4'],
      ['market_data', input({}, true), 'the market-data breaker is open'],
    ] as const)('trips on %s', async (trigger, given, detail) => {
      const event = await breaker.evaluate(given, T0);
      expect(event).toEqual({ mode: 'paper', seq: 1, atMs: T0, kind: 'tripped', trigger, detail, by: undefined });
      expect(breaker.tripped).toBe(true);
    });

    it('trips on a high order error rate within the window only', async () => {
      for (const [ok, at] of [[false, T0 - 70_000], [false, T0 - 65_000], [true, T0 - 30_000], [false, T0 - 20_000], [true, T0 - 10_000]] as const) {
        breaker.recordOrderOutcome(ok, at);
      }
      expect(await breaker.evaluate(input(), T0)).toBeUndefined(); // 1 of 3 in the window, fewer than 4 orders
      breaker.recordOrderOutcome(false, T0 - 5_000);
      expect(await breaker.evaluate(input(), T0)).toMatchObject({ trigger: 'error_rate', detail: '2 of the last 4 orders failed (limit 50%)' });
    });

    it('refuses entries and allows exits while tripped; reset closes it and restarts the counting', async () => {
      await breaker.evaluate(input({ equity: dec('8000') }), T0);
      expect(breaker.refusal('buy')).toMatch(/paper trading breaker is tripped \(drawdown 20.00% ≥ limit 15%\)/);
      expect(breaker.refusal('sell')).toBeUndefined();
      expect(await breaker.evaluate(input({ realizedPnlToday: dec('-900') }), T0 + 1)).toBeUndefined(); // already tripped: no new event
      const reset = await breaker.reset('admin-7', T0 + 5_000);
      expect(reset).toMatchObject({ seq: 2, kind: 'reset', by: 'admin-7', detail: 'reset by admin-7' });
      expect(breaker.status()).toMatchObject({ tripped: false, epochStartMs: T0 + 5_000, sinceMs: T0 + 5_000 });
      expect(breaker.refusal('buy')).toBeUndefined();
      await expect(breaker.reset('admin-7', T0 + 6_000)).rejects.toThrow(/not tripped/);
    });

    it('emits each stored transition to its listeners, until they unsubscribe', async () => {
      const seen: BreakerEvent[] = [];
      const off = breaker.onTransition((e) => seen.push(e));
      await breaker.evaluate(input({}, true), T0);
      await breaker.reset('a', T0 + 1);
      off();
      await breaker.evaluate(input({}, true), T0 + 2);
      expect(seen.map((e) => [e.kind, e.trigger])).toEqual([['tripped', 'market_data'], ['reset', undefined]]);
    });

    it('keeps its state and history across a restart', async () => {
      await breaker.evaluate(input({ closedTrades: losses(5) }), T0);
      const reopened = await TradingBreaker.open(repo, 'paper', LIMITS);
      expect(reopened.status()).toMatchObject({ tripped: true, trigger: 'loss_streak', sinceMs: T0 });
      await reopened.reset('admin', T0 + 10);
      const again = await TradingBreaker.open(repo, 'paper', LIMITS);
      expect(again.status()).toMatchObject({ tripped: false, epochStartMs: T0 + 10 });
      expect((await again.history(10)).map((e) => e.kind)).toEqual(['reset', 'tripped']);
      expect((await TradingBreaker.open(repo, 'live', LIMITS)).tripped).toBe(false);
    });

    it('two processes tripping at once store one event and agree on the state', async () => {
      const other = await TradingBreaker.open(repo, 'paper', LIMITS);
      const [a, b] = await Promise.all([breaker.evaluate(input({}, true), T0), other.evaluate(input({ equity: dec('1') }), T0)]);
      expect(a?.seq).toBe(1);
      expect(b).toEqual(a);
      expect(await breaker.history(10)).toHaveLength(1);
      expect(breaker.tripped && other.tripped).toBe(true);
    });
  });
}
