// The cluster service stopped and started node by node, each over its own session (no Stop-/Start-Cluster
// reaching the other nodes): the cluster stops when too few services run, and forms again once a majority
// has started.
import { openTestSim, type SimHarness } from './test-support.js';

let h: SimHarness;
afterEach(() => h?.cleanup());

const fourNodes = { name: 'OFF01', passwordHeld: false, nodes: [{ name: 'NODE1' }, { name: 'NODE2' }, { name: 'NODE3' }, { name: 'NODE4' }] };
const nodeStates = async (): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const n of ['NODE1', 'NODE2', 'NODE3', 'NODE4']) out[n] = ((await h.ok(n, 'get-cluster-service', {})) as { status: string }).status;
  return out;
};

describe('stop-cluster and start-cluster, per node', () => {
  it('stopping nodes one by one stops the cluster when quorum goes; starting a majority forms it again', async () => {
    h = openTestSim(fourNodes);
    expect(await h.ok('NODE1', 'stop-cluster', { timeoutSeconds: 60 })).toEqual({ stopped: true, alreadyStopped: false });
    // Three of four services still run: the cluster answers, NODE1 is Down.
    const afterOne = (await h.ok('NODE2', 'get-cluster', {})) as { nodes: { name: string; state: string }[] };
    expect(afterOne.nodes.find((n) => n.name === 'NODE1')!.state).toBe('Down');
    await h.ok('NODE2', 'stop-cluster', { timeoutSeconds: 60 });
    await h.ok('NODE3', 'stop-cluster', { timeoutSeconds: 60 });
    await h.ok('NODE4', 'stop-cluster', { timeoutSeconds: 60 });
    expect(await h.ok('NODE4', 'stop-cluster', { timeoutSeconds: 60 })).toEqual({ stopped: true, alreadyStopped: true });
    expect(Object.values(await nodeStates())).toEqual(['Stopped', 'Stopped', 'Stopped', 'Stopped']);

    // One node alone cannot form the cluster: it waits, then says so.
    expect(await h.ok('NODE1', 'start-cluster', { timeoutSeconds: 30 })).toEqual({ alreadyRunning: false, quorum: false, nodesUp: [] });
    // All started at once, as the coordinator does: the cluster forms with every node.
    const started = await Promise.all(['NODE1', 'NODE2', 'NODE3', 'NODE4'].map((n) => h.ok(n, 'start-cluster', { timeoutSeconds: 600 })));
    for (const r of started) expect(r).toMatchObject({ quorum: true, nodesUp: ['NODE1', 'NODE2', 'NODE3', 'NODE4'] });
    const cluster = (await h.ok('NODE1', 'get-cluster', {})) as { nodes: { state: string }[]; quorum: { healthy: boolean } };
    expect(cluster.quorum.healthy).toBe(true);
    expect(cluster.nodes.every((n) => n.state === 'Up')).toBe(true);
  });

  it('a disabled cluster service is refused, naming the node', async () => {
    h = openTestSim(fourNodes);
    await h.ok('NODE1', 'set-cluster-service', { startMode: 'Disabled' });
    const outcome = await h.sim.transport.run('NODE1', { name: 'start-cluster', script: '', params: { timeoutSeconds: 60 } });
    expect(outcome).toMatchObject({ ok: false, error: { message: expect.stringMatching(/NODE1 is disabled/) } });
  });
});

describe('serviceStaysStopped', () => {
  it('an Automatic service stopped before the restart is stopped after it, and restart-node did not record it as running', async () => {
    h = openTestSim({ name: 'SVC01', nodes: [{ name: 'NODE1', faults: [{ kind: 'serviceStaysStopped', service: 'MapsBroker' }] }, { name: 'NODE2' }] });
    expect(((await h.ok('NODE1', 'get-node-status', {})) as { autoStartServicesNotRunning: string[] }).autoStartServicesNotRunning).toContain('MapsBroker');
    const restart = (await h.ok('NODE1', 'restart-node', { soft: false, delaySeconds: 5 })) as { servicesBeforeRestart: string[] };
    expect(restart.servicesBeforeRestart).toContain('ClusSvc');
    expect(restart.servicesBeforeRestart).not.toContain('MapsBroker');
    await h.wait(3600);
    const after = (await h.ok('NODE1', 'get-node-status', {})) as { autoStartServicesNotRunning: string[] };
    // Still stopped long after the restart; of the services that ran before it, none is missing.
    expect(after.autoStartServicesNotRunning).toEqual(['MapsBroker']);
    expect(after.autoStartServicesNotRunning.filter((s) => restart.servicesBeforeRestart.includes(s))).toEqual([]);
  });
});

describe('the update worker as Windows runs it', () => {
  const cu = { id: 'cu-1', kb: 'KB5031364', title: 'Cumulative Update', rebootRequired: true };
  const plugin = { plugin: 'Microsoft.WindowsUpdatePlugin' as const, arguments: {} };

  it('setup.rebootPending: the install refuses to start (Failed, rebootRequired, REBOOT_PENDING) and installs nothing', async () => {
    h = openTestSim({ name: 'RBP01', nodes: [{ name: 'NODE1', setup: { rebootPending: true }, updates: [cu] }, { name: 'NODE2' }] });
    await h.ok('NODE1', 'start-update-task', { ...plugin, mode: 'Install', updateIds: ['cu-1'], taskId: 't-1' });
    const done = await h.ok('NODE1', 'wait-update-task', { taskId: 't-1', timeoutSeconds: 7200 });
    expect(done).toMatchObject({ state: 'Failed', rebootRequired: true, results: [], message: expect.stringMatching(/^REBOOT_PENDING: /) });
    expect(((await h.ok('NODE1', 'scan-updates', plugin)) as { updates: unknown[] }).updates).toHaveLength(1);
  });

  it('fault downloadFails: staging reports the failed download; the install after it installs nothing', async () => {
    h = openTestSim({ name: 'DLF01', nodes: [{ name: 'NODE1', updates: [cu], faults: [{ kind: 'downloadFails', times: 2, errorCode: '0x80240438' }] }, { name: 'NODE2' }] });
    await h.ok('NODE1', 'start-update-task', { ...plugin, mode: 'Download', updateIds: ['cu-1'], taskId: 'stage-1' });
    expect(await h.ok('NODE1', 'wait-update-task', { taskId: 'stage-1', timeoutSeconds: 7200 })).toMatchObject({
      state: 'Completed',
      results: [{ updateId: 'cu-1', resultCode: 'Failed', errorCode: '0x80240438' }],
    });
    await h.ok('NODE1', 'start-update-task', { ...plugin, mode: 'Install', updateIds: ['cu-1'], taskId: 'install-1' });
    expect(await h.ok('NODE1', 'wait-update-task', { taskId: 'install-1', timeoutSeconds: 7200 })).toMatchObject({
      state: 'Completed',
      rebootRequired: false,
      results: [{ resultCode: 'Failed', errorCode: '0x80240438' }],
    });
    // The fault is spent: the third attempt downloads and installs.
    await h.ok('NODE1', 'start-update-task', { ...plugin, mode: 'Install', updateIds: ['cu-1'], taskId: 'install-2' });
    expect(await h.ok('NODE1', 'wait-update-task', { taskId: 'install-2', timeoutSeconds: 7200 })).toMatchObject({ state: 'Completed', results: [{ resultCode: 'Succeeded' }] });
  });
});
