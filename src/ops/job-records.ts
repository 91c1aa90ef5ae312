import type { JsonValue, SettingsRepository } from '../store/types.js';
import type { JobStatus } from './job.js';

/** How one job run ended, as kept in settings so every replica's /status can show it. */
export type JobRun = NonNullable<JobStatus['lastRun']> & { readonly by: string };

const RUN_PREFIX = 'job-run:';
const SLOT_PREFIX = 'job-slot:';

function toRun(value: JsonValue | undefined): JobRun | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, JsonValue>;
  if (typeof v.atMs !== 'number' || (v.outcome !== 'ok' && v.outcome !== 'failed')) return undefined;
  return { atMs: v.atMs, outcome: v.outcome, durationMs: Number(v.durationMs ?? 0), detail: String(v.detail ?? ''), by: String(v.by ?? '') };
}

/** The per-job records the scheduler keeps in the settings repository: the last run, and the last completed slot. */
export function jobRecordsIn(settings: SettingsRepository) {
  return {
    /** Records a finished run under `job-run:<name>`. */
    putRun(name: string, run: JobRun): Promise<void> {
      return settings.set(`${RUN_PREFIX}${name}`, { ...run }, run.atMs);
    },
    /** The last recorded run of every job, by job name. */
    async runs(): Promise<Map<string, JobRun>> {
      const rows = await settings.list(RUN_PREFIX);
      const out = new Map<string, JobRun>();
      for (const { key, value } of rows) {
        const run = toRun(value);
        if (run) out.set(key.slice(RUN_PREFIX.length), run);
      }
      return out;
    },
    /** The latest scheduled slot (epoch ms) a run of `name` completed, on any replica. */
    async lastSlotMs(name: string): Promise<number | undefined> {
      const value = await settings.get(`${SLOT_PREFIX}${name}`);
      const slotMs = value !== null && typeof value === 'object' && !Array.isArray(value) ? value.slotMs : undefined;
      return typeof slotMs === 'number' ? slotMs : undefined;
    },
    /** Marks the slot of `name` completed, so a replica that becomes leader right after does not run it again. */
    completeSlot(name: string, slotMs: number, nowMs: number): Promise<void> {
      return settings.set(`${SLOT_PREFIX}${name}`, { slotMs }, nowMs);
    },
  };
}

/** The job records' operations. */
export type JobRecords = ReturnType<typeof jobRecordsIn>;
