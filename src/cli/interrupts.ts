/**
 * Interrupts for long-running commands: Ctrl-C (SIGINT), `kill` (SIGTERM) and a closed terminal (SIGHUP) all
 * count as one sequence and reach whoever listens, so each of them stops a run at its next safe point
 * (invariant 10). With nobody listening, any of them ends the process with 130 ("interrupted").
 * Depends on node:process only.
 */
import type { InterruptSignal, InterruptSource } from './command-env.js';

export const INTERRUPT_SIGNALS: readonly InterruptSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function createInterruptSource(exit: (code: number) => void): InterruptSource {
  const handlers = new Set<(count: number, signal: InterruptSignal) => void>();
  let count = 0;
  const listeners = new Map<InterruptSignal, () => void>(
    INTERRUPT_SIGNALS.map((signal) => [
      signal,
      () => {
        count += 1;
        if (handlers.size === 0) exit(130);
        for (const handler of handlers) handler(count, signal);
      },
    ]),
  );
  return {
    exit,
    onInterrupt(handler) {
      if (handlers.size === 0) for (const [signal, listener] of listeners) process.on(signal, listener);
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
        if (handlers.size === 0) for (const [signal, listener] of listeners) process.removeListener(signal, listener);
      };
    },
  };
}

/** How an interrupt is named to the user: "Ctrl-C" for SIGINT, the signal's name otherwise. */
export function interruptName(signal: InterruptSignal): string {
  return signal === 'SIGINT' ? 'Ctrl-C' : signal;
}
