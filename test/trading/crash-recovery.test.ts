import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startExchangeServer, type ExchangeServer, type Fault } from '../fakes/exchange-server.js';
import { binanceMarkets, utc } from '../market/shared-data.js';

const T0 = utc('2021-04-10T12:00');
const CHILD = join(import.meta.dirname, '../support/order-child.ts');
const ROOT = join(import.meta.dirname, '../..');

interface ChildReport {
  startReport: { checked: number; neverSent: number; fills: number };
  result?: { status: string; duplicate: boolean };
  orders: Array<{ id: string; status: string; filled: string }>;
  fills: number;
}

function runChild(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; out: string; err: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, done };
}

const report = (out: string): ChildReport => JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport;

/** Waits (polling the fake's request log, no sleeps on a clock) until `seen` holds, or fails after 20 s. */
async function until(seen: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !seen(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!seen()) throw new Error('the child never reached the step');
}

describe('crash recovery: a bot process SIGKILLed at each step of a live order', () => {
  let exchange: ExchangeServer;
  let db: string;
  beforeEach(async () => {
    exchange = await startExchangeServer({ markets: binanceMarkets(), currentTimeMs: T0, bookSpreadTicks: 5, account: { USDT: 5_000 } });
    db = join(mkdtempSync(join(tmpdir(), 'tradeops-crash-')), 'bot.db');
  });
  afterEach(async () => exchange.close());

  const killAt = async (fault: Fault, method: 'GET' | 'POST') => {
    exchange.injectFault(fault, { path: '/api/v3/order', method });
    const { child, done } = runChild([db, exchange.url, String(T0), 'place', 'tc-crash-1']);
    await until(() => exchange.log.some((e) => e.path === '/api/v3/order' && e.fault === fault));
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
  };
  /** A restart two minutes later (past the grace for orders in flight): it reconciles, then retries the same order. */
  const restart = async () => {
    const { done } = runChild([db, exchange.url, String(T0 + 120_000), 'place', 'tc-crash-1']);
    const ended = await done;
    expect(ended.code, ended.err).toBe(0);
    return report(ended.out);
  };

  it('killed after writing the order, before sending it: never sent, marked rejected, the retry does not send it', async () => {
    await killAt('timeout', 'GET');
    const after = await restart();
    expect(after.startReport).toMatchObject({ checked: 1, neverSent: 1 });
    expect(after.result).toEqual({ status: 'rejected', duplicate: true });
    expect(after.orders).toEqual([{ id: 'tc-crash-1', status: 'rejected', filled: '0' }]);
    expect(exchange.account.orders()).toEqual([]);
  }, 60_000);

  it('killed after the exchange executed it, before the answer: reconcile records the fill once, the retry sends nothing', async () => {
    await killAt('executed-then-hang', 'POST');
    expect(exchange.account.orders()).toHaveLength(1);
    const after = await restart();
    expect(after.startReport).toMatchObject({ checked: 1, fills: 1 });
    expect(after.result).toEqual({ status: 'filled', duplicate: true });
    expect(after.orders).toEqual([{ id: 'tc-crash-1', status: 'filled', filled: '0.01' }]);
    expect(after.fills).toBe(1);
    expect(exchange.account.orders()).toEqual([{ clientOrderId: 'tc-crash-1', status: 'FILLED', executedQty: 0.01 }]);
  }, 60_000);

  it('not killed: one order, one fill; running the same order again changes nothing', async () => {
    const first = runChild([db, exchange.url, String(T0), 'place', 'tc-crash-1']);
    expect((await first.done).code).toBe(0);
    const after = await restart();
    expect(after.result).toEqual({ status: 'filled', duplicate: true });
    expect(after.orders).toHaveLength(1);
    expect(after.fills).toBe(1);
    expect(exchange.account.orders()).toHaveLength(1);
  }, 60_000);
});
