// Drives ntlm-sidecar.py (gss-ntlmssp through python3-gssapi) over JSON lines: the NTLM acceptor of the WS-Man
// test server, so the server's NTLM is not our own code. Test support only; depends on node:child_process/fs.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Debian's Python: a `python3` earlier on PATH may not see Debian's dist-packages (winrm.md §2.9). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const SIDECAR_PATH = fileURLToPath(new URL('./ntlm-sidecar.py', import.meta.url));

/** Why the gss-ntlmssp acceptor cannot run here, or undefined when it can. */
export function ntlmAcceptorMissing(python: string = DEBIAN_PYTHON): string | undefined {
  if (!existsSync(python)) return `${python} not found`;
  const probe = spawnSync(python, ['-c', 'import gssapi'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'python3-gssapi is not installed';
  if (!existsSync('/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so') && spawnSync('sh', ['-c', 'ls /usr/lib/*/gssntlmssp/gssntlmssp.so']).status !== 0) {
    return 'gss-ntlmssp is not installed';
  }
  return undefined;
}

export interface AcceptResult {
  /** The token for `WWW-Authenticate: Negotiate`, when the context wants another leg. */
  readonly token: Buffer | undefined;
  readonly complete: boolean;
  readonly user: string | undefined;
}

interface Reply {
  id: number;
  ok: boolean;
  error?: string;
  token?: string | null;
  complete?: boolean;
  user?: string;
  signature?: string;
  data?: string;
}

export class SidecarError extends Error {
  override readonly name = 'SidecarError';
}

/** One sidecar process; contexts are named by the caller (one per TCP connection). */
export class NtlmSidecar {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private exited: Error | undefined;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly userDir: string,
  ) {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const reply = JSON.parse(line) as Reply & { ready?: boolean };
      if (reply.ready) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiter?.resolve(reply);
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('exit', (code) => {
      this.exited = new SidecarError(`the NTLM sidecar exited (${String(code)}): ${stderr.slice(-2000)}`);
      for (const w of this.pending.values()) w.reject(this.exited);
      this.pending.clear();
    });
  }

  /**
   * Starts the sidecar with `users` (`user` or `DOMAIN\user` → password). A user without a domain is also
   * written under this host's NetBIOS name, which some clients send as their domain (winrm.md §5).
   */
  static async start(users: Readonly<Record<string, string>>, python: string = DEBIAN_PYTHON): Promise<NtlmSidecar> {
    const userDir = mkdtempSync(join(tmpdir(), 'wsman-ntlm-users-'));
    const userFile = join(userDir, 'users');
    const netbios = hostname().split('.')[0]!.toUpperCase();
    const lines: string[] = [];
    for (const [name, password] of Object.entries(users)) {
      const slash = name.indexOf('\\');
      if (slash >= 0) lines.push(`${name.slice(0, slash)}:${name.slice(slash + 1)}:${password}`);
      else lines.push(`:${name}:${password}`, `${netbios}:${name}:${password}`);
    }
    writeFileSync(userFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    const child = spawn(python, [SIDECAR_PATH], { env: { ...process.env, NTLM_USER_FILE: userFile }, stdio: ['pipe', 'pipe', 'pipe'] });
    const sidecar = new NtlmSidecar(child, userDir);
    await new Promise<void>((resolve, reject) => {
      const onLine = (chunk: Buffer): void => {
        if (chunk.toString('utf8').includes('"ready"')) {
          child.stdout.off('data', onLine);
          resolve();
        }
      };
      child.stdout.on('data', onLine);
      child.once('exit', () => reject(sidecar.exited ?? new SidecarError('the NTLM sidecar did not start')));
      child.once('error', reject);
    });
    return sidecar;
  }

  private call(request: Record<string, unknown>): Promise<Reply> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    }).then((reply) => {
      if (!reply.ok) throw new SidecarError(reply.error ?? 'sidecar error');
      return reply;
    });
  }

  async accept(ctx: string, token: Buffer): Promise<AcceptResult> {
    const r = await this.call({ op: 'accept', ctx, token: token.toString('base64') });
    return { token: r.token ? Buffer.from(r.token, 'base64') : undefined, complete: r.complete === true, user: r.user };
  }

  async wrap(ctx: string, data: Buffer): Promise<{ signature: Buffer; ciphertext: Buffer }> {
    const r = await this.call({ op: 'wrap', ctx, data: data.toString('base64') });
    return { signature: Buffer.from(r.signature ?? '', 'base64'), ciphertext: Buffer.from(r.data ?? '', 'base64') };
  }

  async unwrap(ctx: string, signature: Buffer, ciphertext: Buffer): Promise<Buffer> {
    const r = await this.call({ op: 'unwrap', ctx, signature: signature.toString('base64'), data: ciphertext.toString('base64') });
    return Buffer.from(r.data ?? '', 'base64');
  }

  async release(ctx: string): Promise<void> {
    if (this.exited) return;
    await this.call({ op: 'release', ctx }).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.stdin.end();
      await gone;
    }
    rmSync(this.userDir, { recursive: true, force: true });
  }
}
