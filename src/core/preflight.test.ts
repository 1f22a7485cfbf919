import { ClusterGateway } from '../cluster/gateway.js';
import type { ClusterInfo, NodeCapacity } from '../cluster/operations.js';
import { AppError, ExitCode } from '../errors.js';
import { openTestSim, type SimHarness } from '../sim/test-support.js';
import { checkCapacity } from './capacity.js';
import { gatherPreflight, judgePreflight, readCapacityInput, runPreflight, type PreflightFacts } from './preflight.js';

type NodeSpec = { state?: ClusterInfo['nodes'][number]['state']; roles?: string[]; memoryMB?: number | null; vmMB?: number };

/** A cluster of named nodes; each role is a running, live-migratable VM of `vmMB` (default 8 GB). */
function facts(nodes: Record<string, NodeSpec>, over: Partial<ClusterInfo> = {}, unanswered: Record<string, string> = {}): PreflightFacts {
  const cluster: ClusterInfo = {
    name: 'C1',
    nodes: Object.entries(nodes).map(([name, s]) => ({ name, state: s.state ?? 'Up', drainStatus: 'NotInitiated', roles: s.roles ?? [] })),
    quorum: { healthy: true, witnessType: 'Cloud', witnessState: 'Online' },
    functionalLevel: 12,
    s2dEnabled: true,
    nativeCauRunInProgress: false,
    ...over,
  };
  const capacity: NodeCapacity[] = Object.entries(nodes)
    .filter(([name, s]) => (s.state ?? 'Up') !== 'Down' && !(name in unanswered))
    .map(([name, s]) => ({
      node: name,
      memoryMB: s.memoryMB === undefined ? 65536 : s.memoryMB,
      vms: (s.roles ?? []).map((role) => ({ name: role, role, state: 'Running', memoryMB: s.vmMB ?? 8192, liveMigratable: true })),
    }));
  return { cluster, capacity, unanswered: new Map(Object.entries(unanswered)) };
}

const profile = (over: Partial<{ nodeOrder: string[]; maxFailedNodes: number; requireAllNodesOnline: boolean }> = {}) => ({ requireAllNodesOnline: false, ...over });

describe('judgePreflight', () => {
  it.each([
    { name: 'a healthy cluster', facts: facts({ A: { roles: ['V1'] }, B: {}, C: {} }), profile: profile(), codes: [] },
    { name: 'a native CAU run', facts: facts({ A: {}, B: {} }, { nativeCauRunInProgress: true }), profile: profile(), codes: ['NATIVE_CAU_RUN_IN_PROGRESS'] },
    { name: 'a Down node without RequireAllNodesOnline', facts: facts({ A: {}, B: {}, C: { state: 'Down' } }), profile: profile(), codes: [] },
    { name: 'a Down node with RequireAllNodesOnline', facts: facts({ A: {}, B: {}, C: { state: 'Down' } }), profile: profile({ requireAllNodesOnline: true }), codes: ['NODES_OFFLINE'] },
    { name: 'an Up node that does not answer, without RequireAllNodesOnline', facts: facts({ A: {}, B: {}, C: {} }, {}, { C: 'connection timed out' }), profile: profile(), codes: [] },
    {
      name: 'an Up node that does not answer, with RequireAllNodesOnline (event 1020)',
      facts: facts({ A: {}, B: {}, C: {} }, {}, { C: 'connection timed out' }),
      profile: profile({ requireAllNodesOnline: true }),
      codes: ['NodeNotReachable'],
    },
    { name: 'a Paused node is online', facts: facts({ A: {}, B: { state: 'Paused' } }), profile: profile({ requireAllNodesOnline: true }), codes: [] },
    { name: 'no quorum', facts: facts({ A: {}, B: {} }, { quorum: { healthy: false, witnessType: 'Disk', witnessState: 'Failed' } }), profile: profile(), codes: ['QUORUM_UNHEALTHY'] },
    {
      name: 'the other nodes lack the memory for a node\'s VMs',
      facts: facts({ A: { roles: ['V1', 'V2'], vmMB: 20000 }, B: { memoryMB: 32768 } }),
      profile: profile(),
      codes: ['InsufficientMemory'],
    },
    { name: 'a single-node cluster with a running VM', facts: facts({ SOLO: { roles: ['VM01'] } }), profile: profile(), codes: ['NoNodeForRoles'] },
    {
      name: 'every reason at once, in order',
      facts: facts({ A: { roles: ['V1'] }, B: { state: 'Down' } }, { nativeCauRunInProgress: true, quorum: { healthy: false, witnessType: 'None', witnessState: 'NotConfigured' } }),
      profile: profile({ requireAllNodesOnline: true }),
      codes: ['NATIVE_CAU_RUN_IN_PROGRESS', 'NODES_OFFLINE', 'QUORUM_UNHEALTHY', 'NoNodeForRoles'],
    },
  ])('$name', ({ facts: f, profile: p, codes }) => {
    expect(judgePreflight(f, { profile: p }).refusals.map((r) => r.code)).toEqual(codes);
  });

  it('rejects a profile that does not fit the cluster as a usage error (exit 2), naming the nodes', () => {
    const judge = () => judgePreflight(facts({ NODE1: {}, NODE2: {} }), { profile: profile({ nodeOrder: ['NODE2', 'NOED1'], maxFailedNodes: 2 }) });
    expect(judge).toThrow(AppError);
    try {
      judge();
    } catch (error) {
      const e = error as AppError;
      expect(e.exitCode).toBe(ExitCode.usage);
      expect(e.code).toBe('PROFILE_INVALID');
      expect(e.message).toContain('nodeOrder: NOED1 is not a node of C1 (nodes: NODE1, NODE2)');
      expect(e.message).toContain('maxFailedNodes: must be at most nodes − 1 = 1');
    }
  });

  it('checks capacity only for the nodes that will be drained, in run order', () => {
    const f = facts({ A: { roles: ['V1', 'V2'], vmMB: 20000 }, B: { memoryMB: 32768 }, C: { state: 'Down' } });
    expect(judgePreflight(f, { profile: profile() }).capacity.map((c) => [c.node, c.verdict.ok])).toEqual([['B', true], ['A', false]]);
    // After the scan: A has no update and is not drained, so its shortfall does not matter.
    expect(judgePreflight(f, { profile: profile(), candidates: ['B'] }).refusals).toEqual([]);
  });

  it('on resume, the in-flight node is not held against the run and hosts the others', () => {
    // A was paused by the interrupted run; B's VMs fit only with A back in service.
    const f = facts({ A: { state: 'Paused', memoryMB: 32768 }, B: { roles: ['V1'], vmMB: 20000 }, C: { memoryMB: 16384 } });
    expect(judgePreflight(f, { profile: profile({ requireAllNodesOnline: true }) }).refusals.map((r) => r.code)).toEqual(['InsufficientMemory']);
    expect(judgePreflight(f, { profile: profile({ requireAllNodesOnline: true }), inFlightNode: 'A' }).refusals).toEqual([]);
  });

  it('a refusal says what failed, where, and what to try', () => {
    const [refusal] = judgePreflight(facts({ A: {}, B: {} }, {}, { B: 'WinRM does not answer' }), { profile: profile({ requireAllNodesOnline: true }) }).refusals;
    expect(refusal!.message).toBe('RequireAllNodesOnline is set and B is Up in the cluster but does not answer (WinRM does not answer); nothing was touched.');
    expect(refusal!.hint).toMatch(/^Check WinRM on B \(Test-WSMan B;/);
  });
});

describe('runPreflight on the simulator', () => {
  let h: SimHarness | undefined;
  afterEach(() => h?.cleanup());
  const node = (name: string, over: Record<string, unknown> = {}) => ({ name, roles: [] as string[], ...over });

  it('refuses with exit 5 when an Up node does not answer and RequireAllNodesOnline is set; passes without it', async () => {
    h = openTestSim({ name: 'FAR', nodes: [node('NODE1', { roles: ['VM1'] }), node('NODE2'), node('NODE3', { reachable: false })] });
    const gateway = new ClusterGateway(h.sim.transport);
    const facts = await gatherPreflight(gateway, 'FAR');
    expect([...facts.unanswered.keys()]).toEqual(['NODE3']);
    await expect(runPreflight(gateway, { entry: 'FAR', profile: profile({ requireAllNodesOnline: true }) })).rejects.toMatchObject({ code: 'NodeNotReachable', exitCode: ExitCode.refused });
    const passed = await runPreflight(gateway, { entry: 'FAR', profile: profile() });
    expect(passed.target.order).toEqual(['NODE2', 'NODE3', 'NODE1']);
  });

  it('reads memory and VMs through get-node-capacity and refuses a shortfall', async () => {
    h = openTestSim({
      name: 'TIGHT',
      vms: { BIG: { memoryMB: 48000 } },
      nodes: [node('NODE1', { roles: ['BIG'], memoryMB: 65536 }), node('NODE2', { memoryMB: 32768 })],
    });
    const gateway = new ClusterGateway(h.sim.transport);
    await expect(runPreflight(gateway, { entry: 'TIGHT', profile: profile() })).rejects.toMatchObject({ code: 'InsufficientMemory', exitCode: ExitCode.refused });
    const cluster = await gateway.call('TIGHT', 'get-cluster', {});
    expect(checkCapacity(await readCapacityInput(gateway, cluster, ['NODE2'])).ok).toBe(true);
    expect(checkCapacity(await readCapacityInput(gateway, cluster, ['NODE1']))).toMatchObject({ ok: false, unplaced: ['BIG'] });
  });
});
