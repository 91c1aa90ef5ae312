import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.js';

/** Runs `tradeops ARGS` in-process with its own streams and environment; resolves with the exit code and output. */
export async function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(args, { env, stdin: new PassThrough(), stdout, stderr, signals: new EventEmitter() });
  return { code, out, err };
}
