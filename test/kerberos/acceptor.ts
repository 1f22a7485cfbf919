// Starts the python3-gssapi Kerberos acceptor (acceptor.py) over HTTPS with a given keytab, and runs cauctl's
// client against it in a child process (client-driver.mjs). Test support only; depends on node:child_process.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEBIAN_PYTHON } from '../wsman-server/ntlm-sidecar.js';

const ACCEPTOR = fileURLToPath(new URL('./acceptor.py', import.meta.url));
const DRIVER = fileURLToPath(new URL('./client-driver.mjs', import.meta.url));
export const TLS_DIR = fileURLToPath(new URL('../fixtures/winrm/tls/', import.meta.url));
export const CA_FILE = `${TLS_DIR}localhost.crt`;

/** Why the acceptor cannot run here (python3-gssapi missing), or undefined when it can. */
export function acceptorMissing(): string | undefined {
  const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import gssapi'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'python3-gssapi is not installed';
}

export type AcceptorMode = 'normal' | 'no-mutual' | 'bad-mutual' | 'no-error-token' | 'after-auth-401' | 'close';

export interface AcceptorLogEntry {
  readonly connection: number;
  readonly outcome: 'accepted' | 'refused' | 'continue' | 'served' | 'unauthenticated' | 'scheme not offered';
  readonly scheme?: string;
  readonly initiator?: string;
  readonly mutual?: boolean;
  readonly error?: string;
  /** With a refusal: whether the 401 carried the acceptor's error token. */
  readonly errorToken?: boolean;
  readonly body?: string;
}

export interface Acceptor {
  readonly port: number;
  log(): Promise<AcceptorLogEntry[]>;
  close(): Promise<void>;
}

export async function startAcceptor(options: { env: Readonly<Record<string, string>>; keytab: string; mode?: AcceptorMode; offers?: string[] }): Promise<Acceptor> {
  const config = { cert: CA_FILE, key: `${TLS_DIR}localhost.key`, mode: options.mode ?? 'normal', ...(options.offers ? { offers: options.offers } : {}) };
  const child = spawn(DEBIAN_PYTHON, [ACCEPTOR, JSON.stringify(config)], {
    env: { ...process.env, ...options.env, KRB5_KTNAME: `FILE:${options.keytab}` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`acceptor exited ${String(code)}: ${stderr}`)));
    });
  const { port } = JSON.parse(await nextLine()) as { port: number };
  return {
    port,
    async log() {
      const line = nextLine();
      child.stdin.write('log\n');
      return (JSON.parse(await line) as { log: AcceptorLogEntry[] }).log;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

export interface DriverJob {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly posts: ReadonlyArray<{ xml: string; operation: string; before?: 'reset' | 'wait-close' }>;
}

export interface DriverResult {
  readonly replies: Array<{ status: number; body: string }>;
  readonly stats: { requests: number; handshakes: number };
  readonly error?: { code: string; exitCode: number; message: string; hint?: string; details?: Record<string, unknown> };
}

/** Runs our client (dist/) in a child process with the realm's environment; resolves with what it printed. */
export function runClient(env: Readonly<Record<string, string>>, job: DriverJob): Promise<DriverResult> {
  const child = spawn(process.execPath, [DRIVER, JSON.stringify({ caFile: CA_FILE, ...job })], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as DriverResult);
      } catch {
        reject(new Error(`client driver exited ${String(code)} without JSON: ${stdout} ${stderr}`));
      }
    });
  });
}
