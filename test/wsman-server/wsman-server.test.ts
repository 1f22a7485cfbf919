// The WS-Man test server with our client: NTLM through the gss-ntlmssp acceptor with sealing, Basic, the
// catalogue check, TimedOut while an operation runs, shell-not-found and connection resets across a reboot.
import { ClusterGateway } from '../../src/cluster/gateway.js';
import { buildInvocation } from '../../src/cluster/invocation.js';
import type { AppError } from '../../src/errors.js';
import { ntlmAcceptorMissing } from './ntlm-sidecar.js';
import { PASSWORD, peersAvailable, shortFixture, startServer, type ServerHarness } from './test-support.js';

const run = peersAvailable('WS-Man test server NTLM tests', ntlmAcceptorMissing());
const describeIf = run ? describe : describe.skip;

describeIf('WS-Man test server (gss-ntlmssp acceptor)', () => {
  let h: ServerHarness;
  afterEach(async () => {
    await h?.close();
  });

  it('runs catalogue operations for our client over NTLM with every message sealed', async () => {
    h = await startServer({ fixture: shortFixture() });
    const gateway = new ClusterGateway(h.client());
    const status = await gateway.call('N1', 'get-node-status', {});
    expect(status.clusterNodeState).toBe('Up');
    const cluster = await gateway.call('WSM01', 'get-cluster', {});
    expect(cluster).toMatchObject({ name: 'WSM01' });

    const { server } = h;
    expect(server.violations).toEqual([]);
    expect(server.invocations.map((i) => [i.endpoint, i.via, i.name])).toEqual([
      ['N1', 'bootstrap', 'get-node-status'],
      ['WSM01', 'bootstrap', 'get-cluster'],
    ]);
    expect(server.requests.every((r) => r.auth === 'ntlm' && r.encrypted)).toBe(true);
    // Per-operation mode (the default): the stub, its stdin (bootstrap and payload, then End), the result, Signal.
    expect(server.requests.filter((r) => r.endpoint === 'N1').map((r) => r.action)).toEqual(['Create', 'Command', 'Send', 'Receive', 'Signal']);
    expect(server.stats('N1')).toMatchObject({ handshakes: 1, shellsCreated: 1 });
    // The password never travels inside a message, sealed or not.
    expect(server.requests.some((r) => r.xml.includes(PASSWORD))).toBe(false);
  });

  it('refuses a wrong password with HTTP 401, named as an authentication failure', async () => {
    h = await startServer({ fixture: shortFixture() });
    const client = h.client({ password: () => 'wrong' });
    await expect(client.run('N1', buildInvocation('get-node-status', {}))).rejects.toMatchObject({ code: 'TRANSPORT_AUTH_REFUSED' });
    expect(h.server.stats('N1').handshakes).toBe(0);
  });

  it('serves Basic (AllowUnencrypted) without sealing', async () => {
    h = await startServer({ fixture: shortFixture(), auth: ['basic'] });
    const gateway = new ClusterGateway(h.client({ authentication: 'Basic', allowUnencrypted: true }));
    await gateway.call('N2', 'get-node-status', {});
    expect(h.server.requests.every((r) => r.auth === 'basic' && !r.encrypted)).toBe(true);
    expect(h.server.invocations.map((i) => i.name)).toEqual(['get-node-status']);
  });

  it('answers a script that is not a catalogue script with a refusal and records a violation', async () => {
    h = await startServer({ fixture: shortFixture() });
    const invocation = buildInvocation('get-node-status', {});
    const outcome = h.client().run('N1', { ...invocation, script: `${invocation.script}\n# edited` });
    // The server ends the process instead of answering: the client says so, with the process's stderr.
    await expect(outcome).rejects.toMatchObject({ code: 'WINRM_PROCESS_ENDED_WITHOUT_RESULT', message: expect.stringContaining('catalogue') });
    expect(h.server.invocations[0]).toMatchObject({ name: undefined, outcome: 'refused: script not in the catalogue' });
    expect(h.server.violations).toHaveLength(1);
  });

  it('answers w:TimedOut to Receives while a drain runs, and the client polls on to the result', async () => {
    // 2 roles x 1 s drain at 4 virtual seconds per real second: half a second of real time.
    h = await startServer({ fixture: shortFixture(), speed: 4, receiveHoldMs: 50 });
    const gateway = new ClusterGateway(h.client());
    const result = await gateway.call('WSM01', 'suspend-node', { name: 'N1', forceDrain: false, timeoutSeconds: 60 });
    expect(result).toMatchObject({ state: 'Paused', drainStatus: 'Completed' });
    const stats = h.server.stats('WSM01');
    expect(stats.timedOut).toBeGreaterThan(0);
    expect(stats.actions['Receive']).toBeGreaterThan(stats.timedOut);
  });

  it('resets connections while a node restarts, then answers shell-not-found; the client re-authenticates', async () => {
    h = await startServer({ fixture: shortFixture('WSM01', 2, { rebootSeconds: 20 }) });
    const client = h.client();
    const gateway = new ClusterGateway(client);
    const before = await gateway.call('N1', 'get-node-status', {});
    await gateway.call('N1', 'restart-node', { soft: false, delaySeconds: 2 });
    // At 'max' virtual time moves only when something sleeps on it: let shutdown.exe's delay pass. While the
    // node is away every call fails as unreachable, and each refused connection costs virtual seconds.
    await h.server.sim.clock.sleep(3000);
    let after;
    const errors: string[] = [];
    for (let i = 0; i < 20 && after === undefined; i++) {
      try {
        const s = await gateway.call('N1', 'get-node-status', {});
        if (s.lastBootUpTime !== before.lastBootUpTime && s.autoStartServicesNotRunning.length === 0) after = s;
      } catch (error) {
        errors.push((error as AppError).code);
      }
    }
    expect(after).toBeDefined();
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(['TRANSPORT_UNREACHABLE']));
    const stats = h.server.stats('N1');
    expect(stats.resets).toBeGreaterThan(0);
    expect(stats.handshakes).toBeGreaterThanOrEqual(2);
    expect(stats.shellsCreated).toBe(2);
    expect(client.stats().shellsCreated).toBe(2);
    expect(h.server.violations).toEqual([]);
  });

  it('answers shell-not-found for a shell created before a reboot that the client never saw (persistent mode)', async () => {
    h = await startServer({ fixture: shortFixture(), auth: ['basic'] });
    const client = h.client({ authentication: 'Basic', allowUnencrypted: true, mode: 'persistent' });
    const gateway = new ClusterGateway(client);
    await gateway.call('N2', 'get-node-status', {});
    await gateway.call('N2', 'restart-node', { soft: true, delaySeconds: 2 });
    // Let the node go down and come back with nobody asking (virtual time passes at 'max').
    await h.server.sim.clock.sleep(60_000);
    // The kept-alive connection died with the reboot: the next Send is reset, and since the client cannot
    // tell whether it arrived, it reports the outcome as unknown rather than sending the payload again.
    await expect(gateway.call('N2', 'get-node-status', {})).rejects.toMatchObject({ code: 'TRANSPORT_UNREACHABLE', details: { outcomeUnknown: true } });
    expect(h.server.invocations.filter((i) => i.name === 'get-node-status')).toHaveLength(1);
    // The next call ends the old shell (which the rebooted node no longer knows) and starts a new one.
    await gateway.call('N2', 'get-node-status', {});
    const stats = h.server.stats('N2');
    expect(stats.shellsNotFound).toBe(1);
    expect(stats.shellsCreated).toBe(2);
    expect(stats.resets).toBe(1);
  });

  it('keeps one powershell.exe per shell in persistent mode: warm operations are one Send and one Receive', async () => {
    h = await startServer({ fixture: shortFixture() });
    const gateway = new ClusterGateway(h.client({ mode: 'persistent' }));
    await gateway.call('N1', 'get-node-status', {});
    const before = { ...h.server.stats('N1').actions };
    for (let i = 0; i < 5; i++) await gateway.call('N1', i % 2 === 0 ? 'get-node-status' : 'get-cluster', {});
    const after = h.server.stats('N1').actions;
    const delta = Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
    expect(delta).toEqual({ Send: 5, Receive: 5 });
    expect(h.server.invocations.map((i) => i.name)).toEqual(['get-node-status', 'get-node-status', 'get-cluster', 'get-node-status', 'get-cluster', 'get-node-status']);
    expect(h.server.violations).toEqual([]);
  });

  it('makes each powershell.exe Command wait processStartMs, paid once by the persistent bootstrap', async () => {
    // A start-up long against the client's own pace (2 s, not 300 ms): on a loaded CI machine the client's first
    // Receive came more than 300 ms after its Command, so the process had already started and nothing was held.
    h = await startServer({ fixture: shortFixture(), processStartMs: 2000, receiveHoldMs: 50 });
    const client = h.client({ mode: 'persistent' });
    const gateway = new ClusterGateway(client);
    await gateway.call('N1', 'get-node-status', {});
    // The start-up is real time on the server: the first payload's Receives are held, time out and are polled
    // again until the process has started. The next payload finds it running.
    const first = h.server.stats('N1').timedOut;
    expect(first).toBeGreaterThan(0);
    await gateway.call('N1', 'get-node-status', {});
    expect(h.server.stats('N1').timedOut).toBe(first);
    // One Send for the bootstrap line, one per payload.
    expect(h.server.stats('N1').actions).toMatchObject({ Command: 1, Send: 3 });
    expect(client.stats()).toMatchObject({ commandsStarted: 1 });
  });

  it('in per-operation mode, a connection that died with a reboot fails the Command, so the payload is sent once on a new shell', async () => {
    h = await startServer({ fixture: shortFixture(), auth: ['basic'] });
    const gateway = new ClusterGateway(h.client({ authentication: 'Basic', allowUnencrypted: true }));
    await gateway.call('N2', 'get-node-status', {});
    await gateway.call('N2', 'restart-node', { soft: true, delaySeconds: 2 });
    await h.server.sim.clock.sleep(60_000);
    await gateway.call('N2', 'get-node-status', {});
    expect(h.server.invocations.filter((i) => i.name === 'get-node-status')).toHaveLength(2);
    const stats = h.server.stats('N2');
    expect(stats.shellsCreated).toBe(2);
    expect(stats.resets + stats.shellsNotFound).toBeGreaterThan(0);
  });
});
