import type { Deps } from '../deps.js';
import type { Trading } from '../trading/create-trading.js';
import { applyMarketData, applyTradingBreaker } from './alert-conditions.js';
import { alertBook } from './alerts.js';

/**
 * Raises or resolves the breaker alerts the moment a breaker changes (trading breaker trip/reset, market-data
 * breaker open/close), then wakes the alerts job to post them. Safe on every replica: raising is idempotent and only
 * the leader's alerts job posts. `trading` is absent when trading could not start. Returns the function that stops it.
 */
export function watchForAlerts(deps: Deps, trading: Trading | undefined, wake: (jobName: string) => void): () => void {
  const book = alertBook(deps.store.settings);
  // One change at a time, in order: a trip followed at once by a reset must not resolve before it was raised.
  let queue = Promise.resolve();
  const run = (what: string, work: () => Promise<void>) => {
    queue = queue
      .then(work)
      .then(() => wake('alerts'))
      .catch((error: unknown) => deps.logger.error({ err: error }, `could not record the ${what} alert; the alerts job will catch up`));
  };
  const stops = [
    deps.market.exchange.onBreakerTransition((t) => {
      if (t.to === 'half-open') return;
      const closed = `the ${t.source} market-data breaker closed: the exchange answered its probe`;
      run('market-data breaker', () => applyMarketData(book, t.source, { state: t.to, lastFailure: t.reason, retryAtMs: t.retryAtMs }, t.atMs, closed));
    }),
  ];
  if (trading) {
    stops.push(trading.service.breaker.onTransition((event) => run('trading breaker', () => applyTradingBreaker(book, event.mode, event, event.atMs))));
  }
  return () => stops.forEach((stop) => stop());
}
