// A bot process reduced to its order path, for crash tests: it builds the real Deps (live mode, SQLite, ccxt to
// the local exchange) on a fixed clock, starts trading (which reconciles), then places one order or just reports.
// Usage: node --import tsx test/support/order-child.ts DB_PATH EXCHANGE_URL NOW_MS place|report [CLIENT_ORDER_ID]
import { loadConfig } from '../../src/config.js';
import { closeDeps, tradingOf, type Deps } from '../../src/deps.js';
import { OptimizerPool } from '../../src/backtest/worker-pool.js';
import { createLogger } from '../../src/logger.js';
import { JobSlots } from '../../src/research/job-slots.js';
import { createMarketData } from '../../src/market/market-data.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { createOpsMetrics } from '../../src/ops/metrics.js';

const [dbPath, exchangeUrl, nowText, action, clientOrderId] = process.argv.slice(2);
const nowMs = Number(nowText);
const config = loadConfig({
  DATABASE_URL: `sqlite:${dbPath}`, EXCHANGE_API_URL: exchangeUrl, TRADING_MODE: 'live', EXCHANGE_API_KEY: 'k', EXCHANGE_API_SECRET: 's',
});
const clock = { now: () => nowMs };
const deps: Deps = {
  config, clock, logger: createLogger({ level: 'silent', pretty: false }), store: createSqliteStore(dbPath!),
  market: createMarketData({ exchange: { apiUrl: exchangeUrl!, rateLimitMs: 1, timeoutMs: 60_000 }, guard: { sleep: async () => undefined }, now: clock.now }),
  jobs: new JobSlots(),
  optimizerPool: new OptimizerPool(1),
  runtime: { version: 'test', startedAtMs: nowMs, adapters: ['crash-test'] },
  metrics: createOpsMetrics(),
};
const trading = await tradingOf(deps);
const out: Record<string, unknown> = { startReport: { checked: trading.startReport.checked, neverSent: trading.startReport.neverSent.length, fills: trading.startReport.fillsRecorded } };
if (action === 'place') {
  process.stdout.write('placing\n');
  const result = await trading.service.placeOrder({ clientOrderId: clientOrderId!, symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.01', requestedBy: 'crash-test' });
  out.result = result.kind === 'placed' ? { status: result.order.status, duplicate: result.duplicate } : result.refusal;
}
const orders = await trading.service.orders({ limit: 100 });
out.orders = orders.map((o) => ({ id: o.clientOrderId, status: o.status, filled: o.filledAmount.toString() }));
out.fills = (await trading.service.trades({ limit: 100 })).length;
process.stdout.write(`${JSON.stringify(out)}\n`);
await closeDeps(deps);
