// Child processes for the bench: wall time of a command, and a JSON-speaking child. Wall time comes from
// process.hrtime, which is what the cold-start figures are about.
import { spawnSync } from 'node:child_process';
import process from 'node:process';

/** Runs `argv[0]` with the rest as arguments; returns its wall time in ms, exit status and output. */
export function timeCommand(argv, options = {}) {
  const started = process.hrtime.bigint();
  const child = spawnSync(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.error) throw child.error;
  return { wallMs, status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr };
}

/** Like timeCommand, but throws with the child's stderr when it exits with a code outside `okCodes`. */
export function runChecked(argv, options = {}) {
  const result = timeCommand(argv, options);
  const okCodes = options.okCodes ?? [0];
  if (!okCodes.includes(result.status)) {
    throw new Error(`${argv.slice(1).join(' ')} exited ${result.status ?? result.signal}: ${result.stderr.trim().slice(-800)}`);
  }
  return result;
}

/** Parses the single JSON document a child printed on stdout, naming the command when it is not JSON. */
export function parseJsonOutput(result, what) {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`${what} did not print JSON: ${result.stdout.slice(0, 300)} ${result.stderr.slice(-300)}`);
  }
}
