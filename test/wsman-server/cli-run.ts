// Runs the built CLI as a child process WITHOUT blocking the event loop (the WS-Man test server lives in the
// test's own process), with the password in CAUCTL_PASSWORD. Exposes the child's pid so tests can read its
// argv from /proc while it runs. Test support only.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = join(ROOT, 'bin', 'cauctl.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  readonly stateDir: string;
  readonly password?: string;
  /** Called once with the child's pid, right after it starts. */
  readonly onStart?: (pid: number) => void;
  readonly timeoutMs?: number;
}

export function runCli(args: readonly string[], options: CliRunOptions): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, CAUCTL_STATE_DIR: options.stateDir, NO_COLOR: '1' };
  delete env.CAUCTL_PASSWORD;
  if (options.password !== undefined) env.CAUCTL_PASSWORD = options.password;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) options.onStart?.(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise<CliResult>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cauctl ${args.join(' ')} did not finish within ${options.timeoutMs ?? 120_000} ms\n--- stderr ---\n${stderr.slice(-4000)}`));
    }, options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
