// The simulator's drain as Windows does it (issue 12): pause first, then move roles on the cluster's own terms;
// a failed or hung drain leaves the node Paused; installs and restarts of a node that is not drained, and VMs
// taken down by a restart, are audited.
import { readFileSync } from 'node:fs';
import { openTestSim, WU, type SimHarness } from './test-support.js';

const timing = { scanSeconds: 10, downloadSeconds: 100, drainSecondsPerRole: 5, installSeconds: 200, rebootSeconds: 300, servicesStartSeconds: 60, resyncSeconds: 400 };

/** Three nodes on SAN storage (always healthy), NODE2 owning VM2 and VM3. */
function lab(overrides: { nodes?: Record<string, Record<string, unknown>>; vms?: Record<string, unknown> } = {}): Record<string, unknown> {
  const roles: Record<string, string[]> = { NODE1: ['VM1'], NODE2: ['VM2', 'VM3'], NODE3: [] };
  return {
    name: 'LAB',
    timing,
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    ...(overrides.vms ? { vms: overrides.vms } : {}),
    nodes: Object.entries(roles).map(([name, r]) => ({ name, roles: r, ...(overrides.nodes?.[name] ?? {}) })),
  };
}

const memory = (mb: [number, number, number]): Record<string, Record<string, unknown>> => ({
  NODE1: { memoryMB: mb[0] },
  NODE2: { memoryMB: mb[1] },
  NODE3: { memoryMB: mb[2] },
});

let h: SimHarness;
afterEach(() => h?.cleanup());

const elapsed = (): number => h.sim.audit().virtualSeconds;
const suspend = (timeoutSeconds: number, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> =>
  h.ok('NODE1', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds, ...extra });

async function owners(): Promise<Record<string, string[]>> {
  const cluster = await h.ok('NODE1', 'get-cluster', {});
  return Object.fromEntries((cluster.nodes as { name: string; roles: string[] }[]).map((n) => [n.name, n.roles]));
}

describe('suspend-node: a bounded wait on a drain that runs on its own', () => {
  it('returns InProgress when the poll ends first; the drain completes later and a new call returns at once', async () => {
    h = openTestSim(lab());
    expect(await suspend(0)).toEqual({ state: 'Paused', drainStatus: 'InProgress' });
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Paused', drainStatus: 'InProgress', runningRoles: ['VM2', 'VM3'] });
    await h.wait(10); // 2 roles × 5 s
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ drainStatus: 'Completed', runningRoles: [] });
    const t0 = elapsed();
    expect(await suspend(600)).toEqual({ state: 'Paused', drainStatus: 'Completed' });
    expect(elapsed()).toBe(t0);
  });

  it('drainHangs: InProgress for the whole poll and forever after, until a resume stops the drain', async () => {
    h = openTestSim(lab({ nodes: { NODE2: { faults: [{ kind: 'drainHangs', times: 1 }] } } }));
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'InProgress' });
    expect(elapsed()).toBe(60);
    await h.wait(24 * 3600);
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'InProgress' });
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ drainStatus: 'InProgress', runningRoles: ['VM2', 'VM3'] });
    expect(await h.ok('NODE1', 'resume-node', { name: 'NODE2', failback: 'NoFailback' })).toEqual({ state: 'Up' });
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Up', drainStatus: 'NotInitiated', runningRoles: ['VM2', 'VM3'] });
    // The fault is spent: the next drain completes.
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'Completed' });
    expect(h.sim.audit().violations).toEqual([]);
  });

  it('drainHangs without times: every drain hangs', async () => {
    h = openTestSim(lab({ nodes: { NODE2: { faults: [{ kind: 'drainHangs' }] } } }));
    for (let i = 0; i < 3; i += 1) {
      expect(await suspend(30)).toEqual({ state: 'Paused', drainStatus: 'InProgress' });
      await h.ok('NODE1', 'resume-node', { name: 'NODE2', failback: 'NoFailback' });
    }
  });

  it('a resume during a drain stops it: the drain never ends behind the node\'s back', async () => {
    h = openTestSim(lab());
    await suspend(0);
    await h.ok('NODE1', 'resume-node', { name: 'NODE2', failback: 'NoFailback' });
    await h.wait(60);
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Up', drainStatus: 'NotInitiated', runningRoles: ['VM2', 'VM3'] });
    expect((await owners()).NODE2).toEqual(['VM2', 'VM3']);
  });

  it('drainFails: Paused, DrainStatus Failed, the role that did not move stays; suspend-node again drains again', async () => {
    h = openTestSim(lab({ nodes: { NODE2: { faults: [{ kind: 'drainFails', times: 2 }] } } }));
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'Failed' });
    expect((await owners()).NODE2).toEqual(['VM2']);
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'Failed' });
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'Completed' });
    expect((await owners()).NODE2).toEqual([]);
  });

  it('a 1-node cluster: nowhere to go, the drain fails and the VM stays', async () => {
    h = openTestSim({ name: 'SOLO', timing, nodes: [{ name: 'NODE1', roles: ['VM1'] }] });
    expect(await h.ok('NODE1', 'suspend-node', { name: 'NODE1', forceDrain: false, timeoutSeconds: 60 })).toEqual({ state: 'Paused', drainStatus: 'Failed' });
    expect(await h.ok('NODE1', 'get-node-status', {})).toMatchObject({ runningRoles: ['VM1'] });
  });

  it('a node that goes down during its drain comes back Paused with the drain Failed', async () => {
    h = openTestSim(lab({ nodes: { NODE2: { faults: [{ kind: 'drainHangs' }, { kind: 'nodeCrash', atSeconds: 30, seconds: 60 }] } } }));
    expect(await suspend(10)).toEqual({ state: 'Paused', drainStatus: 'InProgress' });
    await h.wait(600);
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Paused', drainStatus: 'Failed', runningRoles: [] });
  });

  it('a paused or down node takes no role', async () => {
    h = openTestSim(lab({ nodes: { NODE1: { state: 'Down', setup: { clusterServiceState: 'Stopped' } }, NODE3: { state: 'Paused' } } }));
    expect(await h.ok('NODE2', 'suspend-node', { name: 'NODE2', forceDrain: false, timeoutSeconds: 60 })).toEqual({ state: 'Paused', drainStatus: 'Failed' });
  });
});

describe('placement: memory and live migration', () => {
  it('each VM goes to the Up node with the most free memory', async () => {
    h = openTestSim(lab({ nodes: memory([8192, 8192, 6144]), vms: { VM1: { memoryMB: 4096 }, VM2: { memoryMB: 3072 }, VM3: { memoryMB: 2048 } } }));
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'Completed' });
    // Free: NODE1 4096, NODE3 6144 → VM2 to NODE3 (3072 left), then VM3 to NODE1 (4096 > 3072).
    expect(await owners()).toEqual({ NODE1: ['VM1', 'VM3'], NODE2: [], NODE3: ['VM2'] });
  });

  it('a VM that fits nowhere stays, and the drain fails; the others move', async () => {
    h = openTestSim(lab({ nodes: memory([8192, 16384, 4096]), vms: { VM1: { memoryMB: 4096 }, VM2: { memoryMB: 6144 }, VM3: { memoryMB: 2048 } } }));
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'Failed' });
    expect(await owners()).toEqual({ NODE1: ['VM1'], NODE2: ['VM2'], NODE3: ['VM3'] });
    expect(await h.ok('NODE2', 'get-node-status', {})).toMatchObject({ clusterNodeState: 'Paused', drainStatus: 'Failed', runningRoles: ['VM2'] });
  });

  it('an Off VM needs no memory and moves', async () => {
    h = openTestSim(lab({ nodes: memory([4096, 16384, 4096]), vms: { VM1: { memoryMB: 4096 }, VM2: { memoryMB: 6144, state: 'Off' }, VM3: { memoryMB: 2048 } } }));
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'Completed' });
    expect((await owners()).NODE2).toEqual([]);
  });

  it('a VM that cannot live-migrate stays and fails the drain', async () => {
    h = openTestSim(lab({ vms: { VM3: { liveMigratable: false } } }));
    expect(await suspend(60)).toEqual({ state: 'Paused', drainStatus: 'Failed' });
    expect((await owners()).NODE2).toEqual(['VM3']);
  });

  it('forceDrain (ForcePauseAndDrain) stops what cannot move live and moves it: the drain completes, the downtime is recorded', async () => {
    h = openTestSim(lab({ vms: { VM3: { liveMigratable: false } } }));
    expect(await suspend(60, { forceDrain: true })).toEqual({ state: 'Paused', drainStatus: 'Completed' });
    expect((await owners()).NODE2).toEqual([]);
    const audit = h.sim.audit();
    expect(audit.violations).toEqual([]);
    expect(audit.allowedByForce).toEqual([expect.stringMatching(/VM3 was running on NODE2 and was stopped to complete a forced drain \(ForcePauseAndDrain\)/)]);
  });

  it('without memory figures placement goes by availability: the node with the fewest roles', async () => {
    h = openTestSim(lab());
    await suspend(60);
    expect(await owners()).toEqual({ NODE1: ['VM1', 'VM3'], NODE2: [], NODE3: ['VM2'] });
  });
});

describe('get-node-capacity', () => {
  it('reports the node memory and its VMs', async () => {
    h = openTestSim(lab({ nodes: memory([8192, 16384, 4096]), vms: { VM2: { memoryMB: 6144 }, VM3: { memoryMB: 2048, liveMigratable: false, state: 'Off' } } }));
    expect(await h.ok('NODE2', 'get-node-capacity', {})).toEqual({
      node: 'NODE2',
      memoryMB: 16384,
      vms: [
        { name: 'VM2', role: 'VM2', state: 'Running', memoryMB: 6144, liveMigratable: true },
        { name: 'VM3', role: 'VM3', state: 'Off', memoryMB: 2048, liveMigratable: false, notMigratableReason: expect.any(String) },
      ],
    });
  });

  it('memory unknown: null, not 0', async () => {
    h = openTestSim(lab());
    expect(await h.ok('NODE3', 'get-node-capacity', {})).toEqual({ node: 'NODE3', memoryMB: null, vms: [] });
  });
});

describe('the audit of invariant 8', () => {
  async function installAndRestart(node: string): Promise<void> {
    await h.ok(node, 'start-update-task', { ...WU, mode: 'Install', updateIds: [], taskId: `i-${node}` });
    await h.ok(node, 'restart-node', { soft: false, delaySeconds: 2 });
    await h.wait(10);
  }

  it('a drained node: no violation', async () => {
    h = openTestSim(lab());
    await suspend(60);
    await installAndRestart('NODE2');
    expect(h.sim.audit().violations).toEqual([]);
  });

  it('after a failed drain: the install, the restart and the VM it took down are violations', async () => {
    h = openTestSim(lab({ nodes: { NODE2: { faults: [{ kind: 'drainFails', times: 1 }] } } }));
    await suspend(60);
    await installAndRestart('NODE2');
    expect(h.sim.audit().violations).toEqual([
      expect.stringMatching(/NODE2 was given an update install while it was not drained: its DrainStatus was Failed; it still ran VM2\./),
      expect.stringMatching(/NODE2 was restarted while it was not drained: its DrainStatus was Failed; it still ran VM2\./),
      expect.stringMatching(/VM2 was running on NODE2 when the run restarted it: the VM went down and failed over to NODE\d \(restarted, with downtime\)/),
    ]);
  });

  it('during a hung drain: not drained', async () => {
    h = openTestSim(lab({ nodes: { NODE2: { faults: [{ kind: 'drainHangs' }] } } }));
    await suspend(30);
    await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 2 });
    expect(h.sim.audit().violations).toEqual([expect.stringMatching(/NODE2 was restarted while it was not drained: its DrainStatus was InProgress; it still ran VM2, VM3\./)]);
  });

  it('a 1-node cluster restarted with its VM: the VM goes down with nowhere to go', async () => {
    h = openTestSim({ name: 'SOLO', timing, nodes: [{ name: 'NODE1', roles: ['VM1'] }] });
    await h.ok('NODE1', 'suspend-node', { name: 'NODE1', forceDrain: false, timeoutSeconds: 60 });
    await installAndRestart('NODE1');
    expect(h.sim.audit().violations).toEqual([
      expect.stringMatching(/NODE1 was given an update install while it was not drained/),
      expect.stringMatching(/NODE1 was restarted while it was not drained/),
      expect.stringMatching(/VM1 was running on NODE1 when the run restarted it: the VM went down and no node could take it\./),
    ]);
  });

  it('a restart fails VMs over by memory: the one that fits nowhere is named', async () => {
    h = openTestSim(lab({ nodes: memory([4096, 16384, 4096]), vms: { VM1: { memoryMB: 2048 }, VM2: { memoryMB: 8192 }, VM3: { memoryMB: 1024 } } }));
    await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 2 });
    await h.wait(10);
    expect(h.sim.audit().violations).toEqual([
      expect.stringMatching(/NODE2 was restarted while it was not drained: it was Up, not Paused; it still ran VM2, VM3\./),
      expect.stringMatching(/VM2 was running on NODE2 when the run restarted it: the VM went down and no node could take it\./),
      expect.stringMatching(/VM3 was running on NODE2 when the run restarted it: the VM went down and failed over to NODE3/),
    ]);
  });

  it('an unplanned crash takes VMs down too, but that is not the run: no violation', async () => {
    h = openTestSim(lab({ nodes: { NODE2: { faults: [{ kind: 'nodeCrash', atSeconds: 5, seconds: 60 }] } } }));
    await h.wait(10);
    expect((await owners()).NODE2).toEqual([]);
    expect(h.sim.audit().violations).toEqual([]);
  });

  it.each([
    ['ForcePauseNoDrain', 'NotInitiated', /its DrainStatus was NotInitiated; it still ran VM2, VM3\. Accepted by ForcePauseNoDrain/],
    ['ForcePauseDrainAndReboot', 'Failed', /its DrainStatus was Failed; it still ran VM2\. Accepted by ForcePauseDrainAndReboot/],
  ] as const)('%s: the install and restart are recorded as accepted, not as violations', async (allowUndrained, drainStatus, pattern) => {
    h = openTestSim(lab({ nodes: { NODE2: { faults: [{ kind: 'drainFails', times: 1 }] } } }));
    expect(await suspend(60, { allowUndrained })).toEqual({ state: 'Paused', drainStatus });
    await installAndRestart('NODE2');
    const audit = h.sim.audit();
    expect(audit.violations).toEqual([]);
    expect(audit.allowedByForce).toEqual([
      expect.stringMatching(new RegExp(`NODE2 was given an update install while it was not drained: ${pattern.source}`)),
      expect.stringMatching(new RegExp(`NODE2 was restarted while it was not drained: ${pattern.source}`)),
      ...(allowUndrained === 'ForcePauseNoDrain' ? [expect.stringMatching(/VM2 was running on NODE2 when the run restarted it/)] : []),
      expect.stringMatching(/VM\d was running on NODE2 when the run restarted it: .* Accepted by/),
    ]);
  });

  it('the allowance ends with the resume', async () => {
    h = openTestSim(lab());
    await suspend(60, { allowUndrained: 'ForcePauseNoDrain' });
    await h.ok('NODE1', 'resume-node', { name: 'NODE2', failback: 'NoFailback' });
    await h.ok('NODE2', 'restart-node', { soft: false, delaySeconds: 2 });
    expect(h.sim.audit().violations).toEqual([expect.stringMatching(/NODE2 was restarted while it was not drained: it was Up, not Paused/)]);
  });
});

describe('the shipped models of issue 12 behave as their descriptions say', () => {
  const shipped = (file: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../fixtures/clusters/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;

  async function drainEach(nodes: string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const node of nodes) {
      const entry = nodes.find((n) => n !== node) ?? node;
      out[node] = (await h.ok(entry, 'suspend-node', { name: node, forceDrain: false, timeoutSeconds: 3600 })).drainStatus;
      out[`${node} keeps`] = (await h.ok(node, 'get-node-status', {})).runningRoles;
      await h.ok(entry, 'resume-node', { name: node, failback: 'Immediate' });
      await h.ok(entry, 'wait-storage-healthy', { timeoutSeconds: 3600, pollSeconds: 10 });
    }
    return out;
  }

  it('single-node-vm.json: the drain fails and VM01 stays', async () => {
    h = openTestSim(shipped('single-node-vm.json'));
    expect(await drainEach(['NODE1'])).toEqual({ NODE1: 'Failed', 'NODE1 keeps': ['VM01'] });
  });

  it('memory-shortfall.json: NODE1 cannot drain (its SQL VMs fit nowhere); the others can', async () => {
    h = openTestSim(shipped('memory-shortfall.json'));
    expect(await drainEach(['NODE1', 'NODE2', 'NODE3'])).toEqual({
      NODE1: 'Failed', 'NODE1 keeps': ['VM-SQL01', 'VM-SQL02'],
      NODE2: 'Completed', 'NODE2 keeps': [],
      NODE3: 'Completed', 'NODE3 keeps': [],
    });
  });

  it('memory-ample.json: every node drains; the SQL VMs of NODE1 go one to each other node', async () => {
    h = openTestSim(shipped('memory-ample.json'));
    await h.ok('NODE2', 'suspend-node', { name: 'NODE1', forceDrain: false, timeoutSeconds: 3600 });
    expect(await owners()).toEqual({ NODE1: [], NODE2: ['VM-SQL01', 'VM-APP01', 'VM-APP02'], NODE3: ['VM-SQL02', 'VM-WEB01', 'VM-WEB02'] });
    await h.ok('NODE2', 'resume-node', { name: 'NODE1', failback: 'Immediate' });
    await h.ok('NODE2', 'wait-storage-healthy', { timeoutSeconds: 3600, pollSeconds: 10 });
    expect(await drainEach(['NODE1', 'NODE2', 'NODE3'])).toEqual({
      NODE1: 'Completed', 'NODE1 keeps': [],
      NODE2: 'Completed', 'NODE2 keeps': [],
      NODE3: 'Completed', 'NODE3 keeps': [],
    });
  });

  it('non-migratable-vm.json: NODE2 keeps GPU01; a forced drain stops and moves it', async () => {
    h = openTestSim(shipped('non-migratable-vm.json'));
    expect(await drainEach(['NODE1', 'NODE2', 'NODE3'])).toEqual({
      NODE1: 'Completed', 'NODE1 keeps': [],
      NODE2: 'Failed', 'NODE2 keeps': ['GPU01'],
      NODE3: 'Completed', 'NODE3 keeps': [],
    });
    expect(await h.ok('NODE1', 'suspend-node', { name: 'NODE2', forceDrain: true, timeoutSeconds: 3600 })).toEqual({ state: 'Paused', drainStatus: 'Completed' });
    expect(h.sim.audit().allowedByForce).toEqual([expect.stringMatching(/GPU01 was running on NODE2 and was stopped/)]);
  });
});
