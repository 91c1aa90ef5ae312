import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import type { JsonValue, SettingsRepository } from '../store/types.js';
import type { CandleProvenance } from './candle-set.js';

/** Everything needed to reproduce a backtest or an optimisation, stored when it runs. */
export interface RunRecord {
  readonly id: string;
  readonly kind: 'backtest' | 'optimize';
  readonly createdAtMs: number;
  /** Who asked: `cli:user`, `telegram:123`. */
  readonly requestedBy: string;
  readonly strategy: string;
  /** Parsed strategy parameters (backtest) or the searched space (optimize), as given. */
  readonly params: Readonly<Record<string, JsonValue>>;
  /** Engine settings (cash, commission, spread, …) and, for an optimisation, objective, search and seed. */
  readonly settings: Readonly<Record<string, JsonValue>>;
  readonly data: CandleProvenance;
  /** The code that produced it: package version and commit. */
  readonly codeVersion: string;
  /** Headline figures, for listings. */
  readonly summary: Readonly<Record<string, JsonValue>>;
}

const PREFIX = 'run:';

/** A new run id: 10 hex characters. */
export function newRunId(): string {
  return randomBytes(5).toString('hex');
}

/** Stores a run record (in the settings repository, so it works on every store). */
export async function saveRunRecord(settings: SettingsRepository, record: RunRecord): Promise<void> {
  await settings.set(`${PREFIX}${record.id}`, JSON.parse(JSON.stringify(record)) as JsonValue, record.createdAtMs);
}

/** The stored run, or a UserError naming the id. */
export async function loadRunRecord(settings: SettingsRepository, id: string): Promise<RunRecord> {
  const record = await settings.get(`${PREFIX}${id.trim().toLowerCase()}`);
  if (record === undefined) throw new UserError(`There is no stored run "${id}". Run ids are printed with every backtest.`);
  return record as unknown as RunRecord;
}
