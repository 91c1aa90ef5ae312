import { loadConfig, readEnvironment } from '../config.js';
import { closeDeps, createDeps, type Deps } from '../deps.js';
import { UserError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { ProcessIo } from '../main.js';

/**
 * Runs one subcommand's work with Deps from the environment (quiet logs on standard error), closes them after,
 * and turns a UserError into its message (and usage) on standard error with exit code 1.
 */
export async function withDeps(io: ProcessIo, label: string, work: (deps: Deps) => Promise<number>): Promise<number> {
  const config = loadConfig(readEnvironment(io.env));
  const deps = await createDeps(config, createLogger({ level: config.logLevel ?? 'warn', pretty: false }));
  try {
    return await work(deps);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    io.stderr.write(`tradeops ${label}: ${error.message}${error.usage ? `\nUsage: ${error.usage}` : ''}\n`);
    return 1;
  } finally {
    await closeDeps(deps);
  }
}
