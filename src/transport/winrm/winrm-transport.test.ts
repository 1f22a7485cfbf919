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

/** The fake process: echoes each payload line the bootstrap gets on stdin, framed as the bootstrap frames results. */
function echoBootstrap(command: string, args: string[], line: Buffer): { stdout: string; exitCode: number } {
  const payload = JSON.parse(line.toString('utf8')) as { script: string; params: unknown };
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
    mode: 'persistent',
    ...transportOptions,
  });
  transports.push(transport);
  return { server, transport, passwordReads: () => reads };
}

describe('WinRmTransport over HTTP with NTLM message encryption (persistent mode)', () => {
  it('starts the bootstrap once and sends the payload as a line of its stdin, in one sealed session', async () => {
    const { server, transport, passwordReads } = await setup();
    const outcome = await transport.run('127.0.0.1', invocation);
    expect(outcome).toEqual({
      ok: true,
      data: { command: 'powershell.exe', encoded: true, script: invocation.script, params: { Name: 'NODE1 ✓' } },
    });
    // The fake returns the line's stdout over two Receives; the command stays open for the next payload.
    // The stub reads the bootstrap line and says READY before the payload is sent.
    expect(server.log.map((l) => l.action)).toEqual(['Create', 'Command', 'Send', 'Receive', 'Send', 'Receive', 'Receive']);
    expect(server.log.every((l) => l.encrypted)).toBe(true);
    expect(new Set(server.log.map((l) => l.socketId)).size).toBe(1);
    expect(transport.stats()).toEqual({ requests: 9, shellsCreated: 1, commandsStarted: 1, handshakes: 1, recycled: 0, reconnects: 0 });
    expect(passwordReads()).toBe(1);
  });

  it('once warm, an operation is one Send and one Receive: no Create, Command, Signal or handshake', async () => {
    const { server, transport, passwordReads } = await setup({ splitOutput: false });
    await transport.run('127.0.0.1', invocation);
    const before = transport.stats();
    server.log.length = 0;
    for (let i = 0; i < 5; i++) {
      const outcome = await transport.run('127.0.0.1', { ...invocation, params: { Name: `again ${i}` } });
      expect(outcome).toMatchObject({ ok: true, data: { params: { Name: `again ${i}` } } });
    }
    expect(server.log.map((l) => l.action)).toEqual(Array.from({ length: 5 }, () => ['Send', 'Receive']).flat());
    const after = transport.stats();
    expect(after.requests - before.requests).toBe(10);
    expect(after).toMatchObject({ handshakes: 1, shellsCreated: 1, commandsStarted: 1 });
    expect(server.linesRun()).toBe(6);
    expect(passwordReads()).toBe(1);
  });

  it('keeps stdin open between payloads and ends the bootstrap with Signal and Delete on close', async () => {
    const { server, transport } = await setup();
    await transport.run('127.0.0.1', invocation);
    await transport.run('127.0.0.1', invocation);
    const [shell] = [...server.shells.values()];
    const [command] = [...shell!.values()];
    expect(command).toMatchObject({ lines: 2, exited: false });
    await transport.close();
    expect(server.log.slice(-2).map((l) => l.action)).toEqual(['Signal', 'Delete']);
    expect(server.shells.size).toBe(0);
  });

  it('polls again after w:TimedOut faults', async () => {
    const { server, transport } = await setup({ timeoutsPerLine: 3 });
    const outcome = await transport.run('127.0.0.1', invocation);
    expect(outcome.ok).toBe(true);
    // One Receive for READY, then three timed out and two with the split result.
    expect(server.log.filter((l) => l.action === 'Receive')).toHaveLength(6);
  });

  it('recreates the shell and resends when the node forgot it (reboot, WinRM restart): the Send was refused', async () => {
    const { server, transport } = await setup();
    await transport.run('127.0.0.1', invocation);
    server.forgetShells();
    server.log.length = 0;
    const outcome = await transport.run('127.0.0.1', invocation);
    expect(outcome.ok).toBe(true);
    expect(server.log.map((l) => l.action)).toEqual(['Send', 'Create', 'Command', 'Send', 'Receive', 'Send', 'Receive', 'Receive']);
    expect(server.linesRun()).toBe(2);
    expect(transport.stats()).toMatchObject({ shellsCreated: 2, commandsStarted: 2, handshakes: 1 });
  });

  it('re-authenticates after a connection dropped mid-poll and goes on receiving the same command, never resending (issue 19, case 4)', async () => {
    const { server, transport, passwordReads } = await setup();
    await transport.run('127.0.0.1', invocation);
    server.hang(true, 'Receive');
    const before = server.received();
    const pending = transport.run('127.0.0.1', invocation);
    await waitFor(() => server.received() >= before + 2); // the Send, then the Receive that hangs
    server.log.length = 0;
    server.hang(false);
    server.dropConnections();
    const outcome = await pending;
    expect(outcome.ok).toBe(true);
    // One payload line run, on the same command: no Create, no Command, no second Send.
    expect(server.linesRun()).toBe(2);
    expect(server.log.map((l) => l.action).every((a) => a === 'Receive')).toBe(true);
    expect(passwordReads()).toBe(2);
    expect(transport.stats()).toMatchObject({ shellsCreated: 1, commandsStarted: 1 });
    expect(transport.stats().reconnects).toBeGreaterThanOrEqual(1);
    expect(transport.stats().handshakes).toBe(2);
  });

  it('reports the outcome as unknown when the node stays away after the connection dropped mid-poll', async () => {
    const { server, transport } = await setup();
    await transport.run('127.0.0.1', invocation);
    server.hang(true, 'Receive');
    const before = server.received();
    const pending = transport.run('127.0.0.1', invocation).catch((e: unknown) => e);
    await waitFor(() => server.received() >= before + 2);
    await server.close();
    servers.length = 0;
    const error = (await pending) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(WinRmErrorCode.unreachable);
    expect(error.transient).toBe(true);
    expect(error.message).toContain('unknown');
    expect(error.details).toMatchObject({ outcomeUnknown: true });
    expect(server.linesRun()).toBe(2);
  });

  it('returns the result of a bootstrap that exits after it, then starts a new one', async () => {
    let calls = 0;
    const { server, transport } = await setup({
      run: (command, args, line) => ({ ...echoBootstrap(command, args, line), exits: ++calls === 1 }),
    });
    expect((await transport.run('127.0.0.1', invocation)).ok).toBe(true);
    server.log.length = 0;
    expect((await transport.run('127.0.0.1', invocation)).ok).toBe(true);
    // The process ended, the shell stays: a new process in it.
    expect(server.log.map((l) => l.action)).toEqual(['Signal', 'Command', 'Send', 'Receive', 'Send', 'Receive', 'Receive']);
    expect(transport.stats()).toMatchObject({ shellsCreated: 1, commandsStarted: 2 });
  });

  it('drops a late result of another payload and takes only the one with its own sequence number', async () => {
    // A fake that answers the first line with a stray result of an older payload (seq 0) before its own.
    let calls = 0;
    const { transport } = await setup({
      splitOutput: false,
      run: (command, args, line) => {
        const one = echoBootstrap(command, args, line);
        const stale = `${RESULT_MARKER}{"meta":{"seq":0,"memoryMB":1,"warnings":[]},"ok":true,"data":"stale"}${END_MARKER}\r\n`;
        return ++calls === 1 ? { ...one, stdout: `${stale}${one.stdout}` } : one;
      },
    });
    expect(await transport.run('127.0.0.1', invocation)).toMatchObject({ ok: true, data: { params: { Name: 'NODE1 ✓' } } });
    expect(await transport.run('127.0.0.1', { ...invocation, params: { Name: 'second' } })).toMatchObject({ ok: true, data: { params: { Name: 'second' } } });
  });

  it('re-authenticates with new keys on a new socket after the connection dropped', async () => {
    const { server, transport, passwordReads } = await setup();
    await transport.run('127.0.0.1', invocation);
    server.dropConnections();
    // Let the client see the socket close (a few event-loop turns, each with an I/O phase). A Send written
    // before it did would be a payload of unknown fate, which the next test covers.
    for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
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

  it('reports a process that ended without the result as transient WINRM_PROCESS_ENDED_WITHOUT_RESULT, and recovers (issue 19, case 2)', async () => {
    let calls = 0;
    const { transport } = await setup({
      run: (command, args, line) => (++calls === 1 ? { stdout: 'nothing here', stderr: 'boom', exitCode: -1073741502, exits: true } : echoBootstrap(command, args, line)),
    });
    const error = (await transport.run('127.0.0.1', invocation).catch((e: unknown) => e)) as AppError;
    expect(error).toMatchObject({ code: WinRmErrorCode.processEnded, transient: true, exitCode: 4, details: { exitCode: -1073741502, outcomeUnknown: true } });
    expect(error.message).toContain('boom');
    expect((await transport.run('127.0.0.1', invocation)).ok).toBe(true);
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
    const { server, transport } = await setup({ timeoutsPerLine: 1000 }, { clock });
    await expect(transport.run('127.0.0.1', invocation, { timeoutMs: 5000 })).rejects.toMatchObject({
      code: WinRmErrorCode.receiveTimeout,
      exitCode: 4,
    });
    // The payload still running is ended at once, with its shell.
    expect(server.log.slice(-2).map((l) => l.action)).toEqual(['Signal', 'Delete']);
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

  it.each([
    ['the name the certificate carries', 'localhost', true],
    ['a name it does not carry, reached by the address it does carry', 'NODE9', false],
  ])('with --node-address, checks the certificate against the node name: %s (issue 14 §8)', async (_label, node, accepted) => {
    const { server } = await setup({ tls });
    const transport = new WinRmTransport({
      mode: 'persistent',
      useSsl: true,
      caFile: `${tlsDir}localhost.crt`,
      authentication: 'Negotiate',
      username: 'CORP\\admin',
      password: () => PASSWORD,
      resolveEndpoint: () => ({ host: '127.0.0.1', port: server.port }),
    });
    transports.push(transport);
    const outcome = transport.run(node, invocation);
    if (accepted) expect((await outcome).ok).toBe(true);
    else await expect(outcome).rejects.toMatchObject({ code: WinRmErrorCode.tls, exitCode: 4, message: expect.stringContaining('does not name NODE9') });
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
