import { redactUrl } from '../config.js';
import type { Store } from './types.js';

/** The store could not be opened; the message names DATABASE_URL and what to check. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** Options for opening the store named by DATABASE_URL. */
export interface OpenStoreOptions {
  readonly databaseUrl: string;
  readonly mongoServerSelectionTimeoutMs: number;
}

/** Opens the store that DATABASE_URL's scheme names: `sqlite:PATH` or `mongodb://` / `mongodb+srv://`. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const location = redactUrl(options.databaseUrl);
  if (options.databaseUrl.startsWith('sqlite:')) {
    const path = options.databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new StoreUnavailableError('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/tradeops.db');
    const { createSqliteStore } = await import('./sqlite.js');
    try {
      return createSqliteStore(path, location);
    } catch (error) {
      throw new StoreUnavailableError(
        `cannot open the SQLite database of DATABASE_URL=${location}: ${(error as Error).message}`,
      );
    }
  }
  const { createMongoStore } = await import('./mongo.js');
  try {
    return await createMongoStore({
      url: options.databaseUrl,
      location,
      serverSelectionTimeoutMs: options.mongoServerSelectionTimeoutMs,
    });
  } catch (error) {
    throw new StoreUnavailableError(
      `cannot reach MongoDB at DATABASE_URL=${location} within ${options.mongoServerSelectionTimeoutMs} ms: ` +
        `${(error as Error).message}. Check that the server runs and the URL is right.`,
    );
  }
}
