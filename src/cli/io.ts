/**
 * The process's streams and environment, as one injectable object, so commands can be tested with fake
 * streams (TTY on and off). Only cli/ builds the real one.
 */

import { terminalSafe, terminalSafeStream } from '../output/sanitize.js';
import type { OutStream } from '../output/stream.js';
import type { InterruptSignal } from './command-env.js';
import { INTERRUPT_SIGNALS, interruptName } from './interrupts.js';

export type { OutStream };

export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdinIsTty: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  /** Reads a line from the terminal without echo (password prompts). */
  readonly promptSecret: (question: string) => Promise<string>;
  /** Reads a line from the terminal (typed confirmations). */
  readonly promptLine: (question: string) => Promise<string>;
}

/**
 * Wraps stdout or stderr so that a write error (EPIPE from `| head -1`, EIO from a closed terminal) ends
 * output to that stream and nothing else: the run goes on to its end or its safe point (invariant 10), and its
 * result still reaches the journal and the history. Node reports such errors both as throws and as 'error'
 * events; an unheard 'error' event would kill the process, so one listener is installed here, once.
 */
export function closeTolerant(stream: NodeJS.WriteStream): OutStream & { readonly closed: boolean } {
  let closed = false;
  stream.on('error', () => {
    closed = true;
  });
  return {
    write: (text: string) => {
      if (closed || stream.destroyed) return;
      try {
        stream.write(text);
      } catch {
        closed = true;
      }
    },
    get closed() {
      return closed || stream.destroyed;
    },
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.columns;
    },
    get rows() {
      return stream.rows;
    },
  };
}

/**
 * The process's own streams and prompts. `exit` leaves the process (main's); a prompt uses it when it is
 * interrupted, because nothing can go on without the answer.
 */
export function realIo(exit: (code: number) => void): CliIo {
  return {
    // Every write is made terminal-safe (output/sanitize.ts): values from nodes and fixtures can carry controls.
    stdout: terminalSafeStream(closeTolerant(process.stdout)),
    stderr: terminalSafeStream(closeTolerant(process.stderr)),
    stdinIsTty: process.stdin.isTTY === true,
    env: process.env,
    platform: process.platform,
    promptSecret: (question) => prompt(question, true, exit),
    promptLine: (question) => prompt(question, false, exit),
  };
}

/**
 * Asks on the terminal. Readline puts the terminal in raw mode (no echo, Ctrl-C read as a key), so an interrupt
 * must give the terminal back before anything else: Ctrl-C at the prompt, or SIGINT, SIGTERM or SIGHUP sent to
 * the process, closes the prompt (echo and line mode back), says so, and exits 130. The answer was never given,
 * so nothing was sent to the cluster on its strength. End of input (Ctrl-D) answers with what was typed.
 */
async function prompt(question: string, secret: boolean, exit: (code: number) => void): Promise<string> {
  const { createInterface } = await import('node:readline');
  const shown = terminalSafe(question);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let settled = false;
    const listeners = new Map(INTERRUPT_SIGNALS.map((signal) => [signal, () => interrupted(signal)] as const));
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      for (const [signal, listener] of listeners) process.removeListener(signal, listener);
      return true;
    };
    const interrupted = (signal: InterruptSignal): void => {
      if (!settle()) return;
      rl.close();
      process.stderr.write(`\ncauctl: ${interruptName(signal)} at the ${secret ? 'password ' : ''}prompt: stopped before the answer was used.\n`);
      exit(130);
    };
    // First in line, ahead of a run's own interrupt handler: that run is waiting on this answer.
    for (const [signal, listener] of listeners) process.prependListener(signal, listener);
    rl.on('SIGINT', () => interrupted('SIGINT'));
    if (secret) {
      // Keep the typed characters off the screen.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.includes(shown)) process.stderr.write(shown);
      };
    }
    rl.on('close', () => {
      if (!settle()) return;
      if (secret) process.stderr.write('\n');
      resolve('');
    });
    rl.question(shown, (answer) => {
      if (!settle()) return;
      rl.close();
      if (secret) process.stderr.write('\n');
      resolve(answer);
    });
  });
}
