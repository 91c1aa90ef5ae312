import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { enqueue } from '../../src/ops/outbox.js';
import { TradingBreaker } from '../../src/trading/breaker.js';
import { Decimal } from '../../src/trading/decimal.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';
import { expositionProblems, histogramCount, parseExposition, sampleValue, samples } from './metrics-exposition.js';

const viewer: Caller = { platform: 'telegram', userId: '1', userName: 'v', chatId: '1' };
const stranger: Caller = { platform: 'telegram', userId: '99', userName: 's', chatId: '99' };
const T0 = utc('2021-04-20T01:00');

describe('OpsMetrics over real commands, the real exchange client and the store', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;
  const scrape = async () => {
    const text = await deps.metrics.scrape();
    expect(expositionProblems(text)).toEqual([]);
    return parseExposition(text);
  };

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0 });
    clock = fixedClock(T0);
    deps = testDeps({ EXCHANGE_API_URL: exchange.url, VIEWER_USERS: 'telegram:1', RATE_LIMIT_PER_MINUTE: '1000', INSTANCE_ID: 'bot-a' }, clock);
    deps.metrics.watch(deps);
    runner = createCommandRunner(allCommands, deps);
  });
  afterEach(async () => {
    await deps.market.exchange.close();
    await deps.store.close();
    await exchange.close();
  });

  it('counts every command by name and outcome, and times each one, whatever the outcome', async () => {
    const before = await scrape();
    const replies = [
      await runner.run('/help', viewer),
      await runner.run('/help@TradeopsBot', viewer),
      await runner.run('/stauts', viewer),
      await runner.run('/price NOPE/USDT', viewer),
      await runner.run('/status', stranger),
      await runner.run('/price BTC/USDT', viewer),
    ];
    expect(replies.map((r) => r.outcome)).toEqual(['ok', 'ok', 'user_error', 'user_error', 'denied', 'ok']);
    const after = await scrape();
    const delta = (command: string, outcome: string) =>
      (sampleValue(after, 'tradeops_commands_total', { command, outcome }) ?? 0) - (sampleValue(before, 'tradeops_commands_total', { command, outcome }) ?? 0);
    expect([delta('help', 'ok'), delta('unknown', 'user_error'), delta('price', 'user_error'), delta('status', 'denied'), delta('price', 'ok')]).toEqual([2, 1, 1, 1, 1]);
    const total = samples(after, 'tradeops_commands_total').reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(6);
    const timed = (command: string) => histogramCount(after, 'tradeops_command_duration_seconds', { command }) - histogramCount(before, 'tradeops_command_duration_seconds', { command });
    expect([timed('help'), timed('unknown'), timed('price'), timed('status')]).toEqual([2, 1, 2, 1]);
    // A typo never becomes a label of its own: the label set stays bounded by the command list.
    expect(samples(after, 'tradeops_commands_total').map((s) => s.labels.command)).not.toContain('stauts');
  });

  it('shows the exchange figures of /price: calls, cache hits, success, latency, breaker and last answer', async () => {
    const idle = await scrape();
    expect(samples(idle, 'tradeops_exchange_success_ratio')).toEqual([]);
    expect(samples(idle, 'tradeops_exchange_last_success_age_seconds')).toEqual([]);
    await runner.run('/price BTC/USDT', viewer);
    await runner.run('/price BTC/USDT', viewer);
    clock.advance(7_000);
    const m = await scrape();
    const stats = deps.market.quotes.stats();
    expect(stats.requests).toBeGreaterThan(0);
    const binance = { source: 'binance' };
    expect(sampleValue(m, 'tradeops_exchange_requests_total', { ...binance, outcome: 'ok' })).toBe(stats.outcomes.ok);
    expect(sampleValue(m, 'tradeops_exchange_requests_total', { ...binance, outcome: 'temporary_error' })).toBe(0);
    expect(sampleValue(m, 'tradeops_exchange_success_ratio', binance)).toBe(1);
    expect(sampleValue(m, 'tradeops_exchange_cache_lookups_total', { ...binance, result: 'hit' })).toBe(1);
    expect(sampleValue(m, 'tradeops_exchange_cache_lookups_total', { ...binance, result: 'miss' })).toBe(1);
    expect(sampleValue(m, 'tradeops_exchange_cache_hit_ratio', binance)).toBe(0.5);
    expect(sampleValue(m, 'tradeops_exchange_latency_seconds', { ...binance, percentile: 'p99' })).toBe(stats.latencyMs.p99! / 1000);
    expect(sampleValue(m, 'tradeops_exchange_last_success_age_seconds', binance)).toBe(7);
    expect(sampleValue(m, 'tradeops_market_breaker_state', { ...binance, state: 'closed' })).toBe(1);
    expect(sampleValue(m, 'tradeops_market_breaker_state', { ...binance, state: 'open' })).toBe(0);
  });

  it('shows the market-data breaker open, with the failed calls, during an exchange outage', async () => {
    exchange.setOutage(true);
    for (let i = 0; i < 3; i++) await runner.run('/price BTC/USDT', viewer);
    const m = await scrape();
    expect(sampleValue(m, 'tradeops_market_breaker_state', { source: 'binance', state: 'open' })).toBe(1);
    expect(sampleValue(m, 'tradeops_market_breaker_consecutive_failures', { source: 'binance' })).toBeGreaterThanOrEqual(5);
    expect(sampleValue(m, 'tradeops_exchange_requests_total', { source: 'binance', outcome: 'rejected_by_breaker' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'tradeops_exchange_success_ratio', { source: 'binance' })).toBe(0);
    expect(sampleValue(m, 'tradeops_exchange_retries_total', { source: 'binance' })).toBeGreaterThan(0);
  });

  it('reads the stored trading breaker and the delivery log at each scrape', async () => {
    const before = await scrape();
    expect(sampleValue(before, 'tradeops_trading_breaker_tripped', { mode: 'paper' })).toBe(0);
    expect(samples(before, 'tradeops_delivery_log_entries').filter((s) => s.value > 0)).toEqual([]);
    const breaker = await TradingBreaker.open(deps.store.trading, 'paper', {});
    const zero = Decimal.from('0');
    const snapshot = { mode: 'paper' as const, equity: zero, peakEquity: zero, realizedPnlToday: zero, positions: [], closedTrades: [] };
    await breaker.evaluate({ snapshot, marketDataOpen: true }, clock.now());
    await enqueue(deps.store, { source: 'daily-report', period: '2021-04-20', target: { platform: 'telegram', chatId: '1' }, reply: { level: 'info', lines: ['hi'] }, expiresInMs: 3_600_000 }, clock.now());
    const after = await scrape();
    expect(sampleValue(after, 'tradeops_trading_breaker_tripped', { mode: 'paper' })).toBe(1);
    expect(sampleValue(after, 'tradeops_delivery_log_entries', { state: 'pending' })).toBe(1);
  });

  it('leaves a family empty and counts the failure when the store cannot be read, and still answers', async () => {
    await deps.store.close();
    const m = await scrape();
    expect(samples(m, 'tradeops_trading_breaker_tripped')).toEqual([]);
    expect(samples(m, 'tradeops_delivery_log_entries')).toEqual([]);
    expect(sampleValue(m, 'tradeops_metric_sample_failures_total', { family: 'tradeops_trading_breaker_tripped' })).toBe(1);
    expect(deps.logLines.some((l) => l.includes('a metric could not be read from the store'))).toBe(true);
  });

  it('shows scheduler leadership, running adapters and the version of this replica', async () => {
    expect(samples(await scrape(), 'tradeops_scheduler_leader')).toEqual([]);
    deps.runtime.scheduler = { jobs: () => [], leader: () => ({ self: true, holder: 'bot-a', expiresAtMs: clock.now() + 30_000 }) };
    const m = await scrape();
    expect(sampleValue(m, 'tradeops_scheduler_leader', { instance: 'bot-a' })).toBe(1);
    expect(sampleValue(m, 'tradeops_chat_adapter_up', { adapter: 'test' })).toBe(1);
    expect(sampleValue(m, 'tradeops_build_info', { instance: 'bot-a', version: deps.runtime.version })).toBe(1);
    expect(sampleValue(m, 'tradeops_uptime_seconds')).toBeGreaterThan(0);
  });
});

describe('the exposition check the scrapes above pass', () => {
  it('rejects what Prometheus would not take: undeclared samples, foreign suffixes, families declared twice, bad values', () => {
    const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 3\n# HELP h H.\n# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 0.5\nh_count 1\n';
    expect(expositionProblems(ok)).toEqual([]);
    expect(expositionProblems('b 1\n')).toEqual(['line 1 "b 1": sample before its HELP and TYPE']);
    expect(expositionProblems('# HELP g G.\n# TYPE g gauge\ng_count 1\n')).toEqual(['line 3 "g_count 1": sample g_count does not belong to the gauge family g']);
    expect(expositionProblems(`${ok}# HELP a_total A.\n# TYPE a_total counter\n`)).toEqual(['line 9 "# HELP a_total A.": family a_total declared twice']);
    expect(expositionProblems('# HELP g G.\n# TYPE g gauge\ng one\n')).toEqual(['line 3 "g one": bad value one']);
    expect(expositionProblems('# HELP g G.\n# TYPE g gauge\ng 1')).toEqual(['the text does not end with a newline']);
  });
});
