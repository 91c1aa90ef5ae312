import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { loadRunRecord } from '../../src/research/run-record.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';

const viewer: Caller = { platform: 'telegram', userId: '7', userName: 'v', chatId: '70' };
const T0 = utc('2021-04-20T01:00');

describe('signals, backtests and optimisations from chat, on real candles through ccxt', () => {
  let exchange: ExchangeServer;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;
  beforeAll(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0 });
    deps = testDeps({ EXCHANGE_API_URL: exchange.url, VIEWER_USERS: 'telegram:7', RATE_LIMIT_PER_MINUTE: '1000' }, fixedClock(T0));
    runner = createCommandRunner(allCommands, deps);
  });
  afterAll(async () => {
    await deps.optimizerPool.close();
    await deps.market.exchange.close();
    await deps.store.close();
    await exchange.close();
  });

  it('/signals shows every strategy\'s stance on the last closed bar, the confluence breakdown and the data source', async () => {
    const reply = await runner.run('/signals BTC/USDT 5m', viewer);
    expect(reply.outcome, reply.lines.join('\n')).toBe('ok');
    expect(reply.table!.rows.map((r) => r[1])).toEqual(['sma_cross', 'ema_cross', 'rsi_reversion', 'macd_cross', 'bollinger_reversion', 'donchian_breakout', 'confluence']);
    for (const row of reply.table!.rows) expect(['LONG', 'SHORT', 'flat']).toContain(row[2]);
    expect(reply.lines.find((l) => l.includes('confluence'))).toMatch(/^BTC\/USDT confluence [\d.]+\/100 .*rsi .* → .* × \d+%/);
    expect(reply.lines.at(-1)).toMatch(/^BTC\/USDT: \d+ closed 5m bars from binance, last opened 2021-04-20 00:55:00 UTC\.$/);
  });

  it('/backtest fetches the range, reports key statistics with provenance and a chart, and stores a reproducible run', async () => {
    const reply = await runner.run('/backtest BTC/USDT 5m sma_cross fast=10 slow=30 commission=0.001', viewer);
    expect(reply.outcome, reply.lines.join('\n')).toBe('ok');
    expect(reply.lines[0]).toMatch(/^Data: binance BTC\/USDT 5m, \d+ bars 2021-04-16 .* → 2021-04-20 00:55:00 UTC \(sha256 [0-9a-f]{12}…\)\.$/);
    expect(reply.table!.rows.map((r) => r[0])).toContain('Sharpe Ratio');
    expect(reply.image!.png.length).toBeGreaterThan(10_000);
    const id = /Run ([0-9a-f]{10})/.exec(reply.lines[1]!)![1]!;
    const record = await loadRunRecord(deps.store.settings, id);
    expect(record).toMatchObject({ kind: 'backtest', strategy: 'sma_cross', params: { fast: 10, slow: 30 }, requestedBy: 'telegram:7', settings: { commission: 0.001 } });
    expect(Number(reply.table!.rows.find((r) => r[0] === '# Trades')![1])).toBeGreaterThan(0);
    // The default window is stored now: the same backtest again asks the exchange for nothing and gives the same result.
    const klines = exchange.count('/api/v3/klines');
    const again = await runner.run('/backtest BTC/USDT 5m sma_cross fast=10 slow=30 commission=0.001', viewer);
    expect(exchange.count('/api/v3/klines')).toBe(klines);
    expect(again.lines[0]).toBe(reply.lines[0]);
    expect(again.table).toEqual(reply.table);
    // Whole units of BTC cost more than the default cash: the reply says why nothing traded instead of a bare 0.
    const whole = await runner.run('/backtest BTC/USDT 5m sma_cross fractional=1', viewer);
    expect(whole.lines.at(-1)).toMatch(/^No trades: one unit \(1\) costs at least 5\d,\d*|^No trades: one unit \(1\) costs at least \d+/);
    // Discord sends strategy parameters in one option: params="fast=10 slow=30" means the same as fast=10 slow=30.
    const viaParams = await runner.run('/backtest BTC/USDT 5m sma_cross params="fast=10 slow=30" commission=0.001', viewer);
    expect(viaParams.table).toEqual(reply.table);
    expect((await runner.run('/backtest BTC/USDT 5m sma_cross fast=30 slow=10', viewer)).lines[0]).toMatch(/Invalid parameters for sma_cross/);
    expect((await runner.run('/backtest BTC/USDT 5m moon', viewer)).lines[0]).toMatch(/Unknown strategy "moon"/);
  }, 60_000);

  it('/backtest over a range fetches only the bars the store lacks, and nothing when asked again', async () => {
    // The default window (from 2021-04-16 13:40) is stored: only the bars before it are fetched, in one request.
    const klines = exchange.count('/api/v3/klines');
    const reply = await runner.run('/backtest BTC/USDT 5m sma_cross 2021-04-15..2021-04-19', viewer);
    expect(reply.outcome, reply.lines.join('\n')).toBe('ok');
    expect(reply.lines[0]).toMatch(/^Data: binance BTC\/USDT 5m, 1153 bars 2021-04-15 00:00:00 UTC → 2021-04-19 00:00:00 UTC /);
    expect(exchange.count('/api/v3/klines')).toBe(klines + 1);
    const again = await runner.run('/backtest BTC/USDT 5m sma_cross 2021-04-15..2021-04-19', viewer);
    expect(exchange.count('/api/v3/klines')).toBe(klines + 1);
    expect(again.lines[0]).toBe(reply.lines[0]);
  }, 60_000);

  it('one job per user: a second request while one runs is told to wait or /cancel job', async () => {
    const first = runner.run('/optimize BTC/USDT 5m sma_cross fast=5:20:5 slow=20:60:10', viewer);
    await new Promise((r) => setTimeout(r, 30));
    const second = await runner.run('/backtest BTC/USDT 5m sma_cross', viewer);
    expect(second.lines[0]).toBe('Your optimization is still running. Wait for it, or stop it with /cancel job.');
    const done = await first;
    expect(done.outcome, done.lines.join('\n')).toBe('ok');
    expect(done.table!.rows.length).toBeGreaterThan(5);
    expect(done.image!.filename).toBe('optimize-sma_cross.png');
  }, 60_000);

  it('/watch stores this chat\'s subscription, lists it and removes it', async () => {
    expect((await runner.run('/watch BTC/USDT 1h sma_cross', viewer)).lines[0]).toBe('Watching BTC/USDT 1h sma_cross: this chat will hear when its stance flips.');
    expect((await runner.run('/watch btcusdt 1h sma_cross', viewer)).lines[0]).toBe('Already watching BTC/USDT 1h sma_cross.');
    // A bare base currency names the market as /price takes it.
    expect((await runner.run('/watch btc 1h sma_cross', viewer)).lines[0]).toBe('Already watching BTC/USDT 1h sma_cross.');
    expect((await runner.run('/watch', viewer)).table!.rows).toEqual([['BTC/USDT', '1h', 'sma_cross']]);
    expect((await runner.run('/watch BTC/USDT 1h sma_cross off=1', viewer)).lines[0]).toBe('Stopped watching BTC/USDT 1h sma_cross.');
    expect((await runner.run('/watch BTC/USDT 1h moon', viewer)).lines[0]).toMatch(/Unknown strategy "moon"/);
    expect((await runner.run('/watch NOPE/USDT 1h sma_cross', viewer)).lines[0]).toMatch(/binance has no market "NOPE\/USDT"/);
  });
});
