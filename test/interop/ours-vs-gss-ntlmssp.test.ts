// Interop: our WinRmTransport authenticates against gss-ntlmssp (the acceptor of the WS-Man test server, run
// through python3-gssapi) and exchanges sealed messages with it: local and DOMAIN\user accounts, long
// sequences (RC4 stream continuity, sequence numbers), payloads split over several Sends, a new context per
// connection.
import { ClusterGateway } from '../../src/cluster/gateway.js';
import { ntlmAcceptorMissing } from '../wsman-server/ntlm-sidecar.js';
import { PASSWORD, USER, peersAvailable, shortFixture, startServer, type ServerHarness } from '../wsman-server/test-support.js';

const describeIf = peersAvailable('our client against gss-ntlmssp', ntlmAcceptorMissing()) ? describe : describe.skip;

describeIf('our WinRM client against the gss-ntlmssp acceptor', () => {
  let h: ServerHarness;
  afterEach(async () => {
    await h?.close();
  });

  it.each<{ account: string; username: string; users: Record<string, string> }>([
    { account: 'a local account', username: USER, users: { [USER]: PASSWORD } },
    { account: 'a DOMAIN\\user account', username: `CONTOSO\\${USER}`, users: { [`CONTOSO\\${USER}`]: PASSWORD } },
  ])('authenticates $account and keeps 40 sealed exchanges in step', async ({ username, users }) => {
    h = await startServer({ fixture: shortFixture(), users, auth: ['ntlm'] });
    const client = h.client({ username, mode: 'persistent' });
    const gateway = new ClusterGateway(client);
    for (let i = 0; i < 10; i++) await gateway.call('N1', 'get-node-status', {});
    // Create and Command once (the persistent bootstrap: its line, READY), then one Send and one Receive per operation.
    expect(h.server.requests.map((r) => r.action)).toEqual(['Create', 'Command', 'Send', 'Receive', ...Array.from({ length: 10 }, () => ['Send', 'Receive']).flat()]);
    expect(h.server.requests.every((r) => r.encrypted)).toBe(true);
    expect(h.server.stats('N1').handshakes).toBe(1);
    expect(client.stats()).toMatchObject({ handshakes: 1, shellsCreated: 1 });
    expect(h.server.violations).toEqual([]);
  });

  it('seals a payload split over several Sends and gets it back intact', async () => {
    h = await startServer({ fixture: shortFixture(), auth: ['ntlm'] });
    const gateway = new ClusterGateway(h.client({ maxEnvelopeSize: 8192 }));
    const value = 'é€😀<&>'.repeat(2000);
    await gateway.call('WSM01', 'set-cluster-property', { name: 'BigValue', value });
    const back = await gateway.call('WSM01', 'get-cluster-property', { name: 'BigValue' });
    expect(back.value).toBe(value);
    const sends = h.server.requests.filter((r) => r.action === 'Send');
    expect(sends.length).toBeGreaterThan(4);
    expect(h.server.invocations[0]!.params).toEqual({ name: 'BigValue', value });
  });

  it('authenticates a new context on every new connection', async () => {
    h = await startServer({ fixture: shortFixture(), auth: ['ntlm'] });
    const a = h.client();
    const b = h.client();
    await new ClusterGateway(a).call('N2', 'get-node-status', {});
    await new ClusterGateway(b).call('N2', 'get-node-status', {});
    await a.close();
    await new ClusterGateway(h.client()).call('N2', 'get-node-status', {});
    expect(h.server.stats('N2').handshakes).toBe(3);
    expect(new Set(h.server.requests.filter((r) => r.endpoint === 'N2').map((r) => r.socketId)).size).toBeGreaterThanOrEqual(3);
  });
});
