/**
 * The process's streams and environment, as one injectable object, so commands can be tested with fake
 * streams (TTY on and off). Only cli/ builds the real one.
 */

import type { OutStream } from '../output/stream.js';

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

export function realIo(): CliIo {
  return {
    stdout: closeTolerant(process.stdout),
    stderr: closeTolerant(process.stderr),
    stdinIsTty: process.stdin.isTTY === true,
    env: process.env,
    platform: process.platform,
    promptSecret: (question) => prompt(question, true),
    promptLine: (question) => prompt(question, false),
  };
}

async function prompt(question: string, secret: boolean): Promise<string> {
  const { createInterface } = await import('node:readline');
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (secret) {
      // Keep the typed characters off the screen.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.includes(question)) process.stderr.write(question);
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      if (secret) process.stderr.write('\n');
      resolve(answer);
    });
  });
}
