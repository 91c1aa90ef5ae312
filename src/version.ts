import { readFileSync } from 'node:fs';

/** The package version from package.json, read once. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The commit this code was built from, when it can be read (a git checkout, or TRADEOPS_COMMIT in an image). */
function commit(): string | undefined {
  if (process.env.TRADEOPS_COMMIT) return process.env.TRADEOPS_COMMIT;
  try {
    const gitDir = new URL('../.git/', import.meta.url);
    const head = readFileSync(new URL('HEAD', gitDir), 'utf8').trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    return ref ? readFileSync(new URL(ref, gitDir), 'utf8').trim() : head;
  } catch {
    return undefined;
  }
}

/** Package version and commit, e.g. `0.1.0+3f2a9c1d0e4b`: recorded with every backtest so results can be traced. */
export const CODE_VERSION: string = (() => {
  const sha = commit();
  return sha ? `${VERSION}+${sha.slice(0, 12)}` : VERSION;
})();
