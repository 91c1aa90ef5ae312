import type { Logger } from '../logger.js';
import type { Lease, LeaseRepository, Store } from '../store/types.js';
import type { JobRecords } from './job-records.js';

/** The name of the one lease whose holder runs the scheduled jobs. */
export const SCHEDULER_LEASE = 'scheduler';

/** True when `holder` holds the scheduler lease at `nowMs`, as the store says (what a sender checks before each send). */
export async function holdsLeadership(store: Pick<Store, 'leases'>, holder: string, nowMs: number): Promise<boolean> {
  const lease = await store.leases.get(SCHEDULER_LEASE);
  return lease !== undefined && lease.holder === holder && lease.expiresAtMs > nowMs;
}

/**
 * This replica's claim on the scheduler lease. One lease for all jobs, held and renewed (not taken per run), because
 * on MongoDB every change of hands inserts a new generation.
 */
export class Leadership {
  private lease: Lease | undefined;
  /** The lease as last read from the store, whoever holds it. */
  private seen: Lease | undefined;

  constructor(
    private readonly leases: LeaseRepository,
    readonly holder: string,
    private readonly ttlMs: number,
    private readonly logger: Logger,
  ) {}

  /** True while this replica believes it holds the lease at `nowMs` (it renews well before expiry). */
  holds(nowMs: number): boolean {
    return this.lease !== undefined && this.lease.expiresAtMs > nowMs;
  }

  /** Renews the lease, or takes it when free or expired. Returns true when this replica just became leader. */
  async claim(nowMs: number): Promise<boolean> {
    const was = this.holds(nowMs);
    this.lease = await this.leases.acquire(SCHEDULER_LEASE, this.holder, this.ttlMs, nowMs);
    this.seen = this.lease ?? (await this.leases.get(SCHEDULER_LEASE));
    if (was && !this.lease) this.logger.warn({ holder: this.seen?.holder }, 'scheduler leadership lost');
    if (!was && this.lease) this.logger.info({ fencingToken: this.lease.fencingToken }, 'scheduler leadership taken: this replica runs the jobs');
    return !was && this.lease !== undefined;
  }

  /** Renews a held lease now; false (and leadership dropped) when it was lost or is not held. */
  async confirm(nowMs: number): Promise<boolean> {
    if (!this.holds(nowMs)) {
      if (this.lease) this.logger.warn('scheduler leadership expired before it was renewed');
      this.lease = undefined;
      return false;
    }
    this.lease = await this.leases.renew(SCHEDULER_LEASE, this.holder, this.ttlMs, nowMs);
    if (!this.lease) this.logger.warn('scheduler leadership lost');
    this.seen = this.lease ?? this.seen;
    return this.lease !== undefined;
  }

  /** Gives the lease up (at shutdown) so another replica takes over at once instead of after the expiry. */
  async release(): Promise<void> {
    if (!this.lease) return;
    this.lease = undefined;
    await this.leases.release(SCHEDULER_LEASE, this.holder);
  }

  /** Who leads, as far as this replica last saw. */
  view(nowMs: number): { readonly self: boolean; readonly holder: string | undefined; readonly expiresAtMs: number | undefined } {
    const lease = this.holds(nowMs) ? this.lease : this.seen && this.seen.expiresAtMs > nowMs ? this.seen : undefined;
    return { self: this.holds(nowMs), holder: lease?.holder, expiresAtMs: lease?.expiresAtMs };
  }
}

/** Splits node-cron's coordination key `<job name>:<slot ISO time>`. */
export function parseSlotKey(key: string): { readonly name: string; readonly slotMs: number } {
  const at = key.indexOf(':');
  const slotMs = Date.parse(key.slice(at + 1));
  if (at < 0 || !Number.isFinite(slotMs)) throw new Error(`unexpected node-cron coordination key "${key}"`);
  return { name: key.slice(0, at), slotMs };
}

/** Decides whether a scheduled slot of a job runs here, and records it done. */
export interface SlotGate {
  /** True when this replica holds the scheduler lease (renewed now) and no replica completed the slot yet. */
  allow(name: string, slotMs: number, nowMs: number): Promise<boolean>;
  /** Records the slot completed (after the run, failed or not), so a replica that becomes leader right after skips it. */
  complete(name: string, slotMs: number, nowMs: number): Promise<void>;
}

/** The slot gate over the store: the scheduler lease, and the per-job last completed slot. */
export function slotGate(leadership: Leadership, records: JobRecords): SlotGate {
  return {
    async allow(name, slotMs, nowMs) {
      if (!(await leadership.confirm(nowMs))) return false;
      const lastSlotMs = await records.lastSlotMs(name);
      return lastSlotMs === undefined || lastSlotMs < slotMs;
    },
    complete: (name, slotMs, nowMs) => records.completeSlot(name, slotMs, nowMs),
  };
}
