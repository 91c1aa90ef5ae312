import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { JsonValue, SettingsRepository, Store } from '../store/types.js';

/** How urgent an alert is: critical and warning repeat until acknowledged; info is posted once. */
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** What raises an alert: a condition named by its dedup key (one open alert per key). */
export interface NewAlert {
  /** e.g. `trading-breaker:paper`, `market-data:binance`, `risk:drawdown:paper`, `job:daily-report`. */
  readonly dedupKey: string;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly lines: readonly string[];
  /** PAPER or LIVE when the alert concerns trading. */
  readonly badges?: readonly string[];
}

/** An alert as stored (immutable once raised), with who acknowledged it and how it ended. */
export interface Alert extends NewAlert {
  /** Short and typable: `A1F3`. */
  readonly id: string;
  readonly raisedAtMs: number;
  readonly ack: { readonly by: string; readonly atMs: number } | undefined;
  readonly resolved: { readonly atMs: number; readonly detail: string } | undefined;
}

/** What /ack got: done, done before (by whom and when), resolved before anyone acknowledged, or no such alert. */
export type AckResult =
  | { readonly kind: 'ok'; readonly alert: Alert }
  | { readonly kind: 'already'; readonly alert: Alert }
  | { readonly kind: 'resolved'; readonly alert: Alert }
  | { readonly kind: 'unknown'; readonly id: string };

const RECORD = z.object({
  id: z.string(), dedupKey: z.string(), severity: z.enum(['critical', 'warning', 'info']), title: z.string(),
  lines: z.array(z.string()), badges: z.array(z.string()).optional(), raisedAtMs: z.number(),
});
const ACK = z.object({ by: z.string(), atMs: z.number() });
const RESOLVED = z.object({ atMs: z.number(), detail: z.string() });

/** Settings key prefixes of the alert book; every write but the open marker's removal is an insert. */
const PREFIX = { record: 'alert:', open: 'alert-open:', ack: 'alert-ack:', resolved: 'alert-resolved:' } as const;
const alertKeys = {
  record: (id: string) => `${PREFIX.record}${id}`,
  open: (dedupKey: string) => `${PREFIX.open}${dedupKey}`,
  ack: (id: string) => `${PREFIX.ack}${id}`,
  resolved: (id: string) => `${PREFIX.resolved}${id}`,
};

/** The alert book read at once: every stored alert and the open ones, each oldest first. */
export interface AlertView {
  readonly all: readonly Alert[];
  readonly open: readonly Alert[];
}

/** A new alert id: `A` and three hex digits, longer after collisions. */
export function newAlertId(attempt = 0): string {
  const digits = 3 + Math.floor(attempt / 4);
  return `A${randomInt(16 ** digits).toString(16).toUpperCase().padStart(digits, '0')}`;
}

const parsed = <T>(schema: z.ZodType<T>, value: JsonValue | undefined): T | undefined => {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
};

/**
 * The alert book over the settings repository. Written insert-only (setIfAbsent), so replicas never lose an update
 * even where only unique inserts are atomic (FerretDB): `alert-open:<dedupKey>` is the dedup, the first
 * `alert-ack:<id>` wins, `alert-resolved:<id>` closes it and then the open marker is removed.
 */
export function alertBook(settings: SettingsRepository, newId: (attempt: number) => string = newAlertId) {
  const get = async (id: string): Promise<Alert | undefined> => {
    const record = parsed(RECORD, await settings.get(alertKeys.record(id)));
    if (!record) return undefined;
    const [ack, resolved] = await Promise.all([settings.get(alertKeys.ack(id)), settings.get(alertKeys.resolved(id))]);
    return { ...record, ack: parsed(ACK, ack), resolved: parsed(RESOLVED, resolved) };
  };

  /** The open alert of a key; a marker left behind by an interrupted resolve is cleared. */
  const openOf = async (dedupKey: string): Promise<Alert | undefined> => {
    const id = await settings.get(alertKeys.open(dedupKey));
    if (typeof id !== 'string') return undefined;
    const alert = await get(id);
    if (alert && !alert.resolved) return alert;
    await removeMarker(dedupKey, id);
    return undefined;
  };

  // Check-then-delete: a delete by value is not available everywhere; the window is one round trip.
  const removeMarker = async (dedupKey: string, id: string) => {
    if ((await settings.get(alertKeys.open(dedupKey))) === id) await settings.delete(alertKeys.open(dedupKey));
  };

  const insertRecord = async (input: NewAlert, nowMs: number) => {
    for (let attempt = 0; attempt < 16; attempt++) {
      const id = newId(attempt);
      const record = { id, dedupKey: input.dedupKey, severity: input.severity, title: input.title, lines: [...input.lines], badges: [...(input.badges ?? [])], raisedAtMs: nowMs };
      if (await settings.setIfAbsent(alertKeys.record(id), record, nowMs)) return record;
    }
    throw new Error('no free alert id after 16 tries');
  };

  const raise = async (input: NewAlert, nowMs: number, tries = 3): Promise<{ id: string; created: boolean; alert: Alert }> => {
    const existing = await openOf(input.dedupKey);
    if (existing) return { id: existing.id, created: false, alert: existing };
    const record = await insertRecord(input, nowMs);
    if (await settings.setIfAbsent(alertKeys.open(input.dedupKey), record.id, nowMs)) {
      return { id: record.id, created: true, alert: { ...record, ack: undefined, resolved: undefined } };
    }
    // Another replica raised it at the same moment: theirs stands, ours was never visible.
    await settings.delete(alertKeys.record(record.id));
    if (tries <= 1) throw new Error(`alert ${input.dedupKey} keeps being raised and resolved concurrently`);
    return raise(input, nowMs, tries - 1);
  };

  const all = async (): Promise<Alert[]> => {
    const [records, acks, resolved] = await Promise.all([PREFIX.record, PREFIX.ack, PREFIX.resolved].map((p) => settings.list(p)));
    const byId = (rows: typeof records, prefix: string) => new Map(rows!.map(({ key, value }) => [key.slice(prefix.length), value]));
    const [ackOf, resolvedOf] = [byId(acks, PREFIX.ack), byId(resolved, PREFIX.resolved)];
    return records!
      .flatMap(({ value }) => {
        const r = parsed(RECORD, value);
        return r ? [{ ...r, ack: parsed(ACK, ackOf.get(r.id)), resolved: parsed(RESOLVED, resolvedOf.get(r.id)) }] : [];
      })
      .sort((a, b) => a.raisedAtMs - b.raisedAtMs);
  };

  /** Four lists; an open marker left behind by an interrupted resolve is cleared. */
  const view = async (): Promise<AlertView> => {
    // Markers first: a raise inserts its record before its marker, so the record of every marker read is in `all`.
    const markers = await settings.list(PREFIX.open);
    const alerts = await all();
    const byId = new Map(alerts.map((a) => [a.id, a]));
    const open: Alert[] = [];
    for (const { key, value: id } of markers) {
      if (typeof id !== 'string') continue;
      const alert = byId.get(id);
      if (alert && !alert.resolved) open.push(alert);
      else await removeMarker(key.slice(PREFIX.open.length), id);
    }
    return { all: alerts, open: open.sort((a, b) => a.raisedAtMs - b.raisedAtMs) };
  };

  return {
    get,
    /** The open alert of a dedup key, if any. */
    openOf,
    /** Raises an alert unless one with its dedup key is open; `created` false = it was open already. */
    raise: (input: NewAlert, nowMs: number) => raise(input, nowMs),
    /** Resolves the open alert of a dedup key (undefined when none was open). */
    async resolve(dedupKey: string, detail: string, nowMs: number): Promise<Alert | undefined> {
      const alert = await openOf(dedupKey);
      if (!alert) return undefined;
      await settings.setIfAbsent(alertKeys.resolved(alert.id), { atMs: nowMs, detail }, nowMs);
      await removeMarker(dedupKey, alert.id);
      return get(alert.id);
    },
    /** Acknowledges an alert: the first to do so is recorded and shown; repeats stop. */
    async acknowledge(id: string, by: string, nowMs: number): Promise<AckResult> {
      const alert = await get(id.toUpperCase());
      if (!alert) return { kind: 'unknown', id };
      if (alert.ack) return { kind: 'already', alert };
      if (alert.resolved) return { kind: 'resolved', alert };
      const stored = await settings.setIfAbsent(alertKeys.ack(alert.id), { by, atMs: nowMs }, nowMs);
      const after = (await get(alert.id)) ?? alert;
      return { kind: stored ? 'ok' : 'already', alert: after };
    },
    /** Every open alert, oldest first. */
    async open(): Promise<Alert[]> {
      return [...(await view()).open];
    },
    /** Every stored alert (open, acknowledged or resolved), oldest first. */
    all,
    /** Every stored alert and the open ones, read once, for a caller that needs both. */
    view,
    /**
     * Deletes alerts resolved (or orphaned by an interrupted raise) more than `keepMs` ago; returns how many.
     * `read` is a view the caller already has: an alert raised after it is recent, so it cannot be due for pruning.
     */
    async prune(nowMs: number, keepMs: number, read?: AlertView): Promise<number> {
      const { all: alerts, open } = read ?? (await view());
      const openIds = new Set(open.map((a) => a.id));
      let pruned = 0;
      for (const alert of alerts) {
        const endedAtMs = alert.resolved?.atMs ?? (openIds.has(alert.id) ? undefined : alert.raisedAtMs);
        if (endedAtMs === undefined || endedAtMs > nowMs - keepMs) continue;
        await settings.delete(alertKeys.record(alert.id));
        await settings.delete(alertKeys.ack(alert.id));
        await settings.delete(alertKeys.resolved(alert.id));
        pruned++;
      }
      return pruned;
    },
  };
}

/** The alert book's operations. */
export type AlertBook = ReturnType<typeof alertBook>;

/** The dedup key of a job's failure alert. */
export const jobFailureKey = (jobName: string): string => `job:${jobName}`;

/** For the scheduler's onJobFailed hook: one open warning per failing job, however often it fails. */
export function raiseJobFailure(store: Pick<Store, 'settings'>, jobName: string, error: unknown, nowMs: number) {
  const message = error instanceof Error ? error.message : String(error);
  return alertBook(store.settings).raise({
    dedupKey: jobFailureKey(jobName), severity: 'warning', title: `Job ${jobName} failed`,
    lines: [`The ${jobName} job failed: ${message}`, 'It runs again on its schedule; this alert is resolved when it next succeeds.'],
  }, nowMs);
}

/** For the scheduler after a job succeeded: resolves its failure alert, if one is open. */
export function resolveJobFailure(store: Pick<Store, 'settings'>, jobName: string, nowMs: number): Promise<Alert | undefined> {
  return alertBook(store.settings).resolve(jobFailureKey(jobName), `the ${jobName} job ran successfully`, nowMs);
}
