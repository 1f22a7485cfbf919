// A throwaway MIT Kerberos realm on the loopback for the real-KDC tests (issue 20 §5): its own krb5.conf and
// kdc.conf in a temp dir (KRB5_CONFIG, KRB5_KDC_PROFILE), a database created by kdb5_util, principals and a
// keytab by kadmin.local, krb5kdc in the foreground. Nothing outside the temp dir is read or written (the
// replay cache and the ticket cache live there too). Test support only; depends on node:child_process, node:fs,
// node:net.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REALM = 'CAUCTL.TEST';

/** The Debian programs the realm needs: krb5-kdc, krb5-admin-server (kadmin.local), krb5-user (kinit). */
const TOOLS = {
  krb5kdc: '/usr/sbin/krb5kdc',
  kdb5_util: '/usr/sbin/kdb5_util',
  kadminLocal: '/usr/sbin/kadmin.local',
  kinit: '/usr/bin/kinit',
  kdestroy: '/usr/bin/kdestroy',
} as const;

/** Why a KDC cannot run here, or undefined when it can. */
export function kdcMissing(): string | undefined {
  const absent = Object.values(TOOLS).filter((path) => !existsSync(path));
  return absent.length === 0 ? undefined : `${absent.join(', ')} not installed (Debian krb5-kdc, krb5-admin-server, krb5-user)`;
}

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Kdc {
  readonly realm: string;
  readonly dir: string;
  readonly port: number;
  /** KRB5_CONFIG, KRB5_KDC_PROFILE, KRB5CCNAME (the realm's own ticket cache) and KRB5RCACHEDIR. */
  readonly env: Readonly<Record<string, string>>;
  /** Runs one kadmin.local query (`addprinc -pw p alice`, `ktadd -k file HTTP/localhost`); throws on failure. */
  admin(query: string): string;
  /** kinit with the password on stdin; the result as is (a wrong password is a non-zero status). */
  kinit(principal: string, password: string): CommandResult;
  /** Empties the ticket cache. */
  kdestroy(): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForTcp(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`krb5kdc exited ${child.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`krb5kdc did not listen on 127.0.0.1:${port} within 10 s: ${log()}`);
}

/**
 * Creates the realm, starts its KDC and returns once the KDC accepts connections. The port is free for TCP when
 * chosen, but the KDC also binds it for UDP, and another process may take it meanwhile: try a few ports.
 */
export async function startKdc(): Promise<Kdc> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startKdcOnce();
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startKdcOnce(): Promise<Kdc> {
  const dir = mkdtempSync(join(tmpdir(), 'cauctl-kdc-'));
  const port = await freePort();
  const krb5Conf = join(dir, 'krb5.conf');
  const kdcConf = join(dir, 'kdc.conf');
  writeFileSync(
    krb5Conf,
    [
      '[libdefaults]',
      `  default_realm = ${REALM}`,
      '  dns_lookup_kdc = false',
      '  dns_lookup_realm = false',
      // The service name is taken as given (HTTP/localhost): no DNS canonicalisation, no reverse lookup.
      '  dns_canonicalize_hostname = false',
      '  rdns = false',
      '  udp_preference_limit = 1',
      '[realms]',
      `  ${REALM} = {`,
      `    kdc = 127.0.0.1:${port}`,
      '  }',
      '[domain_realm]',
      `  localhost = ${REALM}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    kdcConf,
    [
      '[kdcdefaults]',
      `  kdc_listen = 127.0.0.1:${port}`,
      `  kdc_tcp_listen = 127.0.0.1:${port}`,
      '[realms]',
      `  ${REALM} = {`,
      `    database_name = ${join(dir, 'principal')}`,
      `    key_stash_file = ${join(dir, 'stash')}`,
      `    acl_file = ${join(dir, 'kadm5.acl')}`,
      '    max_life = 1h',
      '  }',
      '[logging]',
      `  kdc = FILE:${join(dir, 'kdc.log')}`,
      `  admin_server = FILE:${join(dir, 'kadmin.log')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'kadm5.acl'), '');
  const env: Record<string, string> = {
    KRB5_CONFIG: krb5Conf,
    KRB5_KDC_PROFILE: kdcConf,
    KRB5CCNAME: `FILE:${join(dir, 'ccache')}`,
    KRB5RCACHEDIR: dir,
    KRB5_TRACE: join(dir, 'trace.log'),
  };
  const childEnv = { ...process.env, ...env };
  const run = (file: string, args: string[], input?: string): CommandResult => {
    const r = spawnSync(file, args, { env: childEnv, input: input ?? '', encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  };
  const created = run(TOOLS.kdb5_util, ['create', '-s', '-r', REALM, '-P', 'master-key-of-a-test-realm']);
  if (created.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`kdb5_util create failed: ${created.stderr}`);
  }
  const kdc = spawn(TOOLS.krb5kdc, ['-n', '-r', REALM], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let kdcOutput = '';
  kdc.stdout!.on('data', (c: Buffer) => (kdcOutput += c.toString('utf8')));
  kdc.stderr!.on('data', (c: Buffer) => (kdcOutput += c.toString('utf8')));
  try {
    await waitForTcp(port, kdc, () => kdcOutput);
  } catch (error) {
    kdc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    realm: REALM,
    dir,
    port,
    env,
    admin(query) {
      const r = run(TOOLS.kadminLocal, ['-r', REALM, '-q', query]);
      if (r.status !== 0 || /error|not found|cannot/i.test(r.stderr)) throw new Error(`kadmin.local "${query}" failed: ${r.stderr}`);
      return r.stdout;
    },
    kinit(principal, password) {
      return run(TOOLS.kinit, [principal], `${password}\n`);
    },
    kdestroy() {
      run(TOOLS.kdestroy, []);
    },
    async stop() {
      if (kdc.exitCode === null) {
        kdc.kill('SIGTERM');
        await new Promise((resolve) => kdc.once('exit', resolve));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
