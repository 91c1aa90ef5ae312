import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Notifier } from './notifier.js';
import { renderText } from './render-text.js';
import type { CommandRunner } from './run-command.js';
import type { Caller } from './roles.js';

/** The terminal transport: a prompt where the local user (an admin) types commands. */
export interface ConsoleAdapter {
  /** Resolves when the input ends (Ctrl-D, end of a piped file) or stop() is called. */
  readonly finished: Promise<void>;
  stop(): void;
}

/** The caller for commands typed at this machine's terminal. */
export function localCaller(platform: 'console' | 'cli'): Caller {
  const name = userInfo().username;
  return { platform, userId: name, userName: name, chatId: 'local' };
}

/**
 * Starts the console adapter. On a terminal it shows a prompt; with piped input it answers each line in order
 * and finishes at the end of the input.
 */
export function startConsole(runner: CommandRunner, io: { input: Readable; output: Writable; interactive: boolean }): ConsoleAdapter {
  const rl = createInterface({ input: io.input, output: io.output, terminal: io.interactive, prompt: 'tradeops> ' });
  const caller = localCaller('console');
  const write = (text: string) => io.output.write(`${text}\n`);
  let queue = Promise.resolve();
  let stopped = false;
  let closed = false;
  rl.on('close', () => (closed = true));
  // Ctrl-C at the prompt: leave through the same graceful path as the end of input.
  rl.on('SIGINT', () => rl.close());
  if (io.interactive) {
    write('tradeops console: type /help for commands, /quit or Ctrl-D to leave.');
    rl.prompt();
  }
  const finished = new Promise<void>((resolve) => {
    rl.on('line', (line) => {
      const text = line.trim();
      queue = queue.then(async () => {
        if (stopped) return;
        if (text === '') return;
        if (text === '/quit' || text === '/exit' || text === 'quit' || text === 'exit') {
          rl.close();
          return;
        }
        const reply = await runner.run(text, caller, { progress: (p) => write(`… ${p}`) });
        write(`${renderText(reply)}\n`);
      }).then(() => {
        if (io.interactive && !stopped && !closed) rl.prompt();
      });
    });
    rl.on('close', () => {
      // End of input: answer the lines already read, then finish. stop() instead drops lines not yet started.
      void queue.then(() => resolve());
    });
  });
  return {
    finished,
    stop() {
      stopped = true;
      rl.close();
    },
  };
}

/** Notifications shown at the terminal, as replies are (an action shows as the line to type). */
export function consoleNotifier(output: Writable): Notifier {
  return {
    platforms: ['console'],
    async send(_target, reply) {
      output.write(`${renderText(reply)}\n\n`);
      return { messageRef: undefined };
    },
  };
}
