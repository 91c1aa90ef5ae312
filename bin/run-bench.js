#!/usr/bin/env node
// `npm run bench [name…]`: runs each benchmark script in bench/ (all of them by default) in its own process.
// Benchmarks print figures; they never fail the build, so a script's exit code is reported, not propagated.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../bench/', import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
  .sort();
if (scripts.length === 0) {
  console.error(`no benchmark matches ${wanted.join(', ')}; available: ${readdirSync(dir).filter((f) => f.endsWith('.ts')).join(', ')}`);
  process.exit(2);
}
for (const script of scripts) {
  console.log(`\n=== bench/${script}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${script}`], { stdio: 'inherit' });
  if (run.status !== 0) console.log(`(bench/${script} exited with ${run.status ?? run.signal})`);
}
