import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SCANNED = ['src', 'commands', 'jobs'];
const FORBIDDEN = /Math\.random|\b(?:mock|fake|dummy)/i;

/** Every source file under `dir`, recursively (missing folders are simply empty). */
function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(ts|js|mjs|cjs|json)$/.test(name) ? [path] : [];
  });
}

it('no production code invents numbers: no Math.random, mock, fake or dummy outside files named *synthetic*', () => {
  const offenders: string[] = [];
  for (const file of SCANNED.flatMap((d) => filesUnder(join(ROOT, d)))) {
    if (basename(file).toLowerCase().includes('synthetic')) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const hit = FORBIDDEN.exec(line);
        if (hit) offenders.push(`${relative(ROOT, file)}:${i + 1}: "${hit[0]}" in ${line.trim().slice(0, 100)}`);
      });
  }
  expect(offenders, `fabricated-data markers found:\n${offenders.join('\n')}`).toEqual([]);
});
