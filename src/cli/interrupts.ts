/** Ctrl-C for long-running commands: counts SIGINTs and hands them to whoever listens. */
import type { InterruptSource } from './command-env.js';

export function createInterruptSource(exit: (code: number) => void): InterruptSource {
  const handlers = new Set<(count: number) => void>();
  let count = 0;
  const onSigint = (): void => {
    count += 1;
    if (handlers.size === 0) exit(130);
    for (const handler of handlers) handler(count);
  };
  return {
    exit,
    onInterrupt(handler) {
      if (handlers.size === 0) process.on('SIGINT', onSigint);
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
        if (handlers.size === 0) process.removeListener('SIGINT', onSigint);
      };
    },
  };
}
