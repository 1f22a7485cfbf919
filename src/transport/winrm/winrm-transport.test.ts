import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../errors.js';
import { systemClock, type Clock } from '../../platform/clock.js';
import { END_MARKER, RESULT_MARKER } from '../bootstrap.js';
import type { ScriptInvocation } from '../transport.js';
import { WinRmErrorCode } from './errors.js';
import { startFakeWsmanServer, type FakeWsmanServer, type FakeWsmanServerOptions } from './testing/fake-wsman-server.js';
import { WinRmTransport, type WinRmTransportOptions } from './winrm-transport.js';

const PASSWORD = 'Pa55-w0rd!';
const invocation: ScriptInvocation = { name: 'get-thing', script: 'param($Name) "hi $Name"', params: { Name: 'NODE1 ✓' } };

/** The fake process: echoes what the bootstrap would get from stdin, framed as the bootstrap frames results. */
function echoBootstrap(command: string, args: string[], stdin: Buffer): { stdout: string; exitCode: number } {
  const payload = JSON.parse(stdin.toString('utf8')) as { script: string; params: unknown };
  const data = { command, encoded: args.includes('-EncodedCommand'), script: payload.script, params: payload.params };
  return { stdout: `banner\r\n${RESULT_MARKER}${JSON.stringify({ ok: true, data })}${END_MARKER}\r\n`, exitCode: 0 };
}

const servers: FakeWsmanServer[] = [];
const transports: WinRmTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(
  serverOptions: Partial<FakeWsmanServerOptions> = {},
  transportOptions: Partial<WinRmTransportOptions> = {},
): Promise<{ server: FakeWsmanServer; transport: WinRmTransport; passwordReads: () => number }> {
  const server = await startFakeWsmanServer({ users: { 'CORP\\admin': PASSWORD }, run: echoBootstrap, ...serverOptions });
  servers.push(server);
  let reads = 0;
  const transport = new WinRmTransport({
    port: server.port,
    authentication: 'Negotiate',
    username: 'CORP\\admin',
    password: () => {
      reads++;
      return PASSWORD;
    },
    ...transportOptions,
  });
  transports.push(transport);
  return { server, transport, passwordReads: () => reads };
}

describe('WinRmTransport over HTTP with NTLM message encryption', () => {
  it('runs the bootstrap with the payload on stdin, in one sealed session', async () => {
    const { server, transport, passwordReads } = await setup();
    const outcome = await transport.run('127.0.0.1', invocation);
    expect(outcome).toEqual({
      ok: true,
      data: { command: 'powershell.exe', encoded: true, script: invocation.script, params: { Name: 'NODE1 ✓' } },
    });
    expect(server.log.map((l) => l.action)).toEqual(['Create', 'Command', 'Send', 'Receive', 'Receive', 'Signal']);
    expect(server.log.every((l) => l.encrypted)).toBe(true);
    expect(new Set(server.log.map((l) => l.socketId)).size).toBe(1);
    expect(transport.stats()).toEqual({ requests: 8, shellsCreated: 1, handshakes: 1 });
    expect(passwordReads()).toBe(1);
  });

  it('reuses the warm shell and connection: no Create and no handshake for the next operation', async () => {
    const { server, transport, passwordReads } = await setup();
    await transport.run('127.0.0.1', invocation);
    const before = transport.stats();
    server.log.length = 0;
    await transport.run('127.0.0.1', { ...invocation, params: { Name: 'again' } });
    expect(server.log.map((l) => l.action)).toEqual(['Command', 'Send', 'Receive', 'Receive', 'Signal']);
    const after = transport.stats();
    expect(after.requests - before.requests).toBe(5);
    expect(after.handshakes).toBe(1);
    expect(after.shellsCreated).toBe(1);
    expect(passwordReads()).toBe(1);
  });

  it('polls again after w:TimedOut faults', async () => {
    const { server, transport } = await setup({ timeoutsPerCommand: 3 });
    const outcome = await transport.run('127.0.0.1', invocation);
    expect(outcome.ok).toBe(true);
    expect(server.log.filter((l) => l.action === 'Receive')).toHaveLength(5);
  });

  it('recreates the shell once when the node forgot it (reboot, WinRM restart)', async () => {
    const { server, transport } = await setup();
    await transport.run('127.0.0.1', invocation);
    server.forgetShells();
    const outcome = await transport.run('127.0.0.1', invocation);
    expect(outcome.ok).toBe(true);
    expect(transport.stats()).toMatchObject({ shellsCreated: 2, handshakes: 2 });
  });

  it('re-authenticates with new keys on a new socket after the connection dropped', async () => {
    const { server, transport, passwordReads } = await setup();
    await transport.run('127.0.0.1', invocation);
    server.dropConnections();
    await new Promise<void>((resolve) => setImmediate(resolve)); // let the client see the socket close
    const outcome = await transport.run('127.0.0.1', invocation);
    expect(outcome.ok).toBe(true);
    expect(transport.stats().handshakes).toBe(2);
    expect(passwordReads()).toBe(2);
    expect(new Set(server.log.map((l) => l.socketId)).size).toBe(2);
  });

  it('refuses wrong credentials with TRANSPORT_AUTH_REFUSED naming node and user, never the password', async () => {
    const { transport } = await setup({ users: { 'CORP\\admin': 'another' } });
    const error = (await transport.run('127.0.0.1', invocation).catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(WinRmErrorCode.authRefused);
    expect(error.exitCode).toBe(4);
    expect(error.message).toContain('127.0.0.1');
    expect(error.message).toContain('CORP\\admin');
    expect(JSON.stringify({ m: error.message, h: error.hint, d: error.details })).not.toContain(PASSWORD);
  });

  it('reports HTTP 401 after the handshake as TRANSPORT_AUTH_REFUSED', async () => {
    const { server, transport } = await setup();
    await transport.run('127.0.0.1', invocation);
    server.revokeSessions();
    await expect(transport.run('127.0.0.1', invocation)).rejects.toMatchObject({
      code: WinRmErrorCode.authRefused,
      message: expect.stringContaining('CORP\\admin'),
    });
  });

  it('never logs the password', async () => {
    const lines: string[] = [];
    const { server, transport } = await setup({}, { logger: { debug: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`) } });
    await transport.run('127.0.0.1', invocation);
    server.forgetShells();
    await transport.run('127.0.0.1', invocation);
    expect(lines.some((l) => l.includes('recreating'))).toBe(true);
    expect(lines.join('\n')).not.toContain(PASSWORD);
  });

  it('reports a script protocol error when the output has no result', async () => {
    const { transport } = await setup({ run: () => ({ stdout: 'nothing here', stderr: 'boom', exitCode: 1 }) });
    await expect(transport.run('127.0.0.1', invocation)).rejects.toMatchObject({ code: 'SCRIPT_PROTOCOL_ERROR' });
  });

  it('stops on an aborted signal', async () => {
    const { transport } = await setup();
    const controller = new AbortController();
    controller.abort(new Error('operator pressed Ctrl-C'));
    await expect(transport.run('127.0.0.1', invocation, { signal: controller.signal })).rejects.toThrow('operator pressed Ctrl-C');
  });

  it('aborts a request in flight', async () => {
    const { server, transport } = await setup();
    await transport.run('127.0.0.1', invocation);
    server.hang(true);
    const controller = new AbortController();
    const before = server.received();
    const pending = transport.run('127.0.0.1', invocation, { signal: controller.signal });
    await waitFor(() => server.received() > before);
    expect(server.received()).toBe(before + 1);
    controller.abort(new Error('stop now'));
    await expect(pending).rejects.toThrow('stop now');
    server.hang(false);
  });

  it('gives up with TRANSPORT_RECEIVE_TIMEOUT past the operation deadline', async () => {
    // Each reading of the clock moves it 1 s on, so the deadline passes after a few polls.
    let t = 0;
    const clock: Clock = { now: () => (t += 1000), sleep: systemClock.sleep };
    const { server, transport } = await setup({ timeoutsPerCommand: 1000 }, { clock });
    await expect(transport.run('127.0.0.1', invocation, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: WinRmErrorCode.receiveTimeout,
      exitCode: 4,
    });
    expect(server.log.at(-1)?.action).toBe('Signal');
  });

  it('times a request out with TRANSPORT_REQUEST_TIMEOUT (manual clock)', async () => {
    const clock = manualClock();
    const { server, transport } = await setup({}, { clock });
    await transport.run('127.0.0.1', invocation);
    server.hang(true);
    const pending = transport.run('127.0.0.1', invocation);
    const caught = pending.catch((e: unknown) => e);
    await waitFor(() => clock.pending() > 0);
    clock.fire();
    expect(await caught).toMatchObject({ code: WinRmErrorCode.requestTimeout });
    server.hang(false);
  });
});

describe('WinRmTransport failures before any exchange', () => {
  it('maps a refused connection to TRANSPORT_UNREACHABLE (exit 4)', async () => {
    const { server } = await setup();
    const port = server.port;
    await server.close();
    servers.length = 0;
    const transport = new WinRmTransport({ port, authentication: 'Negotiate', username: 'u', password: () => 'p' });
    transports.push(transport);
    await expect(transport.run('127.0.0.1', invocation)).rejects.toMatchObject({ code: WinRmErrorCode.unreachable, exitCode: 4 });
  });

  it('refuses Basic over HTTP unless allowUnencrypted, without reading the password', async () => {
    let reads = 0;
    const transport = new WinRmTransport({ port: 1, authentication: 'Basic', username: 'u', password: () => (reads++, 'p') });
    transports.push(transport);
    await expect(transport.run('127.0.0.1', invocation)).rejects.toMatchObject({ code: WinRmErrorCode.insecure, exitCode: 2 });
    expect(reads).toBe(0);
  });

  it('runs with Basic over HTTP when allowUnencrypted is set', async () => {
    const { server, transport } = await setup({ auth: 'basic', users: { admin: PASSWORD } }, { authentication: 'Basic', username: 'admin', allowUnencrypted: true });
    expect((await transport.run('127.0.0.1', invocation)).ok).toBe(true);
    expect(server.log.some((l) => l.encrypted)).toBe(false);
  });

  it('explains how to get Kerberos', async () => {
    const transport = new WinRmTransport({ port: 1, authentication: 'Kerberos', username: 'u', password: () => 'p' });
    transports.push(transport);
    await expect(transport.run('127.0.0.1', invocation)).rejects.toMatchObject({ code: 'KERBEROS_UNAVAILABLE', exitCode: 2 });
  });
});

describe('WinRmTransport over HTTPS', () => {
  const tlsDir = fileURLToPath(new URL('../../../test/fixtures/winrm/tls/', import.meta.url));
  const tls = { key: readFileSync(`${tlsDir}localhost.key`), cert: readFileSync(`${tlsDir}localhost.crt`) };

  it('NTLM with channel bindings and no sealing, trusting the CA file', async () => {
    const { server, transport } = await setup({ tls }, { useSsl: true, caFile: `${tlsDir}localhost.crt` });
    expect((await transport.run('127.0.0.1', invocation)).ok).toBe(true);
    expect(server.log.some((l) => l.encrypted)).toBe(false);
  });

  it('refuses an untrusted certificate by default', async () => {
    const { transport } = await setup({ tls }, { useSsl: true });
    await expect(transport.run('127.0.0.1', invocation)).rejects.toMatchObject({ code: WinRmErrorCode.tls, exitCode: 4 });
  });

  it('accepts it with insecureSkipTlsVerify', async () => {
    const { transport } = await setup({ tls }, { useSsl: true, insecureSkipTlsVerify: true });
    expect((await transport.run('127.0.0.1', invocation)).ok).toBe(true);
  });

  it('Basic over HTTPS', async () => {
    const { transport } = await setup(
      { tls, auth: 'basic', users: { admin: PASSWORD } },
      { useSsl: true, insecureSkipTlsVerify: true, authentication: 'Basic', username: 'admin' },
    );
    expect((await transport.run('127.0.0.1', invocation)).ok).toBe(true);
  });
});

/** Polls a condition on the event loop (no timers), for up to 1000 turns. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A clock whose timers fire only when the test says so. */
function manualClock(): Clock & { fire(): void; pending(): number } {
  const timers: Array<{ resolve: () => void; signal?: AbortSignal }> = [];
  return {
    now: () => 0,
    sleep: (_ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const timer = { resolve, ...(signal ? { signal } : {}) };
        timers.push(timer);
        signal?.addEventListener('abort', () => {
          timers.splice(timers.indexOf(timer), 1);
          reject(new Error('aborted'));
        }, { once: true });
      }),
    fire: () => {
      for (const t of timers.splice(0)) t.resolve();
    },
    pending: () => timers.length,
  };
}
