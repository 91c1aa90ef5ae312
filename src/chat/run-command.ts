import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Deps } from '../deps.js';
import { TemporaryError, UserError, withRetryHint } from '../errors.js';
import type { AuditOutcome } from '../store/types.js';
import type { Command, CommandContext } from './command.js';
import { parseCommandLine, truncate, type ParsedCommand } from './parse.js';
import type { Reply } from './reply.js';
import { createRateLimiter } from './rate-limit.js';
import { allows, roleOf, type Caller } from './roles.js';
import type { BadgedError } from './trading-replies.js';

/** Runs command lines from any transport: parse, authorize, validate, run, audit, and turn every failure into a Reply. */
export interface CommandRunner {
  readonly commands: readonly Command[];
  run(input: string, caller: Caller, options?: { progress?: (text: string) => void }): Promise<Reply>;
  /** Stops taking new commands; running ones go on. */
  close(): void;
  /** Resolves when every running command has finished. */
  drain(): Promise<void>;
  readonly inFlight: number;
}

/** Builds the argument object a command's schema validates, from positional words and `key=value` options. */
export function argumentsFor(command: Command, parsed: ParsedCommand): Record<string, unknown> {
  const args: Record<string, unknown> = { ...parsed.named };
  const names = command.positional;
  const rest = names.at(-1)?.endsWith('...') ? names.at(-1)!.slice(0, -3) : undefined;
  const fixed = rest === undefined ? names : names.slice(0, -1);
  if (rest === undefined && parsed.positional.length > fixed.length) {
    const extra = parsed.positional.slice(fixed.length).map((w) => `"${truncate(w, 20)}"`).join(', ');
    throw new UserError(`Too many arguments: ${extra}.`, command.usage);
  }
  fixed.forEach((name, i) => {
    const value = parsed.positional[i];
    if (value === undefined) return;
    if (name in args) throw new UserError(`${name} is given twice (as a word and as ${name}=).`, command.usage);
    args[name] = value;
  });
  if (rest !== undefined) args[rest] = parsed.positional.slice(fixed.length);
  return args;
}

/** Turns a zod error into one line a user can act on. */
export function describeInvalidArguments(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return `${where}${issue.message}${more}`;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The badges (PAPER, LIVE …) an error carries for its reply, e.g. from a trading command. */
function badgesOf({ badges }: BadgedError): Pick<Reply, 'badges'> {
  return badges && badges.length > 0 ? { badges } : {};
}

function unknownCommand(name: string, commands: readonly Command[]): Reply {
  const near = commands
    .map((c) => ({ c, d: levenshtein(name, c.name) }))
    .filter(({ d }) => d <= 2)
    .sort((x, y) => x.d - y.d)[0];
  const hint = near ? ` Did you mean /${near.c.name}?` : '';
  return { level: 'error', lines: [`Unknown command /${truncate(name, 32)}.${hint} Type /help for the list.`], outcome: 'user_error' };
}

/** Creates the runner over a registry; `deps` gives it the store for auditing, the clock and the logger. */
export function createCommandRunner(commands: readonly Command[], deps: Deps): CommandRunner {
  const byName = new Map(commands.map((c) => [c.name, c]));
  const running = new Set<Promise<Reply>>();
  const controller = new AbortController();
  const limiter = createRateLimiter(deps.config.rateLimitPerMinute);
  let closed = false;

  async function audit(command: Command, caller: Caller, input: string, requestId: string, outcome: AuditOutcome, detail?: string) {
    if (!command.changesState && outcome !== 'denied') return;
    try {
      await deps.store.audit.append({
        atMs: deps.clock.now(),
        requestId,
        platform: caller.platform,
        userId: caller.userId,
        userName: caller.userName,
        chatId: caller.chatId,
        command: command.name,
        input: truncate(input, 500),
        outcome,
        detail: detail === undefined ? undefined : truncate(detail, 500),
      });
    } catch (error) {
      deps.logger.error({ err: error, requestId }, 'could not write the audit log');
    }
  }

  async function execute(input: string, caller: Caller, progress: (text: string) => void): Promise<Reply> {
    const requestId = randomUUID();
    const ref = requestId.slice(0, 8);
    const local = caller.platform === 'console' || caller.platform === 'cli';
    const waitMs = local ? 0 : limiter.take(`${caller.platform}:${caller.userId}`, deps.clock.now());
    if (waitMs > 0) {
      return { level: 'warning', lines: [`Slow down: you can send another command in ${Math.ceil(waitMs / 1000)} s.`], outcome: 'user_error', requestId };
    }
    const log = deps.logger.child({ requestId, platform: caller.platform, userId: caller.userId });
    let parsed: ParsedCommand;
    try {
      parsed = parseCommandLine(input);
    } catch (error) {
      return { level: 'error', lines: [(error as Error).message], outcome: 'user_error', requestId };
    }
    const command = byName.get(parsed.name);
    if (!command) return { ...unknownCommand(parsed.name, commands), requestId };
    const role = roleOf(caller, deps.config.grants);
    if (!allows(role, command.role)) {
      const reason = `/${command.name} needs the ${command.role} role; you have ${role ? `the ${role} role` : 'no role'}.`;
      await audit(command, caller, input, requestId, 'denied', reason);
      log.warn({ command: command.name, role }, 'command denied');
      return {
        level: 'error',
        lines: [`Sorry, ${reason} Ask an admin to grant it to ${caller.platform}:${caller.userId} (see /whoami).`],
        outcome: 'denied',
        requestId,
      };
    }
    const started = performance.now();
    let outcome: AuditOutcome = 'ok';
    let reply: Reply;
    try {
      const parsedArgs = command.args.safeParse(argumentsFor(command, parsed));
      if (!parsedArgs.success) throw new UserError(describeInvalidArguments(parsedArgs.error), command.usage);
      const ctx: CommandContext = {
        caller,
        role,
        requestId,
        log: log.child({ command: command.name }),
        nowMs: deps.clock.now(),
        commands,
        progress,
        signal: controller.signal,
      };
      reply = await command.run(parsedArgs.data, deps, ctx);
      if (reply.level === 'error') outcome = 'user_error';
    } catch (error) {
      if (error instanceof UserError) {
        outcome = 'user_error';
        reply = { level: 'error', lines: [error.message], ...(error.usage ? { usage: error.usage } : {}), ...badgesOf(error) };
      } else if (error instanceof TemporaryError) {
        outcome = 'temporary_error';
        // Messages from the market layer already say when to retry; say it once.
        const text = error.saysWhen ? error.message : withRetryHint(error.message, error.retryAfterMs);
        reply = { level: 'warning', lines: [text], ...badgesOf(error) };
      } else {
        outcome = 'internal_error';
        log.error({ err: error, command: command.name, ref }, 'command failed');
        reply = { level: 'error', lines: [`Internal error (ref ${ref}). It has been logged; please try again or tell an admin.`] };
      }
    }
    log.info({ command: command.name, outcome, ms: Math.round(performance.now() - started) }, 'command done');
    await audit(command, caller, input, requestId, outcome, outcome === 'ok' ? reply.title : reply.lines[0]);
    return { ...reply, outcome, requestId };
  }

  /** Counts a finished command in the metrics, under `unknown` when it is not in the registry (bounded labels). */
  function measure(input: string, outcome: string, startedMs: number): void {
    const name = /^\/?([a-z][a-z0-9_]*)/i.exec(input.trim())?.[1]?.toLowerCase();
    deps.metrics.commandFinished(name !== undefined && byName.has(name) ? name : 'unknown', outcome, performance.now() - startedMs);
  }

  return {
    commands,
    get inFlight() {
      return running.size;
    },
    run(input, caller, options = {}) {
      if (closed) {
        return Promise.resolve({ level: 'warning', lines: ['The bot is shutting down; try again in a moment.'], outcome: 'temporary_error' });
      }
      const startedMs = performance.now();
      const promise = execute(input, caller, options.progress ?? (() => undefined)).then(
        (reply) => {
          measure(input, reply.outcome ?? 'ok', startedMs);
          return reply;
        },
        (error: unknown) => {
          measure(input, 'internal_error', startedMs);
          throw error;
        },
      );
      running.add(promise);
      void promise.finally(() => running.delete(promise));
      return promise;
    },
    close() {
      closed = true;
    },
    async drain() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
