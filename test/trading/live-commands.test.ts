import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { closeDeps } from '../../src/deps.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';
import { LIVE_T0 } from './live-helpers.js';

const trader: Caller = { platform: 'telegram', userId: '2', userName: 't', chatId: '2' };

describe('live trading commands: balances from the exchange, outcomes as they were, anomalies shown', () => {
  let exchange: ExchangeServer;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;
  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: LIVE_T0, bookSpreadTicks: 5, account: { USDT: 5_000, BTC: 0.5 } });
    deps = testDeps({
      EXCHANGE_API_URL: exchange.url, TRADER_USERS: 'telegram:2', RATE_LIMIT_PER_MINUTE: '1000',
      TRADING_MODE: 'live', EXCHANGE_API_KEY: 'test-key', EXCHANGE_API_SECRET: 'test-secret',
    }, fixedClock(LIVE_T0));
    runner = createCommandRunner(allCommands, deps);
  });
  afterEach(async () => {
    await closeDeps(deps);
    await exchange.close();
  });
  const confirmed = async (line: string) => {
    const ask = await runner.run(line, trader);
    expect(ask.title, ask.lines.join('\n')).toBe('Please confirm');
    return runner.run(ask.confirm!.line, trader);
  };

  it('/balance starts from what the exchange holds, booked as exchange balance sync deposits', async () => {
    const reply = await runner.run('/balance', trader);
    expect(reply).toMatchObject({ outcome: 'ok', badges: ['LIVE'] });
    expect(reply.lines[1]).toBe('Net deposits 5,000.00 USDT.');
    expect(reply.lines[2]).toMatch(/^They include 2 exchange balance sync entries \(what the exchange held beyond the ledger at start-up\), the last at .*: 5,000 USDT\.$/);
    expect(reply.table!.rows).toEqual([['BTC', '0.5'], ['USDT', '5,000']]);
  });

  it('a rate-limited order is recorded as a temporary error, and its reply keeps the LIVE badge', async () => {
    exchange.injectFault('rate-limit', { path: '/api/v3/order', method: 'POST' });
    const reply = await confirmed('/buy BTC/USDT 0.01');
    expect(reply).toMatchObject({ outcome: 'temporary_error', level: 'warning', badges: ['LIVE'] });
    expect(reply.lines[0]).toMatch(/try again in \d+ s\.$/i);
    expect(reply.lines[0]!.match(/try again/gi)).toHaveLength(1);
    const [audit] = await deps.store.audit.list({ limit: 1 });
    expect(audit).toMatchObject({ command: 'buy', outcome: 'temporary_error' });
  });

  it('/positions shows a sell of coins the ledger holds no position for as an anomaly, and it is logged as an error', async () => {
    const sold = await confirmed('/sell BTC/USDT 0.2');
    expect(sold).toMatchObject({ outcome: 'ok', title: 'Sold 0.2 BTC' });
    const reply = await runner.run('/positions', trader);
    expect(reply).toMatchObject({ level: 'warning', badges: ['LIVE'] });
    expect(reply.lines).toContain('Ledger anomaly: BTC/USDT sells exceeded the position by 0.2 BTC in total (coins from outside the bot, or a fill the ledger lacks); that P&L counts those proceeds at no cost.');
    expect(deps.logLines.some((l) => l.includes('"level":50') && l.includes('more than the ledger'))).toBe(true);
  });
});
