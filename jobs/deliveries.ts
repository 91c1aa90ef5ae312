import { defineJob } from '../src/ops/job.js';
import { sendDueDeliveries } from '../src/ops/delivery-sender.js';

/** Sends the recorded reports, alerts and watch posts that are due; failures retry with backoff until delivered or expired. */
export const deliveries = defineJob({
  name: 'deliveries',
  summary: 'Sends recorded reports, alerts and watch posts; retries failures with backoff until delivered or expired.',
  schedule: '*/5 * * * * *',
  async run(deps, nowMs) {
    const round = await sendDueDeliveries(deps, deps.notifier, nowMs);
    const parts = [
      `${round.delivered} delivered`,
      round.retrying ? `${round.retrying} to retry` : '',
      round.expired ? `${round.expired} given up` : '',
      round.deferred ? `${round.deferred} waiting behind older ones` : '',
      round.lostLeadership ? 'stopped: no longer the leader' : '',
    ];
    return { summary: parts.filter(Boolean).join(', ') };
  },
});
