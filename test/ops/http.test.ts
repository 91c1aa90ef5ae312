import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.js';
import type { Caller } from '../../src/chat/roles.js';
import { createCommandRunner, type CommandRunner } from '../../src/chat/run-command.js';
import { startOpsServer, type OpsServer } from '../../src/ops/http.js';
import { startExchangeServer, type ExchangeServer } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';
import { fixedClock, testDeps } from '../support/test-deps.js';
import { expositionProblems, histogramCount, parseExposition, sampleValue } from './metrics-exposition.js';

const viewer: Caller = { platform: 'telegram', userId: '1', userName: 'v', chatId: '1' };
const T0 = utc('2021-04-20T01:00');

interface ReadyBody {
  status: string;
  ready: boolean;
  checks: Record<'store' | 'exchange' | 'chat', { ok: boolean; detail: string }>;
}

describe('the ops endpoint: /healthz, /readyz and /metrics over HTTP', () => {
  let exchange: ExchangeServer;
  let clock: ReturnType<typeof fixedClock>;
  let deps: ReturnType<typeof testDeps>;
  let runner: CommandRunner;
  let ops: OpsServer;
  const get = (path: string, init?: RequestInit) => fetch(`${ops.url}${path}`, init);
  const ready = async () => {
    const res = await get('/readyz');
    return { status: res.status, body: (await res.json()) as ReadyBody };
  };

  const start = async (env: Record<string, string> = {}) => {
    deps = testDeps({ EXCHANGE_API_URL: exchange.url, VIEWER_USERS: 'telegram:1', RATE_LIMIT_PER_MINUTE: '1000', INSTANCE_ID: 'bot-a', ...env }, clock);
    runner = createCommandRunner(allCommands, deps);
    ops = (await startOpsServer(deps, { host: '127.0.0.1', port: 0 }))!;
  };

  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0 });
    clock = fixedClock(T0);
    await start();
  });
  afterEach(async () => {
    await ops.close();
    await deps.market.exchange.close();
    await deps.store.close();
    await exchange.close();
  });

  it('listens on a free port on 127.0.0.1 and logs its URL', () => {
    expect(ops.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(deps.logLines.some((l) => l.includes(`ops endpoint listening: ${ops.url}/healthz`))).toBe(true);
  });

  it('/healthz says the process is alive, with its uptime and version', async () => {
    clock.advance(90_000);
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok', uptimeS: 90, version: deps.runtime.version, instance: 'bot-a' });
  });

  it('/readyz is 200 with every check passing when the store, the exchange and the chat transports are fine', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.ready).toBe(true);
    expect(body.checks.store).toEqual({ ok: true, detail: expect.stringMatching(/^sqlite: ok/) });
    expect(body.checks.exchange).toEqual({ ok: true, detail: 'binance: breaker closed, no answer yet' });
    expect(body.checks.chat).toEqual({ ok: true, detail: 'running: test' });
  });

  it('/readyz is 503 naming the store when the store cannot be reached', async () => {
    await deps.store.close();
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(body.status).toBe('not ready');
    expect(body.checks.store.ok).toBe(false);
    expect(body.checks.store.detail).toMatch(/^sqlite: .*not open/);
    expect([body.checks.exchange.ok, body.checks.chat.ok]).toEqual([true, true]);
  });

  it('/readyz is 503 naming the exchange while the market-data breaker is open, and 200 again after recovery', async () => {
    exchange.setOutage(true);
    await runner.run('/price BTC/USDT', viewer);
    await runner.run('/price BTC/USDT', viewer);
    const open = await ready();
    expect(open.status).toBe(503);
    expect(open.body.checks.exchange.ok).toBe(false);
    expect(open.body.checks.exchange.detail).toMatch(/^binance: the market-data breaker is open after \d+ failures .*; next probe in 30s; no answer yet$/);
    expect(open.body.checks.store.ok).toBe(true);
    exchange.setOutage(false);
    clock.advance(31_000);
    expect((await runner.run('/price BTC/USDT', viewer)).outcome).toBe('ok');
    const recovered = await ready();
    expect(recovered.status).toBe(200);
    expect(recovered.body.checks.exchange.detail).toBe('binance: breaker closed, last answer 0 ms ago');
  });

  it('/readyz is 503 naming a chat transport that is configured but not running', async () => {
    await ops.close();
    await deps.store.close();
    await start({ TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ' });
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(body.checks.chat).toEqual({ ok: false, detail: 'configured but not running: telegram (running: test)' });
    deps.runtime.adapters.push('telegram');
    expect((await ready()).body.checks.chat).toEqual({ ok: true, detail: 'running: test, telegram' });
  });

  it('/readyz counts a replica without chat tokens (a jobs-only standby) as ready', async () => {
    deps.runtime.adapters.length = 0;
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body.checks.chat).toEqual({ ok: true, detail: 'no chat transport configured' });
  });

  it('/metrics is valid Prometheus text whose command counters and latency histogram move as commands run', async () => {
    const scrape = async () => {
      const res = await get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      expect(expositionProblems(text)).toEqual([]);
      return parseExposition(text);
    };
    const before = await scrape();
    await runner.run('/price BTC/USDT', viewer);
    await runner.run('/price BTC/USDT', viewer);
    await runner.run('/frobnicate', viewer);
    const after = await scrape();
    const counted = (m: typeof before, command: string, outcome: string) => sampleValue(m, 'tradeops_commands_total', { command, outcome }) ?? 0;
    expect(counted(after, 'price', 'ok') - counted(before, 'price', 'ok')).toBe(2);
    expect(counted(after, 'unknown', 'user_error') - counted(before, 'unknown', 'user_error')).toBe(1);
    const timed = (m: typeof before, command: string) => histogramCount(m, 'tradeops_command_duration_seconds', { command });
    expect(timed(after, 'price') - timed(before, 'price')).toBe(2);
    expect(sampleValue(after, 'tradeops_exchange_cache_lookups_total', { source: 'binance', result: 'hit' })).toBe(1);
    expect(sampleValue(after, 'tradeops_exchange_success_ratio', { source: 'binance' })).toBe(1);
  });

  it('answers 404 for other paths and 405 for other methods', async () => {
    const missing = await get('/status');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no such path; try /healthz, /readyz, /metrics' });
    const post = await get('/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await get('/healthz?probe=1', { method: 'HEAD' })).status).toBe(200);
  });

  it('logs why when its port is taken and lets the bot run on without it', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      expect(await startOpsServer(deps, { host: '127.0.0.1', port })).toBeUndefined();
      const line = deps.logLines.find((l) => l.includes('could not listen'));
      expect(line).toContain(`the ops endpoint could not listen on 127.0.0.1:${port} (the port is in use); the bot runs on`);
      expect((await runner.run('/help', viewer)).outcome).toBe('ok');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('stops listening when closed', async () => {
    await get('/healthz');
    await ops.close();
    await expect(get('/healthz')).rejects.toThrow();
    ops = { url: ops.url, close: async () => undefined };
  });
});
