import type { Deps } from '../deps.js';
import { tradingOf } from '../deps.js';
import { TemporaryError, UserError } from '../errors.js';
import type { Trading } from '../trading/create-trading.js';
import type { Decimal } from '../trading/decimal.js';
import type { OrderResult, RestoredExits } from '../trading/order-service.js';
import { protectiveRole } from '../trading/protective-orders.js';
import type { Order } from '../trading/types.js';
import type { CommandContext } from './command.js';
import { formatDuration, formatUtc } from './format.js';
import type { Reply } from './reply.js';

/** A decimal for people: its exact digits (or `places` of them), with thousands separators. */
export function formatDecimal(value: Decimal, places?: number): string {
  const text = places === undefined ? value.toString() : value.toFixed(places);
  const [int = '', frac] = text.replace('-', '').split('.');
  return `${value.isNegative() ? '-' : ''}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac === undefined ? '' : `.${frac}`}`;
}

/** Money in the account currency: two decimals, signed when asked. */
export function formatMoney(value: Decimal, signed = false): string {
  return `${signed && value.isPositive() ? '+' : ''}${formatDecimal(value, 2)}`;
}

/** Who asked, as the ledger records it. */
export const requester = (ctx: CommandContext): string => `${ctx.caller.platform}:${ctx.caller.userId}`;

/** A client order id derived from the chat request, so a retried delivery of one request never orders twice. */
export const clientOrderIdFor = (ctx: CommandContext, suffix = ''): string => `tc-${ctx.requestId.replace(/-/g, '').slice(0, 20)}${suffix}`;

/** An error the command runner maps to a reply (UserError, TemporaryError), carrying the badges that reply keeps. */
export type BadgedError = Error & { readonly badges?: readonly string[] };

const badged = <E extends Error>(error: E, badges: readonly string[]): E & BadgedError => Object.assign(error, { badges });

/**
 * Runs a trading command with the trading stack of `deps`. A user mistake or a passing outage is rethrown as a new
 * error carrying the PAPER/LIVE badge, so the runner answers and records it as for any command and its reply keeps
 * the badge. The caught error is never marked: a quote fetch is shared by concurrent requests, so the same error
 * object may also reach a reply that is no trading reply (/price).
 */
export async function withTrading(deps: Deps, run: (t: Trading) => Promise<Reply>): Promise<Reply> {
  const t = await tradingOf(deps);
  try {
    const reply = await run(t);
    return { ...reply, badges: [t.service.badge, ...(reply.badges ?? [])] };
  } catch (error) {
    const badges = [t.service.badge];
    if (error instanceof UserError) throw badged(new UserError(error.message, error.usage, { cause: error }), badges);
    if (error instanceof TemporaryError) {
      throw badged(new TemporaryError(error.reason, error.retryAfterMs, { cause: error, sayWhen: error.saysWhen }), badges);
    }
    throw error;
  }
}

/** One order as a line: side, amount, symbol, type and price, status and fill. */
export function describeOrder(o: Order): string {
  // The type already says "limit" or "stop"; the price follows it once ("stop 1800", not "stop stop 1800").
  const price = o.limitPrice ? ` ${o.type === 'limit' ? '' : 'limit '}${formatDecimal(o.limitPrice)}` : o.stopPrice ? ` ${o.type === 'stop' ? '' : 'stop '}${formatDecimal(o.stopPrice)}` : '';
  const fill = o.averagePrice ? `, filled ${formatDecimal(o.filledAmount)} at avg ${formatDecimal(o.averagePrice)} ${o.quote}` : '';
  return `${o.side} ${formatDecimal(o.amount)} ${o.symbol} ${o.type}${price}: ${o.status}${fill}${o.reason ? ` (${o.reason})` : ''}`;
}

/** The reply to a placed or refused order. */
export function orderReply(result: OrderResult): Reply {
  if (result.kind === 'refused') {
    const r = result.refusal;
    return {
      level: 'error',
      title: 'Order refused',
      lines: [`Refused by ${r.rule}: ${r.message}.`, `Limit: ${r.limit} · current: ${r.current || '—'}`, ...restoredLines(result.restored)],
    };
  }
  const o = result.order;
  const fees = result.fills.reduce<Decimal | undefined>((sum, f) => (sum ? sum.plus(f.feeAmount) : f.feeAmount), undefined);
  const title = o.status === 'filled' ? `${o.side === 'buy' ? 'Bought' : 'Sold'} ${formatDecimal(o.filledAmount)} ${o.base}` : `Order ${o.status}`;
  return {
    level: o.status === 'rejected' ? 'error' : 'success',
    title,
    lines: [
      describeOrder(o),
      ...result.fills.map((f) => `Fill ${formatDecimal(f.amount)} ${o.base} at ${formatDecimal(f.price)} ${o.quote}, fee ${formatDecimal(f.feeAmount)} ${f.feeAsset}`),
      ...(fees && result.fills.length > 1 ? [`Fees: ${formatDecimal(fees)} ${o.quote}`] : []),
      `Order id: ${o.clientOrderId}`,
      ...protectiveLines(result),
      ...restoredLines(result.restored),
      ...(result.duplicate ? ['This request was already placed; this is the stored order, nothing new was sent.'] : []),
    ],
  };
}

/** The entry's stop-loss and take-profit: placed (with ids), failed, or waiting for the entry to fill. */
function protectiveLines(result: Extract<OrderResult, { kind: 'placed' }>): string[] {
  const o = result.order;
  const asked = [o.stopLossPrice && `stop-loss ${formatDecimal(o.stopLossPrice)}`, o.takeProfitPrice && `take-profit ${formatDecimal(o.takeProfitPrice)}`].filter(Boolean);
  if (asked.length === 0) return [];
  const placed = result.protective?.orders ?? [];
  const failed = result.protective?.failed ?? [];
  if (placed.length === 0 && failed.length === 0) return [`Protective orders (${asked.join(', ')}) will be placed when it fills${asked.length === 2 ? ', one cancelling the other' : ''}.`];
  return [
    ...placed.map((p) => `${protectiveRole(p) === 'stop-loss' ? 'Stop-loss' : 'Take-profit'}: ${describeOrder(p)} · id ${p.clientOrderId}`),
    ...failed.map((f) => `Protective order ${f.clientOrderId} not placed: ${f.reason}`),
    ...(placed.length === 2 ? ['When one fills, the other is cancelled; closing the position cancels both.'] : []),
  ];
}

/** After a sell by hand that did not sell: the protective exits placed again, or not. */
function restoredLines(restored: RestoredExits | undefined): string[] {
  if (!restored) return [];
  return [
    ...restored.orders.map((p) => `Protection placed again: ${describeOrder(p)} · id ${p.clientOrderId}`),
    ...restored.failed.map((f) => `Protective order ${f.clientOrderId} could NOT be placed again (${f.reason}): the position is unprotected.`),
  ];
}

/** One order as a table row for /orders. */
export function orderRow(o: Order): string[] {
  return [
    o.clientOrderId, formatUtc(o.createdAtMs), o.side, o.symbol, protectiveRole(o) ? `${o.type} (${protectiveRole(o)})` : o.type, formatDecimal(o.amount),
    o.limitPrice ? formatDecimal(o.limitPrice) : o.stopPrice ? `stop ${formatDecimal(o.stopPrice)}` : 'market',
    formatDecimal(o.filledAmount), o.status,
  ];
}

/** The age of a mark note `source @ sourceTimeMs`, as `binance, 2s`; the note itself when it is not one. */
export function describeMark(markNote: string, nowMs: number): string {
  const m = /^(.+) @ (\d+)$/.exec(markNote);
  return m ? `${m[1]}, ${formatDuration(Math.max(0, nowMs - Number(m[2])))} old` : markNote;
}
