#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `tradeops` works right after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signals: process,
});
process.exitCode = code;
// Let stdout drain, then leave even if a library left a handle open.
setTimeout(() => process.exit(code), 50).unref();
