import type { OrderState, OrderStatus } from './types.js';

/** States in which an order may still fill: the ones reconcile asks the broker about. */
export const ACTIVE_STATUSES: readonly OrderStatus[] = ['new', 'open', 'partially_filled'];

/** States an order never leaves. */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['filled', 'cancelled', 'rejected', 'expired'];

const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  new: ['open', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'],
  open: ['partially_filled', 'filled', 'cancelled', 'rejected', 'expired'],
  partially_filled: ['partially_filled', 'filled', 'cancelled', 'expired'],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

/** True when an order in `status` can no longer change. */
export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * Why moving from `from` to `to` is not allowed, or undefined when it is. Filled amounts only grow, and a
 * partial fill may follow a partial fill only when more has filled.
 */
export function transitionProblem(from: OrderState, to: OrderState): string | undefined {
  if (!NEXT[from.status].includes(to.status)) return `an order cannot go from ${from.status} to ${to.status}`;
  if (to.filledAmount.lt(from.filledAmount)) {
    return `filled amount cannot shrink (${from.filledAmount.toString()} → ${to.filledAmount.toString()})`;
  }
  if (from.status === 'partially_filled' && to.status === 'partially_filled' && to.filledAmount.eq(from.filledAmount)) {
    return 'nothing new filled';
  }
  return undefined;
}

/** True when `next` says something `current` does not (a new status or more filled). */
export function isNews(current: OrderState, next: OrderState): boolean {
  return current.status !== next.status || !current.filledAmount.eq(next.filledAmount);
}
