/**
 * What every command builder receives: the IO and a way to resolve the global options of the parsed
 * command line. Commands return their exit code; only main.ts exits.
 */
import type { Command } from 'commander';
import { resolveGlobals, type GlobalProfile } from './global-options.js';
import type { CliIo } from './io.js';

export interface CommandEnv {
  readonly io: CliIo;
  /** Signals (SIGINT, SIGTERM, SIGHUP) reach long-running commands through this. */
  readonly interrupts: InterruptSource;
  /** The exit code a command sets; main returns it. */
  setExitCode(code: number): void;
  /** Ends the process now (the third Ctrl-C); only main's exit function is behind it. */
  abandon(code: number): void;
}

/** Ctrl-C, `kill` and a closed terminal: each stops a run at its next safe point. */
export type InterruptSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export interface InterruptSource {
  /**
   * Subscribes to interrupts (SIGINT, SIGTERM, SIGHUP, counted together: a second SIGTERM after a Ctrl-C is the
   * second interrupt); returns an unsubscribe function.
   */
  onInterrupt(handler: (count: number, signal: InterruptSignal) => void): () => void;
  /** Leaves the process at once with `code`. */
  exit(code: number): void;
}

export function globalsOf(command: Command, io: CliIo): GlobalProfile {
  return resolveGlobals(command.optsWithGlobals(), io);
}
