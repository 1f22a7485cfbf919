// The second hop in the model: operations that reach other machines pass only with the admin's credential,
// which the simulator's transport attaches when the model holds the password (fixture passwordHeld).
import { openTestSim, type SimHarness } from './test-support.js';

let h: SimHarness;
afterEach(() => h?.cleanup());

const cluster = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'HOP01',
  nodes: [{ name: 'NODE1' }, { name: 'NODE2' }],
  ...extra,
});

describe('network credentials (the second hop)', () => {
  it('by default the model holds the password: Test-Cluster, the role cmdlets and scripts pass (only with it)', async () => {
    h = openTestSim(cluster({ cauRole: { schedule: { kind: 'Once', startDate: '2099-01-01T03:00' } } }));
    await h.ok('NODE1', 'test-cluster', { include: ['Inventory'] });
    await h.ok('NODE1', 'invoke-node-script', { path: '\\\\fs01\\scripts\\pre.ps1', configurationName: 'Microsoft.PowerShell' });
    expect(await h.ok('NODE1', 'change-cau-role', { action: 'Disable' })).toMatchObject({ status: 'Offline', removed: false });
  });

  it.each([
    ['test-cluster', { include: ['Inventory'] }],
    ['invoke-node-script', { path: '\\\\fs01\\scripts\\pre.ps1', configurationName: 'Microsoft.PowerShell' }],
    ['change-cau-role', { action: 'Disable' }],
  ] as const)('without the password, %s is denied with NETWORK_CREDENTIAL_REQUIRED', async (op, params) => {
    h = openTestSim(cluster({ passwordHeld: false, cauRole: { schedule: { kind: 'Once', startDate: '2099-01-01T03:00' } } }));
    const outcome = await h.sim.transport.run('NODE1', { name: op, script: '', params });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'NETWORK_CREDENTIAL_REQUIRED', message: expect.stringMatching(/password.*constrained delegation/s) } });
  });

  it('reads that never leave the node need no credential', async () => {
    h = openTestSim(cluster({ passwordHeld: false }));
    await h.ok('NODE1', 'get-cluster', {});
    await h.ok('NODE1', 'get-cau-role', {});
  });
});
