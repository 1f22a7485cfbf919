import { openTestSim, WU, type SimHarness } from './test-support.js';

/** A small S2D cluster with short, distinct timings, so expected virtual times are easy to read. */
const timing = { scanSeconds: 10, downloadSeconds: 100, drainSecondsPerRole: 5, installSeconds: 200, rebootSeconds: 300, servicesStartSeconds: 60, resyncSeconds: 400 };
function s2d(node2: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'LAB',
    timing,
    storage: { s2d: true },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    nodes: [
      { name: 'NODE1', roles: ['VM1'] },
      {
        name: 'NODE2',
        roles: ['VM2', 'VM3'],
        updates: [{ id: 'cu', kb: 'KB1', title: 'CU', followUps: [{ id: 'net', kb: 'KB2', title: '.NET', rebootRequired: false }] }],
        ...node2,
      },
      { name: 'NODE3', roles: [] },
    ],
    ...extra,
  };
}

const elapsed = (h: SimHarness): number => h.sim.audit().virtualSeconds;
const unreachable = { code: 'TRANSPORT_UNREACHABLE', exitCode: 4 };

let h: SimHarness;
afterEach(() => h?.cleanup());

async function installAll(node: string, taskId: string): Promise<Record<string, unknown>> {
  const scan = await h.ok(node, 'scan-updates', WU);
  const ids = (scan.updates as { updateId: string }[]).map((u) => u.updateId);
  await h.ok(node, 'start-update-task', { ...WU, mode: 'Install', updateIds: ids, taskId });
  return h.ok(node, 'wait-update-task', { taskId, timeoutSeconds: 3600 });
}

describe('a full manual node cycle', () => {
  it('suspend → install → restart → wait → resume → storage heals, with a clean audit', async () => {
    h = openTestSim(s2d());
    const before = await h.ok('NODE2', 'get-node-status', {});

    const suspended = await h.ok('NODE1', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 600 });
    expect(suspended).toEqual({ state: 'Paused', drainStatus: 'Completed' });
    expect(elapsed(h)).toBe(10); // 2 roles × 5 s
    const cluster = await h.ok('NODE1', 'get-cluster', {});
    const nodes = cluster.nodes as { name: string; state: string; roles: string[] }[];
    expect(nodes.find((n) => n.name === 'NODE2')).toMatchObject({ state: 'Paused', roles: [] });
    expect(nodes.flatMap((n) => n.roles).sort()).toEqual(['VM1', 'VM2', 'VM3']);

    const task = await installAll('NODE2', 'run1-NODE2-1');
    expect(task).toMatchObject({ state: 'Completed', rebootRequired: true, results: [{ updateId: 'cu', resultCode: 'Succeeded', errorCode: '0x0' }] });
    expect(elapsed(h)).toBe(10 + 10 + 300); // scan, then download + install (nothing was staged)
    expect((await h.ok('NODE2', 'get-node-status', {})).rebootPending).toBe(true);

    expect(await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 5 })).toMatchObject({ scheduled: true, bootType: 'FullReboot' });
    await h.wait(10);
    const t0 = elapsed(h);
    await expect(h.run('NODE2', 'get-node-status', {})).rejects.toMatchObject({ ...unreachable, message: expect.stringMatching(/NODE2 is not reachable over WinRM \(simulated: connection refused/) });
    expect(elapsed(h) - t0).toBe(2);
    const degraded = await h.ok('NODE1', 'get-storage-health', {});
    expect(degraded.virtualDisks).toEqual([expect.objectContaining({ healthStatus: 'Warning', operationalStatus: 'Incomplete' }), expect.anything()]);

    await h.wait(300);
    const booted = await h.ok('NODE2', 'get-node-status', {});
    expect(booted.lastBootUpTime).not.toBe(before.lastBootUpTime);
    expect(booted).toMatchObject({ clusterNodeState: 'Paused', rebootPending: false });
    expect((booted.autoStartServicesNotRunning as string[]).length).toBeGreaterThan(0);
    await h.wait(60);
    expect((await h.ok('NODE2', 'get-node-status', {})).autoStartServicesNotRunning).toEqual([]);
    // Still paused: storage stays in maintenance and no repair has started.
    expect((await h.ok('NODE1', 'get-storage-health', {})).jobs).toEqual([]);

    const rescan = await h.ok('NODE2', 'scan-updates', WU);
    expect(rescan.updates).toEqual([expect.objectContaining({ updateId: 'net', kb: 'KB2' })]);

    expect(await h.ok('NODE1', 'resume-node', { name: 'NODE2', failback: 'Immediate' })).toEqual({ state: 'Up' });
    const after = await h.ok('NODE1', 'get-cluster', {});
    expect((after.nodes as { name: string; roles: string[] }[]).find((n) => n.name === 'NODE2')!.roles.sort()).toEqual(['VM2', 'VM3']);
    await h.wait(99);
    const resync = await h.ok('NODE1', 'get-storage-health', {});
    const job = (resync.jobs as { jobState: string; bytesProcessed: number; bytesTotal: number; percentComplete: number }[])[0]!;
    expect(job).toMatchObject({ jobState: 'Running', percentComplete: 25 });
    expect(job.bytesProcessed).toBe(Math.floor(job.bytesTotal * 0.25));
    expect(resync.virtualDisks).toEqual([expect.objectContaining({ healthStatus: 'Warning', operationalStatus: 'InService' }), expect.anything()]);

    const healed = await h.ok('NODE1', 'wait-storage-healthy', { timeoutSeconds: 3600, pollSeconds: 10 });
    expect(healed).toMatchObject({ healthy: true, jobs: [], pools: [expect.objectContaining({ healthStatus: 'Healthy', operationalStatus: 'OK' })] });
    expect(healed.waitedSeconds).toBe(300);

    h.sim.noteRunEnd();
    expect(h.sim.audit()).toMatchObject({ maxNodesOutOfService: 1, violations: [] });
  });

  it('NoFailback leaves roles where the drain put them; a soft reboot is faster', async () => {
    h = openTestSim(s2d({ kernelSoftReboot: 'Enabled' }));
    await h.ok('NODE2', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 });
    expect(await h.ok('NODE2', 'restart-node', { soft: true, delaySeconds: 2 })).toMatchObject({ bootType: 'SoftReboot', softBootStatus: 'Enabled' });
    await h.wait(2 + 120); // 40% of 300 s
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Paused', softRestartFellBack: false });
    await h.ok('NODE2', 'resume-node', { name: 'NODE2', failback: 'NoFailback' });
    const cluster = await h.ok('NODE1', 'get-cluster', {});
    expect((cluster.nodes as { name: string; roles: string[] }[]).find((n) => n.name === 'NODE2')!.roles).toEqual([]);
  });

  it('staging first takes the download off the install', async () => {
    h = openTestSim(s2d());
    await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Download', updateIds: ['cu'], taskId: 'stage-1' });
    expect(await h.ok('NODE2', 'wait-update-task', { taskId: 'stage-1', timeoutSeconds: 3600 })).toMatchObject({ state: 'Completed', rebootRequired: false });
    expect(elapsed(h)).toBe(100);
    await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Install', updateIds: ['cu'], taskId: 'inst-1' });
    const partial = await h.ok('NODE2', 'wait-update-task', { taskId: 'inst-1', timeoutSeconds: 50 });
    expect(partial).toMatchObject({ state: 'Running', results: [] });
    expect(await h.ok('NODE2', 'wait-update-task', { taskId: 'inst-1', timeoutSeconds: 3600 })).toMatchObject({ state: 'Completed' });
    expect(elapsed(h)).toBe(300);
    expect(await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Install', updateIds: ['cu'], taskId: 'inst-1' })).toEqual({ taskId: 'inst-1', alreadyStarted: true });
    expect(await h.ok('NODE2', 'wait-update-task', { taskId: 'other', timeoutSeconds: 10 })).toMatchObject({ state: 'NotFound' });
  });

  it('a restart during an install aborts the task', async () => {
    h = openTestSim(s2d());
    await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Install', updateIds: ['cu'], taskId: 't' });
    await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 2 });
    await h.wait(400);
    expect(await h.ok('NODE2', 'wait-update-task', { taskId: 't', timeoutSeconds: 10 })).toMatchObject({ state: 'Failed', results: [{ resultCode: 'Aborted' }] });
  });
});

describe('faults', () => {
  it('installFails: the first `times` install tasks end Failed with the error code', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'installFails', times: 2, errorCode: '0x80240022' }] }));
    for (const attempt of [1, 2]) {
      expect(await installAll('NODE2', `a${attempt}`)).toMatchObject({ state: 'Failed', results: [{ resultCode: 'Failed', errorCode: '0x80240022' }] });
    }
    expect(await installAll('NODE2', 'a3')).toMatchObject({ state: 'Completed', results: [{ resultCode: 'Succeeded' }] });
  });

  it('slowInstall: every install runs that much longer', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'slowInstall', seconds: 3600 }] }));
    await h.ok('NODE1', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 600 });
    const ids = ((await h.ok('NODE2', 'scan-updates', WU)).updates as { updateId: string }[]).map((u) => u.updateId);
    await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Install', updateIds: ids, taskId: 't1' });
    // The timing's install (200 s) and download (100 s), and the fault's hour.
    expect(await h.ok('NODE2', 'wait-update-task', { taskId: 't1', timeoutSeconds: 3600 })).toMatchObject({ state: 'Running' });
    expect(await h.ok('NODE2', 'wait-update-task', { taskId: 't1', timeoutSeconds: 300 })).toMatchObject({ state: 'Completed' });
    expect(h.sim.audit().violations).toEqual([]);
  });

  it.each([
    ['resumed', () => h.ok('NODE1', 'resume-node', { name: 'NODE2', failback: 'NoFailback' })],
    ['restarted', () => h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 5 })],
  ] as const)('a node %s while its update task installs is a violation', async (action, act) => {
    h = openTestSim(s2d({ faults: [{ kind: 'slowInstall', seconds: 3600 }] }));
    await h.ok('NODE1', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 600 });
    const ids = ((await h.ok('NODE2', 'scan-updates', WU)).updates as { updateId: string }[]).map((u) => u.updateId);
    await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Install', updateIds: ids, taskId: 't1' });
    await h.wait(60);
    await act();
    expect(h.sim.audit().violations).toEqual([expect.stringMatching(new RegExp(`: NODE2 was ${action} while its update task t1 was still installing \\(started 6\\d s before\\)\\.$`))]);
  });

  it("an update task that would run past the Task Scheduler's 12 hours is stopped there: Failed, nothing installed", async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'slowInstall', seconds: 13 * 3600 }] }));
    await h.ok('NODE1', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 600 });
    const ids = ((await h.ok('NODE2', 'scan-updates', WU)).updates as { updateId: string }[]).map((u) => u.updateId);
    await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Install', updateIds: ids, taskId: 't1' });
    const t0 = elapsed(h);
    let status: Record<string, unknown>;
    do status = await h.ok('NODE2', 'wait-update-task', { taskId: 't1', timeoutSeconds: 3600 });
    while (status.state === 'Running');
    expect(elapsed(h) - t0).toBe(12 * 3600);
    expect(status).toStrictEqual({ state: 'Failed', results: [], rebootRequired: false, message: 'The update worker ended without a result (last task result 0x00041306).' });
    expect(await h.ok('NODE2', 'scan-updates', WU)).toMatchObject({ updates: ids.map((updateId) => ({ updateId })) });
  });

  it('drainFails: the first `times` drains fail and leave the node Paused, DrainStatus Failed, with the unmoved role', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'drainFails', times: 1 }] }));
    expect(await h.ok('NODE1', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 })).toEqual({ state: 'Paused', drainStatus: 'Failed' });
    const cluster = await h.ok('NODE1', 'get-cluster', {});
    expect((cluster.nodes as { name: string; state: string; roles: string[] }[]).find((n) => n.name === 'NODE2')).toMatchObject({ state: 'Paused', drainStatus: 'Failed', roles: ['VM2'] });
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Paused', drainStatus: 'Failed', runningRoles: ['VM2'] });
    // Suspending again drains again (the fault is spent).
    expect(await h.ok('NODE1', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 })).toEqual({ state: 'Paused', drainStatus: 'Completed' });
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ drainStatus: 'Completed', runningRoles: [] });
  });

  it('rebootHangs: the node never answers again, and is not held against invariant 3', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'rebootHangs' }] }));
    await h.ok('NODE2', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 });
    await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 2 });
    await h.wait(24 * 3600);
    const t0 = elapsed(h);
    await expect(h.run('NODE2', 'get-node-status', {})).rejects.toMatchObject({ ...unreachable, message: expect.stringContaining('hangs') });
    expect(elapsed(h) - t0).toBe(5);
    h.sim.noteRunEnd();
    expect(h.sim.audit().violations).toEqual([]);
  });

  it('slowReboot: the node boots after the given seconds instead', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'slowReboot', seconds: 1200 }] }));
    await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 2 });
    await h.wait(2 + 1199);
    await expect(h.run('NODE2', 'get-node-status', {})).rejects.toMatchObject(unreachable);
    await h.wait(1);
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Up' });
  });

  it('connectionLoss during install: the reply is lost, the install goes on, a retry finds it', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'connectionLoss', phase: 'install', seconds: 120 }] }));
    await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Download', updateIds: ['cu'], taskId: 'stage' }); // stage: unaffected
    await expect(h.run('NODE2', 'start-update-task', { ...WU, mode: 'Install', updateIds: ['cu'], taskId: 'i1' })).rejects.toMatchObject({
      ...unreachable,
      message: expect.stringContaining('connection dropped during start-update-task'),
    });
    await expect(h.run('NODE2', 'wait-update-task', { taskId: 'i1', timeoutSeconds: 10 })).rejects.toMatchObject(unreachable);
    await h.wait(120);
    expect(await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Install', updateIds: ['cu'], taskId: 'i1' })).toMatchObject({ alreadyStarted: true });
    expect(await h.ok('NODE2', 'wait-update-task', { taskId: 'i1', timeoutSeconds: 3600 })).toMatchObject({ state: 'Completed' });
  });

  it.each([
    ['scan', 'scan-updates', WU],
    ['drain', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 }],
    ['resume', 'resume-node', { name: 'NODE2', failback: 'Immediate' }],
    ['resync', 'wait-storage-healthy', { timeoutSeconds: 10, pollSeconds: 5 }],
    ['reboot', 'restart-node', { soft: false, delaySeconds: 30 }],
  ] as const)('connectionLoss in phase %s hits the first %s only', async (phase, op, params) => {
    h = openTestSim(s2d({ faults: [{ kind: 'connectionLoss', phase, seconds: 20 }] }));
    await expect(h.run('NODE2', op, params as never)).rejects.toMatchObject(unreachable);
    await h.wait(20);
    if (op !== 'restart-node') await expect(h.run('NODE2', op, params as never)).resolves.toMatchObject({ ok: true });
  });

  it('storageRepairStuck: after the node resumes, repair suspends with its bytes frozen', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'storageRepairStuck' }] }));
    await h.ok('NODE2', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 });
    await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 2 });
    await h.wait(400);
    await h.ok('NODE2', 'resume-node', { name: 'NODE2', failback: 'Policy' });
    const waited = await h.ok('NODE1', 'wait-storage-healthy', { timeoutSeconds: 7200, pollSeconds: 60 });
    expect(waited).toMatchObject({ healthy: false, waitedSeconds: 7200, jobs: [{ jobState: 'Suspended', percentComplete: 30 }] });
    const later = await h.ok('NODE1', 'get-storage-health', {});
    expect(later.jobs).toEqual(waited.jobs);
  });

  it('nodeCrash: roles fail over, storage degrades, the node returns after `seconds` and resyncs', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'nodeCrash', atSeconds: 100, seconds: 600 }] }));
    await h.wait(100);
    const cluster = await h.ok('NODE1', 'get-cluster', {});
    const nodes = cluster.nodes as { name: string; state: string; roles: string[] }[];
    expect(nodes.find((n) => n.name === 'NODE2')).toMatchObject({ state: 'Down', roles: [] });
    expect(nodes.flatMap((n) => n.roles).sort()).toEqual(['VM1', 'VM2', 'VM3']);
    expect((await h.ok('NODE1', 'get-storage-health', {})).virtualDisks).toEqual([expect.objectContaining({ operationalStatus: 'Incomplete' }), expect.anything()]);
    await expect(h.run('NODE2', 'get-node-status', {})).rejects.toMatchObject({ ...unreachable, message: expect.stringContaining('the node is down') });
    await h.wait(600);
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Up' });
    expect((await h.ok('NODE1', 'get-storage-health', {})).jobs).toEqual([expect.objectContaining({ jobState: 'Running' })]);
    expect(await h.ok('NODE1', 'wait-storage-healthy', { timeoutSeconds: 3600, pollSeconds: 400 })).toMatchObject({ healthy: true });
    expect(h.sim.audit()).toMatchObject({ maxNodesOutOfService: 0, violations: [] });
  });

  it('storage health judged from the model (the waits) agrees with the view at every step: healthy, away, stale, repairing, stuck, a disk offline', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'storageRepairStuck' }] }));
    const m = h.sim.model;
    const seen: string[] = [];
    const agree = (): void => {
      m.advance();
      const view = m.storageView();
      expect(m.storageHealthy()).toBe(m.storageHealthy(view));
      seen.push(`${m.storageHealthy()}:${view.virtualDisks[0]!.operationalStatus}`);
    };
    agree();
    await h.ok('NODE2', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 });
    await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 2 });
    await h.wait(5);
    agree();
    await h.wait(400);
    agree();
    await h.ok('NODE2', 'resume-node', { name: 'NODE2', failback: 'Policy' });
    agree();
    await h.wait(7200);
    agree();
    m.state.offlineVirtualDisks = ['Volume01'];
    agree();
    expect(seen).toEqual(['true:OK', 'false:Incomplete', 'false:Incomplete', 'false:InService', 'false:Degraded', 'false:Detached']);
  });

  it('wait-storage-healthy answers at the first poll after the write that heals storage, as polling does, and at the deadline when none does', async () => {
    h = openTestSim(s2d());
    const disk = { names: ['Cluster Virtual Disk (Volume01)'], timeoutSeconds: 60 };
    await h.ok('NODE1', 'set-cluster-disks', { ...disk, state: 'Offline' });
    const start = h.sim.clock.now();
    const waiting = h.ok('NODE1', 'wait-storage-healthy', { timeoutSeconds: 600, pollSeconds: 20 });
    await h.wait(25);
    // Online after its 10 s: the write lands at 35 s; the polls are at 0, 20, 40... s.
    await h.ok('NODE2', 'set-cluster-disks', { ...disk, state: 'Online' });
    expect(h.sim.clock.now() - start).toBe(35_000);
    expect(await waiting).toMatchObject({ healthy: true, waitedSeconds: 40 });
    await h.ok('NODE1', 'set-cluster-disks', { ...disk, state: 'Offline' });
    expect(await h.ok('NODE1', 'wait-storage-healthy', { timeoutSeconds: 50, pollSeconds: 20 })).toMatchObject({ healthy: false, waitedSeconds: 50 });
  });

  it('nodeCrash without seconds: the node stays down', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'nodeCrash', atSeconds: 0 }] }));
    await h.wait(86_400);
    await expect(h.run('NODE2', 'get-node-status', {})).rejects.toMatchObject(unreachable);
  });
});

describe('storage refusals and the audit', () => {
  it('refuses to suspend while storage resyncs (1 s), and records the call as a violation', async () => {
    h = openTestSim(s2d({ faults: [{ kind: 'nodeCrash', atSeconds: 0, seconds: 10 }] }));
    await h.wait(10);
    const t0 = elapsed(h);
    const refused = await h.run('NODE1', 'suspend-node', { name: 'NODE1', forceDrain: false, timeoutSeconds: 60 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CLUSTER_SPACE_DEGRADED' } });
    expect(elapsed(h) - t0).toBe(1);
    expect(h.sim.audit().violations).toEqual([expect.stringMatching(/^At .*: NODE1 was suspended while storage was not healthy/)]);
  });

  it('flags two S2D nodes out of service at once (invariant 1) and suspending beside a paused node (invariant 2)', async () => {
    h = openTestSim(s2d());
    await h.ok('NODE1', 'suspend-node', { name: 'NODE1', forceDrain: false, timeoutSeconds: 60 });
    await h.ok('NODE1', 'suspend-node', { name: 'NODE3', forceDrain: false, timeoutSeconds: 60 });
    const audit = h.sim.audit();
    expect(audit.maxNodesOutOfService).toBe(2);
    expect(audit.violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/NODE3 was suspended while NODE1 was Paused/),
        expect.stringMatching(/2 nodes were out of service because of the run at once \(NODE1,NODE3\), more than allowed: the storage fault domains/),
      ]),
    );
  });

  it('without S2D, two nodes out of service at once are allowed while quorum holds with both away (issue 18)', async () => {
    h = openTestSim({ ...s2d(), storage: { s2d: false } });
    await h.ok('NODE1', 'suspend-node', { name: 'NODE1', forceDrain: false, timeoutSeconds: 60 });
    await h.ok('NODE1', 'suspend-node', { name: 'NODE3', forceDrain: false, timeoutSeconds: 60 });
    const audit = h.sim.audit();
    expect(audit.maxNodesOutOfService).toBe(2);
    expect(audit.violations).toEqual([]);
  });

  it('allows a suspend beside a Down node while quorum survives, and flags it when it would not', async () => {
    h = openTestSim({ ...s2d(), storage: { s2d: false }, quorum: {}, nodes: [{ name: 'NODE1' }, { name: 'NODE2', state: 'Down' }, { name: 'NODE3' }, { name: 'NODE4' }, { name: 'NODE5' }] });
    await h.ok('NODE1', 'suspend-node', { name: 'NODE1', forceDrain: false, timeoutSeconds: 60 });
    expect(h.sim.audit().violations).toEqual([]);
    await h.ok('NODE1', 'resume-node', { name: 'NODE1', failback: 'Immediate' });
    h.cleanup();
    h = openTestSim({ ...s2d(), storage: { s2d: false }, quorum: {}, nodes: [{ name: 'NODE1' }, { name: 'NODE2', state: 'Down' }, { name: 'NODE3' }] });
    await h.ok('NODE1', 'suspend-node', { name: 'NODE1', forceDrain: false, timeoutSeconds: 60 });
    expect(h.sim.audit().violations).toEqual([expect.stringMatching(/NODE2 was Down and quorum would not survive/)]);
  });

  it('invariant 3: a node left paused at the run end', async () => {
    h = openTestSim(s2d());
    await h.ok('NODE1', 'suspend-node', { name: 'NODE3', forceDrain: false, timeoutSeconds: 60 });
    h.sim.noteRunEnd();
    expect(h.sim.audit().violations).toEqual([expect.stringMatching(/NODE3 was paused by the run and is still Paused at the run's end/)]);
  });

  it('invariant 4: nothing mutating after a halt', async () => {
    h = openTestSim(s2d());
    h.sim.noteHalt();
    await h.ok('NODE1', 'get-cluster', {});
    await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Download', updateIds: ['cu'], taskId: 'd' });
    expect(h.sim.audit().violations).toEqual([]);
    await h.ok('NODE2', 'start-update-task', { ...WU, mode: 'Install', updateIds: ['cu'], taskId: 'i' });
    await h.ok('NODE3', 'restart-node', { soft: false, delaySeconds: 2 });
    await h.ok('NODE1', 'suspend-node', { name: 'NODE1', forceDrain: false, timeoutSeconds: 60 });
    // NODE3's restart lands during NODE1's drain, so invariant 1 is breached too.
    expect(h.sim.audit().violations).toEqual([
      expect.stringMatching(/NODE2 was given an update install after the run had halted/),
      expect.stringMatching(/NODE2 was given an update install while it was not drained: it was Up, not Paused; it still ran VM2, VM3/),
      expect.stringMatching(/NODE3 was restarted after the run had halted/),
      expect.stringMatching(/NODE3 was restarted while it was not drained: it was Up, not Paused\./),
      expect.stringMatching(/NODE1 was suspended after the run had halted/),
      expect.stringMatching(/2 nodes were out of service because of the run at once \(NODE1,NODE3\)/),
    ]);
  });

  it.each([
    ['a node without KSR (Windows Server: NotInstalled, the default)', {}, 'NotInstalled'],
    ['a node that opts out (CauBypassSoftBootOnNode)', { kernelSoftReboot: 'Bypassed' }, 'Bypassed'],
  ])('a soft restart asked of %s restarts fully and says so', async (_name, node2, status) => {
    h = openTestSim(s2d(node2));
    await h.ok('NODE2', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 });
    expect(await h.ok('NODE2', 'restart-node', { soft: true, delaySeconds: 2 })).toMatchObject({ bootType: 'FullReboot', softBootStatus: status });
    await h.wait(2 + 120); // a soft restart would be back by now (40% of 300 s); a full one is not
    await expect(h.run('NODE2', 'get-node-status', {})).rejects.toThrow(/not reachable/);
  });

  it('a soft restart that KSR refuses when it runs restarts fully, and the node says so once back', async () => {
    h = openTestSim(s2d({ kernelSoftReboot: 'Refused' }));
    // Read before the restart, the node has KSR: nothing tells the refusal yet.
    expect(await h.ok('NODE2', 'get-node-setup', {})).toMatchObject({ kernelSoftReboot: 'Enabled' });
    await h.ok('NODE2', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 });
    expect(await h.ok('NODE2', 'restart-node', { soft: true, delaySeconds: 2 })).toMatchObject({ bootType: 'SoftReboot', softBootStatus: 'Enabled' });
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ softRestartFellBack: false });
    await h.wait(2 + 120); // a soft restart would be back by now (40% of 300 s); the full one is not
    await expect(h.run('NODE2', 'get-node-status', {})).rejects.toThrow(/not reachable/);
    await h.wait(300);
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Paused', softRestartFellBack: true });
    // The next soft restart scheduled clears the mark.
    await h.ok('NODE2', 'restart-node', { soft: true, delaySeconds: 2 });
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ softRestartFellBack: false });
  });

  it('a restart not asked to be soft says NotEnabled', async () => {
    h = openTestSim(s2d({ kernelSoftReboot: 'Enabled' }));
    await h.ok('NODE2', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 });
    expect(await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 2 })).toMatchObject({ bootType: 'FullReboot', softBootStatus: 'NotEnabled' });
  });
});
