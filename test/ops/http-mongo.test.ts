import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { assembleDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { startOpsServer } from '../../src/ops/http.js';
import { enqueue } from '../../src/ops/outbox.js';
import { createMongoStore } from '../../src/store/mongo.js';
import { fixedClock, memoryLog } from '../support/test-deps.js';
import { expositionProblems, parseExposition, sampleValue } from './metrics-exposition.js';

const uri = process.env.MONGODB_URI;
const database = `h_opshttp_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(!uri)('the ops endpoint on a MongoDB store (MONGODB_URI)', () => {
  afterAll(async () => {
    const client = await new MongoClient(uri!).connect();
    await client.db(database).dropDatabase();
    await client.close();
  });

  it('is ready while MongoDB answers, shows the stored delivery log, and names the store once it is gone', async () => {
    const url = new URL(uri!);
    url.pathname = `/${database}`;
    const store = await createMongoStore({ url: url.toString(), location: database, serverSelectionTimeoutMs: 2_000 });
    const log = memoryLog();
    const clock = fixedClock();
    const config = loadConfig({ DATABASE_URL: url.toString(), EXCHANGE_API_URL: 'http://127.0.0.1:9' });
    const deps = assembleDeps(config, createLogger({ level: 'debug', pretty: false, destination: log.stream }), clock, store);
    deps.runtime.adapters.push('test');
    const ops = (await startOpsServer(deps, { host: '127.0.0.1', port: 0, readiness: { timeoutMs: 3_000 } }))!;
    try {
      const ready = await fetch(`${ops.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: { store: { detail: string } } }).checks.store.detail).toMatch(/^mongodb: ok/);
      await enqueue(store, { source: 'daily-report', period: 'p1', target: { platform: 'telegram', chatId: '7' }, reply: { level: 'info', lines: ['x'] }, expiresInMs: 60_000 }, clock.now());
      const text = await (await fetch(`${ops.url}/metrics`)).text();
      expect(expositionProblems(text)).toEqual([]);
      const m = parseExposition(text);
      expect(sampleValue(m, 'tradeops_delivery_log_entries', { state: 'pending' })).toBe(1);
      expect(sampleValue(m, 'tradeops_trading_breaker_tripped', { mode: 'paper' })).toBe(0);

      await store.close();
      const gone = await fetch(`${ops.url}/readyz`);
      expect(gone.status).toBe(503);
      expect(((await gone.json()) as { checks: { store: { ok: boolean } } }).checks.store.ok).toBe(false);
      const after = parseExposition(await (await fetch(`${ops.url}/metrics`)).text());
      expect(sampleValue(after, 'tradeops_delivery_log_entries', { state: 'pending' })).toBeUndefined();
      expect(sampleValue(after, 'tradeops_metric_sample_failures_total', { family: 'tradeops_delivery_log_entries' })).toBe(1);
    } finally {
      await ops.close();
      await deps.market.exchange.close();
      await store.close();
    }
  });
});
