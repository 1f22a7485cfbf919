/**
 * Entry point: the only module that exits. `--version` is answered before anything else loads, so the
 * most common scripted probe starts as fast as Node itself. Every other command runs from the bundle of
 * run-entry.ts (dist/cauctl.js, written by the build's scripts/bundle.mjs): one file for a fresh process to
 * compile instead of some 245 modules.
 */
import { VERSION } from '../version.js';
import type * as RunEntry from './run-entry.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const { runCli, realIo, createInterruptSource } = (await import(new URL('../cauctl.js', import.meta.url).href)) as typeof RunEntry;
  const exit = (code: number): void => process.exit(code);
  const code = await runCli(argv, realIo(exit), createInterruptSource(exit));
  process.exitCode = code;
  // Let pending stdout writes drain, then leave even if a socket or timer lingers. A closed stdout (EPIPE)
  // has nothing left to drain.
  if (process.stdout.destroyed || !process.stdout.writable) process.exit(code);
  else process.stdout.write('', () => process.exit(code));
}
