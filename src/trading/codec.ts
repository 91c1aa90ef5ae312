import type { BrokerFill, BrokerOrder } from './broker.js';
import { Decimal } from './decimal.js';

/** Decimal text to Decimal; null and undefined stay undefined. */
export function optionalDecimal(text: string | null | undefined): Decimal | undefined {
  return text === null || text === undefined ? undefined : Decimal.parse(text);
}

/** Decimal to text for storage; undefined becomes null. */
export function decimalText(value: Decimal | undefined): string | null {
  return value === undefined ? null : value.toString();
}

type StoredFill = Omit<BrokerFill, 'amount' | 'price' | 'feeAmount'> & { amount: string; price: string; feeAmount: string };

/** A broker order as plain JSON-safe data: decimals as strings, absent values as null. */
export type StoredBrokerOrder = Omit<
  BrokerOrder,
  'amount' | 'limitPrice' | 'stopPrice' | 'expiresAtMs' | 'filledAmount' | 'averagePrice' | 'reason' | 'fills'
> & {
  amount: string;
  limitPrice: string | null;
  stopPrice: string | null;
  expiresAtMs: number | null;
  filledAmount: string;
  averagePrice: string | null;
  reason: string | null;
  fills: StoredFill[];
};

/** Encodes a broker order for storage (JSON or a document). */
export function encodeBrokerOrder(order: BrokerOrder): StoredBrokerOrder {
  return {
    ...order,
    amount: order.amount.toString(),
    limitPrice: decimalText(order.limitPrice),
    stopPrice: decimalText(order.stopPrice),
    expiresAtMs: order.expiresAtMs ?? null,
    ...(order.ocoGroup ? { ocoGroup: order.ocoGroup } : {}),
    filledAmount: order.filledAmount.toString(),
    averagePrice: decimalText(order.averagePrice),
    reason: order.reason ?? null,
    fills: order.fills.map((f) => ({ ...f, amount: f.amount.toString(), price: f.price.toString(), feeAmount: f.feeAmount.toString() })),
  };
}

/** Decodes what {@link encodeBrokerOrder} stored. */
export function decodeBrokerOrder(s: StoredBrokerOrder): BrokerOrder {
  return {
    clientOrderId: s.clientOrderId,
    brokerOrderId: s.brokerOrderId,
    symbol: s.symbol,
    base: s.base,
    quote: s.quote,
    side: s.side,
    type: s.type,
    amount: Decimal.parse(s.amount),
    limitPrice: optionalDecimal(s.limitPrice),
    stopPrice: optionalDecimal(s.stopPrice),
    expiresAtMs: s.expiresAtMs ?? undefined,
    ...(s.ocoGroup ? { ocoGroup: s.ocoGroup } : {}),
    status: s.status,
    filledAmount: Decimal.parse(s.filledAmount),
    averagePrice: optionalDecimal(s.averagePrice),
    fills: s.fills.map((f) => ({
      fillId: f.fillId,
      amount: Decimal.parse(f.amount),
      price: Decimal.parse(f.price),
      feeAmount: Decimal.parse(f.feeAmount),
      feeAsset: f.feeAsset,
      atMs: f.atMs,
    })),
    reason: s.reason ?? undefined,
    createdAtMs: s.createdAtMs,
    updatedAtMs: s.updatedAtMs,
  };
}
