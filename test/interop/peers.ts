// Runs the independent peers of the interop tests: pywinrm (Debian python3-winrm) as a client of the WS-Man
// test server. Test support only; depends on node:child_process and node:fs.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEBIAN_PYTHON } from '../wsman-server/ntlm-sidecar.js';

const CLIENT = fileURLToPath(new URL('./pywinrm-client.py', import.meta.url));
/** OpenSSL 3 config enabling the legacy provider (MD4), for the Python NTLM client only. */
export const OPENSSL_LEGACY_CONF = fileURLToPath(new URL('./openssl-legacy.cnf', import.meta.url));

/** Why pywinrm cannot run here, or undefined when it can. */
export function pywinrmMissing(): string | undefined {
  const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import winrm'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'python3-winrm is not installed';
}

export interface PywinrmJob {
  readonly url: string;
  readonly transport: 'basic' | 'ntlm';
  readonly encryption?: 'auto' | 'always' | 'never';
  readonly username: string;
  readonly steps: ReadonlyArray<{ cmd: string; args?: string[] } | { ps: string }>;
  /** Benchmark mode: run the steps this many times with Session.run_ps and time them. */
  readonly repeat?: number;
}

export interface PywinrmStepResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

/** Runs pywinrm as a child process, without blocking the event loop (the server shares this process). */
export function runPywinrm<T = { results: PywinrmStepResult[] }>(job: PywinrmJob, password: string): Promise<T> {
  const child = spawn(DEBIAN_PYTHON, [CLIENT], {
    env: { ...process.env, WINRM_PASSWORD: password, OPENSSL_CONF: OPENSSL_LEGACY_CONF },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin.end(JSON.stringify(job));
  return new Promise<T>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`pywinrm exited ${String(code)}: ${stderr.slice(-3000)}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`pywinrm printed no JSON: ${stdout.slice(-2000)} ${stderr.slice(-2000)}`));
      }
    });
  });
}
