import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { openSqliteDatabase } from '../../src/store/sqlite.js';
import { createSqliteTradingRepository } from '../../src/store/trading-sqlite.js';
import { TradingBreaker } from '../../src/trading/breaker.js';
import { Decimal, dec } from '../../src/trading/decimal.js';
import { fillNotional } from '../../src/trading/ledger.js';
import { createOrderService } from '../../src/trading/order-service.js';
import { createPaperBroker } from '../../src/trading/paper-broker.js';
import { T0, testClock, testQuote, testQuotes, testRules } from './helpers.js';

// Random sequences of orders, fills, fees and price moves through the whole paper stack (service, paper broker,
// SQLite ledger). Prices are TEST QUOTES generated here, never market data.
const SYMBOLS = ['BTC/USDT', 'ETH/USDT'] as const;
const LOT = { 'BTC/USDT': dec('0.0001'), 'ETH/USDT': dec('0.001') };
const START = dec('10000');

type Action =
  | { kind: 'move'; symbol: 0 | 1; bps: number }
  | { kind: 'market'; symbol: 0 | 1; side: 'buy'; lots: number }
  | { kind: 'sell'; symbol: 0 | 1; pctOfHeld: number }
  | { kind: 'limit'; symbol: 0 | 1; side: 'buy' | 'sell'; lots: number; offsetBps: number }
  | { kind: 'refresh' }
  | { kind: 'close'; symbol: 0 | 1 };

const symbolIndex = fc.constantFrom<0 | 1>(0, 1);
// Mostly affordable sizes, sometimes more than the account holds (which must be refused).
const lots = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 600 }), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 4000 }), weight: 1 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('move' as const), symbol: symbolIndex, bps: fc.integer({ min: -800, max: 800 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('market' as const), symbol: symbolIndex, side: fc.constant('buy' as const), lots }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('sell' as const), symbol: symbolIndex, pctOfHeld: fc.integer({ min: 1, max: 120 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('limit' as const), symbol: symbolIndex, side: fc.constantFrom('buy' as const, 'sell' as const), lots, offsetBps: fc.integer({ min: -300, max: 300 }) }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'refresh' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('close' as const), symbol: symbolIndex }), weight: 1 },
);

async function runScenario(actions: Action[], takerFee: string, makerFee: string, slippageBps: number): Promise<void> {
  const repo = createSqliteTradingRepository(openSqliteDatabase(':memory:'));
  const clock = testClock();
  const quotes = testQuotes();
  const mids = new Map<string, number>([['BTC/USDT', 4_000_000], ['ETH/USDT', 200_000]]); // in cents
  const stamp = () => {
    for (const [symbol, cents] of mids) quotes.set(testQuote(symbol, (cents - 1) / 100, (cents + 1) / 100, clock.now()));
  };
  stamp();
  const rules = { getRule: async (s: string) => { const r = await testRules.getRule(s); return r && { ...r, takerFeeRate: dec(takerFee), makerFeeRate: dec(makerFee) }; } };
  const paper = await createPaperBroker({ quotes, rules, clock, store: repo, startingBalances: { USDT: START }, slippage: slippageBps });
  const breaker = await TradingBreaker.open(repo, 'paper', {});
  const service = createOrderService({ repo, broker: paper, quotes, rules, breaker, clock, limits: {}, quoteAsset: 'USDT', startingBalances: { USDT: START } });
  await service.start();

  for (const a of actions) {
    clock.advance(1_000);
    if (a.kind === 'move') {
      const symbol = SYMBOLS[a.symbol];
      mids.set(symbol, Math.max(1_000, Math.round((mids.get(symbol)! * (10_000 + a.bps)) / 10_000)));
    }
    stamp();
    const before = await repo.listBalances('paper');
    try {
      if (a.kind === 'market' || a.kind === 'limit') {
        const symbol = SYMBOLS[a.symbol];
        const limitPrice = a.kind === 'limit' ? ((mids.get(symbol)! * (10_000 + a.offsetBps)) / 1_000_000).toFixed(2) : undefined;
        await service.placeOrder({ symbol, side: a.side, type: a.kind, amount: LOT[symbol].times(dec(a.lots)), limitPrice, requestedBy: 'prop' });
      } else if (a.kind === 'sell') {
        const symbol = SYMBOLS[a.symbol];
        const held = (await repo.listPositions('paper')).find((p) => p.symbol === symbol)?.amount ?? Decimal.ZERO;
        const amount = held.times(dec(a.pctOfHeld)).div(dec(100)).roundToStep(LOT[symbol], 'up');
        await service.placeOrder({ symbol, side: 'sell', type: 'market', amount: Decimal.max(amount, LOT[symbol]), requestedBy: 'prop' });
      } else if (a.kind === 'refresh') {
        await service.refresh(clock.now());
      } else if (a.kind === 'close') {
        await service.closePosition(SYMBOLS[a.symbol], 'prop');
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      // A refused order (overdraw, below minimums, nothing to close) changes no balance.
      expect(await repo.listBalances('paper')).toEqual(before);
    }
    await checkInvariants(repo, paper, service);
  }
}

async function checkInvariants(
  repo: ReturnType<typeof createSqliteTradingRepository>,
  paper: Awaited<ReturnType<typeof createPaperBroker>>,
  service: ReturnType<typeof createOrderService>,
): Promise<void> {
  const balances = await repo.listBalances('paper');
  for (const b of balances) expect(b.amount.isNegative(), `${b.asset} went negative: ${b.amount.toString()}`).toBe(false);
  const nonZero = (l: typeof balances) => l.filter((b) => !b.amount.isZero()).map((b) => `${b.asset}=${b.amount.toString()}`);
  expect(nonZero(balances)).toEqual(nonZero(await paper.balances()));

  const cash = balances.find((b) => b.asset === 'USDT')?.amount ?? Decimal.ZERO;
  const positions = await repo.listPositions('paper');
  const fills = await repo.listFills({ limit: 100_000 });
  const fees = Decimal.sum(fills.map((f) => f.feeAmount));
  const signed = Decimal.sum(fills.map((f) => (f.side === 'buy' ? fillNotional(f).neg() : fillNotional(f))));
  // Cash moves by exactly the fills' values and fees: nothing appears or vanishes.
  expect(cash.toString()).toBe(START.plus(signed).minus(fees).toString());
  // Conservation: cash + positions at cost (cost includes buying fees) = deposits + realized P&L (net of all fees).
  const cost = Decimal.sum(positions.map((p) => p.cost));
  const realized = Decimal.sum(positions.map((p) => p.realizedPnl));
  expect(cash.plus(cost).toString()).toBe(START.plus(realized).toString());
  expect(Decimal.sum(positions.map((p) => p.feesPaid)).toString()).toBe(fees.toString());
  for (const p of positions) {
    const held = balances.find((b) => b.asset === p.base)?.amount ?? Decimal.ZERO;
    expect(p.amount.toString()).toBe(held.toString());
  }
  // The service never sells more than the ledger holds, so the audit finds nothing.
  expect(await service.anomalies()).toEqual([]);
  // Realized + unrealized P&L is the change in equity.
  const portfolio = await service.portfolio(0);
  expect(portfolio.netDeposits.toString()).toBe(START.toString());
  expect(portfolio.equity.minus(START).toString()).toBe(portfolio.realizedPnl.plus(portfolio.unrealizedPnl).toString());
}

describe('ledger properties over random trading sessions', () => {
  it('conserves value, never goes negative, and P&L explains equity exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(action, { minLength: 5, maxLength: 40 }),
        fc.constantFrom('0', '0.001', '0.00075', '0.0025'),
        fc.constantFrom('0', '0.0002', '0.001'),
        fc.integer({ min: 0, max: 50 }),
        async (actions, takerFee, makerFee, slippageBps) => runScenario(actions, takerFee, makerFee, slippageBps),
      ),
      { numRuns: 100 },
    );
  });

  it('a buy that would overdraw is refused and leaves the account untouched', async () => {
    await runScenario([{ kind: 'market', symbol: 0, side: 'buy', lots: 2600 }, { kind: 'market', symbol: 0, side: 'buy', lots: 2400 }], '0.001', '0.001', 0);
  });
});

describe('decimal arithmetic', () => {
  it('sums exactly where floats drift', () => {
    const tenths = Array.from({ length: 10 }, () => dec('0.1'));
    expect(Decimal.sum(tenths).toString()).toBe('1');
    expect(dec(0.1 + 0.2).toString()).toBe('0.30000000000000004');
    expect(dec('1e-7').toString()).toBe('0.0000001');
    expect(dec('-12.3400').toString()).toBe('-12.34');
    expect(() => dec('1,5')).toThrow(/not a decimal/);
  });

  it('rounds products, quotients and steps as told', () => {
    expect(dec('1').div(dec('3')).toString()).toBe('0.333333333333333333');
    expect(dec('2').div(dec('3')).toString()).toBe('0.666666666666666667');
    expect(dec('0.12345').roundToStep(dec('0.0001'), 'down').toString()).toBe('0.1234');
    expect(dec('0.12345').roundToStep(dec('0.0001'), 'up').toString()).toBe('0.1235');
    expect(dec('0.12345').roundToStep(dec('0.0001'), 'half_even').toString()).toBe('0.1234');
    expect(dec('-0.12355').roundToStep(dec('0.0001'), 'half_even').toString()).toBe('-0.1236');
    expect(dec('7').roundToStep(dec('5'), 'half_even').toString()).toBe('5');
    expect(dec('2.5').toFixed(0)).toBe('2');
    expect(dec('1.5').toFixed(3)).toBe('1.500');
  });

  it('adds and subtracts like integers of 1e-18 (property)', () => {
    const units = fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n });
    fc.assert(
      fc.property(units, units, (a, b) => {
        const text = (u: bigint) => `${u < 0n ? '-' : ''}${(u < 0n ? -u : u).toString().padStart(19, '0').replace(/(\d{18})$/, '.$1')}`;
        const [x, y] = [dec(text(a)), dec(text(b))];
        expect(x.plus(y).units).toBe(a + b);
        expect(x.minus(y).units).toBe(a - b);
        expect(dec(x.toString()).eq(x)).toBe(true);
      }),
    );
  });
});
