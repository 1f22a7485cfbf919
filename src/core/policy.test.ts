import type { ClusterInfo, StorageHealth } from '../cluster/operations.js';
import type { NodeResult } from './types.js';
import { backoffDelayMs, budgetExceeded, defaultMaxFailedNodes, drainGate, judgeStorage, orderNodes, quorumSurvives, reconnectBackoff, runStatus, unknownNodeNames } from './policy.js';

function aClusterInfo(states: Array<ClusterInfo['nodes'][number]['state']>, witness: { type: string; state: string } = { type: 'Cloud', state: 'Online' }): ClusterInfo {
  return {
    name: 'C',
    nodes: states.map((state, i) => ({ name: `N${i + 1}`, state, drainStatus: 'NotInitiated', roles: [] })),
    quorum: { healthy: true, witnessType: witness.type, witnessState: witness.state },
    functionalLevel: 12,
    s2dEnabled: true,
    nativeCauRunInProgress: false,
  };
}

function aStorage(overrides: Partial<StorageHealth> = {}): StorageHealth {
  return {
    s2dEnabled: true,
    jobs: [],
    virtualDisks: [{ friendlyName: 'V1', healthStatus: 'Healthy', operationalStatus: 'OK', isOnline: true }],
    pools: [{ friendlyName: 'P', healthStatus: 'Healthy', operationalStatus: 'OK' }],
    ...overrides,
  };
}

function aResult(status: NodeResult['status']): NodeResult {
  return { node: 'N', status, attempts: 1, numberOfSucceededUpdates: 0, numberOfFailedUpdates: 0, installResults: [], rebooted: false, nodeRebootResult: { bootType: 'None', reboots: 0 }, errorRecord: null, nodeSuspendedTimestamp: null, nodeSuspendedDurationSeconds: null, phases: [] };
}

describe('defaultMaxFailedNodes', () => {
  it.each([[1, 0], [2, 0], [3, 1], [4, 1], [8, 2], [16, 5], [64, 21]])('%i nodes → %i', (nodes, expected) => {
    expect(defaultMaxFailedNodes(nodes)).toBe(expected);
  });
});

describe('orderNodes', () => {
  const nodes = [
    { name: 'A', roles: ['1', '2', '3'] },
    { name: 'B', roles: [] },
    { name: 'C', roles: ['1'] },
    { name: 'D', roles: [] },
  ];
  it.each([
    ['fewest roles first, ties by name', undefined, ['B', 'D', 'C', 'A']],
    ['NodeOrder first, case-insensitive, then the rest by roles', ['c', 'A'], ['C', 'A', 'B', 'D']],
    ['unknown and repeated names in NodeOrder are skipped', ['Z', 'D', 'd'], ['D', 'B', 'C', 'A']],
  ])('%s', (_name, order, expected) => {
    expect(orderNodes(nodes, order)).toEqual(expected);
  });
  it('names the unknown nodes', () => {
    expect(unknownNodeNames(['A', 'B'], ['a', 'Q'])).toEqual(['Q']);
  });
});

describe('drainGate (invariant 2, cluster half)', () => {
  it.each([
    ['all others Up', ['Up', 'Up', 'Up'], false, true, undefined],
    ['another node Paused', ['Up', 'Paused', 'Up'], false, false, 'OtherNodePaused'],
    ['a node Down with RequireAllNodesOnline', ['Up', 'Down', 'Up', 'Up'], true, false, 'NodesOffline'],
    ['a node Down, quorum survives (4 nodes + witness)', ['Up', 'Down', 'Up', 'Up'], false, true, undefined],
    ['two nodes Down of 4, quorum would not survive', ['Up', 'Down', 'Down', 'Up'], false, false, 'QuorumAtRisk'],
  ] as const)('%s', (_name, states, requireAll, ok, code) => {
    const verdict = drainGate({ cluster: aClusterInfo([...states]), candidate: 'N1', requireAllNodesOnline: requireAll });
    expect(verdict.ok).toBe(ok);
    if (!verdict.ok) expect(verdict.code).toBe(code);
  });
  it('all others Up with RequireAllNodesOnline: allowed', () => {
    expect(drainGate({ cluster: aClusterInfo(['Up', 'Up', 'Up']), candidate: 'N1', requireAllNodesOnline: true })).toEqual({ ok: true });
  });
  it('the candidate itself is not "another node": a paused candidate (a resumed run) may be drained, its name in any case', () => {
    expect(drainGate({ cluster: aClusterInfo(['Paused', 'Up', 'Up']), candidate: 'n1', requireAllNodesOnline: true })).toEqual({ ok: true });
    expect(drainGate({ cluster: aClusterInfo(['Down', 'Up', 'Up']), candidate: 'n1', requireAllNodesOnline: true })).toEqual({ ok: true });
  });
  it('says which nodes are paused, one or several', () => {
    expect(drainGate({ cluster: aClusterInfo(['Up', 'Paused', 'Up']), candidate: 'N1', requireAllNodesOnline: false })).toEqual({
      ok: false,
      code: 'OtherNodePaused',
      message: 'N2 is paused; draining N1 too would take a second node out of service',
    });
    expect(drainGate({ cluster: aClusterInfo(['Up', 'Paused', 'Paused', 'Up']), candidate: 'N1', requireAllNodesOnline: false })).toEqual({
      ok: false,
      code: 'OtherNodePaused',
      message: 'N2, N3 are paused; draining N1 too would take a second node out of service',
    });
  });
  it('says which nodes are not Up, and in which state', () => {
    expect(drainGate({ cluster: aClusterInfo(['Up', 'Down', 'Up', 'Joining']), candidate: 'N1', requireAllNodesOnline: true })).toEqual({
      ok: false,
      code: 'NodesOffline',
      message: 'RequireAllNodesOnline is set and N2 (Down), N4 (Joining) not Up',
    });
    expect(drainGate({ cluster: aClusterInfo(['Up', 'Down', 'Down', 'Up']), candidate: 'N1', requireAllNodesOnline: false })).toEqual({
      ok: false,
      code: 'QuorumAtRisk',
      message: 'taking N1 down while N2 (Down), N3 (Down) not Up would lose quorum',
    });
  });
});

describe('quorumSurvives', () => {
  it.each([
    ['2 nodes + online witness, both up', ['Up', 'Up'], { type: 'Cloud', state: 'Online' }, true],
    ['2 nodes, no witness', ['Up', 'Up'], { type: 'None', state: 'NotConfigured' }, false],
    ['2 nodes + offline witness', ['Up', 'Up'], { type: 'Disk', state: 'Offline' }, false],
    ['3 nodes, no witness', ['Up', 'Up', 'Up'], { type: 'None', state: 'NotConfigured' }, true],
    ['3 nodes, one down, no witness', ['Up', 'Down', 'Up'], { type: 'None', state: 'NotConfigured' }, false],
    ['5 nodes, one down, witness', ['Up', 'Down', 'Up', 'Up', 'Up'], { type: 'FileShare', state: 'Online' }, true],
    ['2 nodes, an empty witness type is no witness', ['Up', 'Up'], { type: '', state: 'Online' }, false],
    ['2 nodes, no witness type but a state that reads Online', ['Up', 'Up'], { type: 'None', state: 'Online' }, false],
    ['3 nodes, one Unknown, no witness', ['Up', 'Unknown', 'Up'], { type: 'None', state: 'NotConfigured' }, false],
    ['3 nodes, one Paused, no witness: a paused node still votes', ['Up', 'Paused', 'Up'], { type: 'None', state: 'NotConfigured' }, true],
  ] as const)('%s → %s', (_name, states, witness, expected) => {
    expect(quorumSurvives(aClusterInfo([...states], witness), 'N1')).toBe(expected);
  });
  it('knows the candidate whatever the case of its name', () => {
    // 3 nodes, no witness, N3 down: with n1 down too only N2 votes (1 of 3).
    expect(quorumSurvives(aClusterInfo(['Up', 'Up', 'Down'], { type: 'None', state: 'NotConfigured' }), 'n1')).toBe(false);
  });
});

describe('judgeStorage (invariant 2, storage half)', () => {
  const job = (jobState: string, processed: number, total: number, percent: number) => ({ name: 'Repair', jobState, bytesProcessed: processed, bytesTotal: total, percentComplete: percent });
  it.each([
    ['healthy', aStorage(), true],
    ['a completed job', aStorage({ jobs: [job('Completed', 10, 10, 100)] }), true],
    ['a running job at "100 %" with bytes left', aStorage({ jobs: [job('Running', 999_000_000, 1_000_000_000, 100)] }), false],
    ['a suspended job is not progress', aStorage({ jobs: [job('Suspended', 10, 10, 100)] }), false],
    ['a degraded virtual disk', aStorage({ virtualDisks: [{ friendlyName: 'V', healthStatus: 'Warning', operationalStatus: 'Incomplete', isOnline: true }] }), false],
    ['a degraded pool', aStorage({ pools: [{ friendlyName: 'P', healthStatus: 'Warning', operationalStatus: 'Degraded' }] }), false],
  ] as const)('%s', (_name, storage, healthy) => {
    expect(judgeStorage(storage).healthy).toBe(healthy);
  });
  it('counts the bytes left', () => {
    const verdict = judgeStorage(aStorage({ jobs: [job('Running', 600, 1000, 60)] }));
    expect(verdict).toMatchObject({ healthy: false, bytesRemaining: 400 });
  });
  it('a job still Running with no bytes left is not finished yet', () => {
    expect(judgeStorage(aStorage({ jobs: [job('Running', 10, 10, 100)] }))).toEqual({
      healthy: false,
      reason: 'storage job Repair is Running with 0 bytes left',
      bytesRemaining: 0,
    });
  });
  it('a Completed job is done even when its counters disagree', () => {
    expect(judgeStorage(aStorage({ jobs: [job('Completed', 5, 10, 50)] }))).toEqual({ healthy: true });
  });
  it('names every reason, in order: jobs, virtual disks, pools', () => {
    const storage = aStorage({
      jobs: [job('Suspended', 100, 300, 33), { ...job('Running', 50, 100, 50), name: 'Rebalance' }],
      virtualDisks: [{ friendlyName: 'V2', healthStatus: 'Warning', operationalStatus: 'Degraded', isOnline: true }],
      pools: [{ friendlyName: 'S2D on C', healthStatus: 'Unhealthy', operationalStatus: 'Read-only' }],
    });
    expect(judgeStorage(storage)).toEqual({
      healthy: false,
      reason:
        'storage job Repair is Suspended with 200 bytes left; storage job Rebalance is Running with 50 bytes left; ' +
        'virtual disk V2 is Warning/Degraded; pool S2D on C is Unhealthy/Read-only',
      bytesRemaining: 250,
    });
  });
});

describe('the failure budget and the status', () => {
  it.each([[0, 0, false], [1, 0, true], [1, 1, false], [2, 1, true]])('%i failed with budget %i → exceeded %s', (failed, budget, expected) => {
    expect(budgetExceeded(failed, budget)).toBe(expected);
  });
  it.each([
    ['all succeeded', ['Succeeded', 'Succeeded'], undefined, 'Succeeded'],
    ['one failed within the budget', ['Succeeded', 'Failed'], undefined, 'PartiallyFailed'],
    ['all failed', ['Failed', 'Failed'], undefined, 'Failed'],
    ['failed and canceled, none succeeded', ['Failed', 'Canceled'], undefined, 'Failed'],
    ['budget exceeded', ['Failed', 'Canceled'], { kind: 'budget' }, 'Failed'],
    ['stopped by the user', ['Succeeded', 'Canceled'], { kind: 'user' }, 'Canceled'],
    ['StopAfter', ['Succeeded', 'Canceled'], { kind: 'stopAfter' }, 'Canceled'],
    ['unsafe to go on', ['Succeeded', 'Canceled'], { kind: 'unsafe', code: 'StorageRepairTimeout', message: '' }, 'Failed'],
  ] as const)('%s', (_name, statuses, halt, expected) => {
    expect(runStatus(statuses.map(aResult), halt)).toBe(expected);
  });
});

describe('reconnect backoff', () => {
  it.each([[1, 2000], [2, 4000], [3, 8000], [4, 15000], [10, 15000]])('attempt %i waits %i ms', (attempt, ms) => {
    expect(backoffDelayMs(reconnectBackoff, attempt)).toBe(ms);
  });
});
