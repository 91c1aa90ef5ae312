import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/tradeops.js', import.meta.url));

/** Runs the real `tradeops` binary in a fresh folder with only the given environment. */
function tradeops(args: string[], env: Record<string, string> = {}, input?: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'tradeops-cli-'));
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH!, HOME: cwd, ...env },
    timeout: 20_000,
  });
  return { ...result, cwd };
}

describe('tradeops command line', () => {
  it('chat "/status" prints the status and exits 0, creating the SQLite store on first use', () => {
    const run = tradeops(['chat', '/status']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^tradeops \d+\.\d+\.\d+/);
    expect(run.stdout).toMatch(/Store: sqlite at sqlite:\.\/data\/tradeops\.db: healthy/);
    expect(run.stdout).toMatch(/Adapters: cli/);
    expect(run.stderr).toBe('');
    expect(existsSync(join(run.cwd, 'data', 'tradeops.db'))).toBe(true);
  });

  it('chat --json prints the Reply object', () => {
    const run = tradeops(['chat', '/help status', '--json']);
    expect(run.status).toBe(0);
    const reply = JSON.parse(run.stdout);
    expect(reply).toMatchObject({ level: 'info', title: '/status: Show the bot version, uptime, storage health and adapters.', outcome: 'ok' });
    expect(reply.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('chat exits 1 with a one-line explanation and the usage on a user error', () => {
    const run = tradeops(['chat', '/help a b']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('✗ Too many arguments: "b".\nUsage: /help [COMMAND]\n');
    expect(tradeops(['chat', '/nosuch']).status).toBe(1);
  });

  it('invalid configuration: every problem at once, exit 2, no stack trace', () => {
    const run = tradeops(['chat', '/status'], { DATABASE_URL: 'postgres://db', CONSOLE: 'maybe', ADMIN_USERS: 'x' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/Invalid configuration/);
    expect(run.stderr).toMatch(/DATABASE_URL/);
    expect(run.stderr).toMatch(/CONSOLE/);
    expect(run.stderr).toMatch(/ADMIN_USERS/);
    expect(run.stderr).not.toMatch(/\s+at .*\.(ts|js):\d+/);
  });

  it('reads a .env file; real environment variables win over it', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tradeops-env-'));
    spawnSync('sh', ['-c', "printf 'DATABASE_URL=sqlite:./from-dotenv.db\\nCONSOLE=bogus\\n' > .env"], { cwd });
    const base = { cwd, encoding: 'utf8' as const, timeout: 20_000 };
    const bad = spawnSync(process.execPath, [BIN, 'chat', '/status'], { ...base, env: { PATH: process.env.PATH! } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/CONSOLE \(got "bogus"\)/);
    const good = spawnSync(process.execPath, [BIN, 'chat', '/status'], { ...base, env: { PATH: process.env.PATH!, CONSOLE: 'auto' } });
    expect(good.stdout).toMatch(/sqlite:\.\/from-dotenv\.db/);
  });

  it('an unreachable store: a clear message naming DATABASE_URL, exit 2', () => {
    const run = tradeops(['chat', '/status'], { DATABASE_URL: 'mongodb://127.0.0.1:1/x', MONGODB_SERVER_SELECTION_TIMEOUT_MS: '300' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^tradeops: cannot reach MongoDB at DATABASE_URL=mongodb:\/\/127\.0\.0\.1:1\/x/);
    expect(run.stderr).not.toMatch(/\s+at .*\.(ts|js):\d+/);
  });

  it('--help works on the program and on every subcommand', () => {
    for (const args of [['--help'], ['help'], ['start', '--help'], ['chat', '--help'], ['help', 'chat']]) {
      const run = tradeops(args);
      expect(run.status, args.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/Usage: tradeops/);
    }
    const unknown = tradeops(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('start answers piped console input line by line, then stops cleanly', () => {
    const run = tradeops(['start'], {}, '/help\n\n/whoami\n/status\n');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\/status\s+Show the bot version/);
    expect(run.stdout).toMatch(/Role: admin/);
    expect(run.stdout).toMatch(/Adapters: console/);
    expect(run.stderr).toMatch(/tradeops stopped/);
  });
});

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}: stops taking commands, closes the store, exits 0`, async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'tradeops-signal-'));
      const child = spawn(process.execPath, [BIN, 'start'], {
        cwd,
        env: { PATH: process.env.PATH!, LOG_LEVEL: 'info' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.stdin.write('/status\n');
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no reply; stderr: ${stderr}`)), 15_000);
        const check = setInterval(() => {
          if (stdout.includes('Adapters: console')) (clearInterval(check), clearTimeout(deadline), resolve());
        }, 20);
      });
      const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill(signal);
      expect(await exit).toBe(0);
      expect(stderr).toMatch(/shutting down/);
      expect(stderr).toMatch(/tradeops stopped/);
      // better-sqlite3 checkpoints and removes the WAL file when the database is closed cleanly.
      expect(existsSync(join(cwd, 'data', 'tradeops.db'))).toBe(true);
      expect(existsSync(join(cwd, 'data', 'tradeops.db-wal'))).toBe(false);
    });
  }
});
