// Issue 19: the WinRM session as Windows really runs it. Each of the eight failure cases, switched on in the
// WS-Man test server (gss-ntlmssp acceptor, every message sealed), in both execution modes: the operation ends
// as it should, and no payload ever runs twice (the server counts runs per payload id).
import { ClusterGateway } from '../../src/cluster/gateway.js';
import { buildInvocation } from '../../src/cluster/invocation.js';
import { AppError } from '../../src/errors.js';
import type { WinRmMode } from '../../src/transport/winrm/winrm-transport.js';
import { ntlmAcceptorMissing } from './ntlm-sidecar.js';
import { peersAvailable, shortFixture, startServer, type ServerHarness } from './test-support.js';
import type { LifecycleOptions, WsmanTestServerOptions } from './wsman-server.js';

const describeIf = peersAvailable('WinRM lifecycle tests', ntlmAcceptorMissing()) ? describe : describe.skip;

/** Polls a condition every few milliseconds (the server works in real time), for at most ~10 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise<void>((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('condition not reached');
}

describeIf.each<WinRmMode>(['per-operation', 'persistent'])('WinRM lifecycle against the WS-Man test server, %s mode', (mode) => {
  let h: ServerHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function setup(lifecycle: LifecycleOptions = {}, server: Partial<WsmanTestServerOptions> = {}, client: Parameters<ServerHarness['client']>[0] = {}) {
    h = await startServer({ fixture: shortFixture(), auth: ['ntlm'], lifecycle, ...server });
    const transport = h.client({ mode, ...client });
    return { h, server: h.server, transport, gateway: new ClusterGateway(transport) };
  }

  const expectEachPayloadRanOnce = (server: ServerHarness['server']): void => {
    const runs = Object.values(server.payloadRuns());
    expect(runs.length).toBe(server.invocations.length);
    expect(runs.filter((n) => n !== 1)).toEqual([]);
    expect(server.violations).toEqual([]);
  };

  it('case 1: a Send answered TimedOut, 1460 or 170 took its data: the result is received, the payload never sent again', async () => {
    const { server, gateway } = await setup();
    await gateway.call('N1', 'get-node-status', {});
    server.lifecycle.sendFaults = ['TimedOut', 1460, 170];
    for (let i = 0; i < 3; i++) expect((await gateway.call('N1', 'get-node-status', {})).clusterNodeState).toBe('Up');
    expect(server.stats('N1').faults).toMatchObject({ sendTimedOut: 1, send1460: 1, send170: 1 });
    expect(server.stats('N1').shellsCreated).toBe(1);
    expectEachPayloadRanOnce(server);
  });

  it('case 1: a maybe-delivered payload whose result does not come before the deadline is WINRM_SEND_MAYBE_DELIVERED, never re-sent', async () => {
    // A drain of 2 roles x 1 s at real speed: far longer than the 200 ms deadline given to this call.
    const { server, transport } = await setup({ sendFaults: ['TimedOut'] }, { speed: 1, receiveHoldMs: 50 });
    const error = (await transport.run('WSM01', buildInvocation('suspend-node', { name: 'N1', forceDrain: false, timeoutSeconds: 60 }), { timeoutMs: 200 }).catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'WINRM_SEND_MAYBE_DELIVERED', transient: true, exitCode: 4, details: { outcomeUnknown: true } });
    expect(error.message).toContain('suspend-node');
    expect(server.invocations.filter((i) => i.name === 'suspend-node')).toHaveLength(1);
    expectEachPayloadRanOnce(server);
  });

  it('case 1: a Send to a powershell.exe still starting blocks and times out; the payload still runs once', async () => {
    const { server, gateway } = await setup({ sendBlocksUntilRead: true }, { processStartMs: 300, receiveHoldMs: 50 });
    expect((await gateway.call('N1', 'get-node-status', {})).clusterNodeState).toBe('Up');
    expect(server.stats('N1').faults['sendTimedOut']).toBeGreaterThan(0);
    expectEachPayloadRanOnce(server);
  });

  it('case 2: a process that died between operations (the Send faults 232) is replaced and the payload sent once', async () => {
    const { server, gateway, transport } = await setup({ killAfterPayloads: 1 });
    for (let i = 0; i < 3; i++) expect((await gateway.call('N1', 'get-node-status', {})).clusterNodeState).toBe('Up');
    expectEachPayloadRanOnce(server);
    expect(server.invocations).toHaveLength(3);
    // Per-operation mode starts a process per operation anyway; persistent mode replaces the dead one.
    expect(transport.stats().commandsStarted).toBe(3);
  });

  it('case 2: a process reported Done without the result is transient WINRM_PROCESS_ENDED_WITHOUT_RESULT, then the node is used again', async () => {
    const { server, gateway } = await setup();
    await gateway.call('N1', 'get-node-status', {});
    server.lifecycle.endWithoutResult = { times: 1, exitCode: 3221225786 };
    const error = (await gateway.call('N1', 'get-node-status', {}).catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'WINRM_PROCESS_ENDED_WITHOUT_RESULT', transient: true, exitCode: 4, details: { outcomeUnknown: true } });
    expect(error.message).toContain('N1');
    expect((await gateway.call('N1', 'get-node-status', {})).clusterNodeState).toBe('Up');
    expectEachPayloadRanOnce(server);
  });

  it.each<'honour' | 'ignore'>(['honour', 'ignore'])('case 3: Windows that %ss WINRS_SKIP_CMD_SHELL starts the bootstrap', async (skipCmdShell) => {
    const { server, gateway } = await setup({ skipCmdShell });
    expect((await gateway.call('N1', 'get-node-status', {})).clusterNodeState).toBe('Up');
    expect(server.stats('N1').faults).toEqual({});
    expectEachPayloadRanOnce(server);
  });

  it('case 4: a connection dropped under a held Receive re-authenticates and goes on with the same command', async () => {
    const { server, gateway } = await setup({ dropReceives: 2 }, { speed: 4, receiveHoldMs: 50 });
    const result = await gateway.call('WSM01', 'suspend-node', { name: 'N1', forceDrain: false, timeoutSeconds: 60 });
    expect(result).toMatchObject({ state: 'Paused', drainStatus: 'Completed' });
    const stats = server.stats('WSM01');
    expect(stats.faults['droppedReceive']).toBe(2);
    expect(stats.handshakes).toBeGreaterThanOrEqual(2);
    expect(stats.shellsCreated).toBe(1);
    expect(stats.actions['Command']).toBe(1);
    expectEachPayloadRanOnce(server);
  });

  it('case 5: stderr of a later payload (no CLIXML header: the process wrote it once) is decoded in the error', async () => {
    const { server, gateway } = await setup({ stderrPerPayload: 'first payload noise' });
    await gateway.call('N1', 'get-node-status', {});
    server.lifecycle.stderrPerPayload = undefined;
    server.lifecycle.endWithoutResult = { times: 1, exitCode: 1 };
    const error = (await gateway.call('N1', 'get-node-status', {}).catch((e: unknown) => e)) as AppError;
    expect(error).toMatchObject({ code: 'WINRM_PROCESS_ENDED_WITHOUT_RESULT' });
    expect(error.message).toContain('The pipeline has been stopped.');
    expect(error.message).not.toContain('<Objs');
    expect(error.message).not.toContain('first payload noise');
  });

  it('case 6: shells ask for IdleTimeOut (30 minutes by default, or as configured), survive being reaped, and are deleted on close', async () => {
    const { server, gateway, transport } = await setup({ maxShellsPerUser: 1 });
    await gateway.call('N1', 'get-node-status', {});
    expect(server.reapIdleShells()).toBe(1);
    await gateway.call('N1', 'get-node-status', {});
    expect(server.stats('N1').idleTimeouts).toEqual(['PT1800S', 'PT1800S']);
    expect(server.stats('N1').faults).toEqual({});
    expectEachPayloadRanOnce(server);
    await transport.close();
    expect(server.shellCount('N1')).toBe(0);
    const other = new ClusterGateway(h!.client({ mode, idleTimeoutSeconds: 60 }));
    await other.call('N1', 'get-node-status', {});
    expect(server.stats('N1').idleTimeouts.at(-1)).toBe('PT60S');
  });

  it('case 6: a process is recycled before MaxMemoryPerShellMB kills it', async () => {
    const { server, gateway, transport } = await setup({ memory: { baseMB: 100, perPayloadMB: 100, maxPerShellMB: 450 } }, {}, { recycle: { maxMemoryMB: 300 } });
    for (let i = 0; i < 6; i++) expect((await gateway.call('N1', 'get-node-status', {})).clusterNodeState).toBe('Up');
    expect(server.stats('N1').faults['memoryQuota']).toBeUndefined();
    if (mode === 'persistent') expect(transport.stats().recycled).toBe(3);
    expectEachPayloadRanOnce(server);
  });

  it.each([503, 404] as const)('case 7: HTTP %i while WinRM restarts is transient; the next call goes through', async (status) => {
    const { server, gateway } = await setup();
    await gateway.call('N1', 'get-node-status', {});
    server.lifecycle.unavailable = { status, times: 1 };
    const error = await gateway.call('N1', 'get-node-status', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WINRM_SERVICE_UNAVAILABLE', transient: true, exitCode: 4 });
    expect((await gateway.call('N1', 'get-node-status', {})).clusterNodeState).toBe('Up');
    expectEachPayloadRanOnce(server);
  });

  it('case 7: HTTP 400 (encryption out of step) resets the connection: a new handshake, and the payload once', async () => {
    const { server, gateway } = await setup();
    await gateway.call('N1', 'get-node-status', {});
    server.lifecycle.desyncOnce = true;
    expect((await gateway.call('N1', 'get-node-status', {})).clusterNodeState).toBe('Up');
    expect(server.stats('N1').faults).toEqual({ desync: 1 });
    expect(server.stats('N1').handshakes).toBe(2);
    expectEachPayloadRanOnce(server);
  });

  it('case 8: a CommandId the node no longer knows is answered as Windows does (2150858843): transient, outcome unknown', async () => {
    const { server, gateway } = await setup({}, { speed: 4, receiveHoldMs: 50 });
    const pending = gateway.call('WSM01', 'suspend-node', { name: 'N1', forceDrain: false, timeoutSeconds: 60 }).catch((e: unknown) => e);
    await until(() => server.stats('WSM01').timedOut > 0);
    server.forgetCommands();
    const error = (await pending) as AppError;
    expect(error).toMatchObject({ code: 'WINRM_SHELL_NOT_FOUND', transient: true, details: { outcomeUnknown: true } });
    expect(error.message).toContain('command identifier that does not exist');
    expect(server.stats('WSM01').unknownCommands).toBe(1);
    expect((await gateway.call('N1', 'get-node-status', {})).clusterNodeState).toBeDefined();
    expectEachPayloadRanOnce(server);
  });

  it('a shell-not-found before the payload left sends it on a new shell; the old client call is not repeated', async () => {
    const { server, gateway } = await setup();
    await gateway.call('N2', 'get-node-status', {});
    server.reapIdleShells();
    await gateway.call('N2', 'get-node-status', {});
    const invocation = buildInvocation('get-node-status', {});
    expect(server.invocations.filter((i) => i.script === invocation.script)).toHaveLength(2);
    expectEachPayloadRanOnce(server);
  });
});
