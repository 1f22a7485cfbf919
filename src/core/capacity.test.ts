import { capacityInputFrom, checkCapacity, checkEachNode, type CapacityNode, type CapacityVm } from './capacity.js';

const aNode = (name: string, over: Partial<CapacityNode> = {}): CapacityNode => ({ name, state: 'Up', memoryMB: 65536, roles: [], ...over });
const aVm = (name: string, node: string, over: Partial<CapacityVm> = {}): CapacityVm => ({
  name,
  role: name,
  node,
  state: 'Running',
  memoryMB: 8192,
  liveMigratable: true,
  ...over,
});
/** Nodes whose `roles` list the clustered VMs they run, as get-cluster reports them. */
function cluster(nodes: CapacityNode[], vms: CapacityVm[]): { nodes: CapacityNode[]; vms: CapacityVm[] } {
  return {
    nodes: nodes.map((n) => ({ ...n, roles: [...vms.filter((vm) => vm.node === n.name && vm.role !== null).map((vm) => vm.role!), ...n.roles] })),
    vms,
  };
}

describe('checkCapacity', () => {
  it.each([
    {
      name: 'the other nodes have the memory',
      input: cluster([aNode('A'), aNode('B'), aNode('C')], [aVm('V1', 'A', { memoryMB: 32768 }), aVm('V2', 'A', { memoryMB: 32768 }), aVm('V3', 'B', { memoryMB: 16384 })]),
      leaving: ['A'],
      ok: true,
      moves: [['V1', 'C'], ['V2', 'B']],
    },
    {
      name: 'free memory counts the VMs a host runs now',
      // B runs 60 GB already; only C can take the 32 GB VM, and then the second 32 GB VM fits nowhere.
      input: cluster([aNode('A'), aNode('B'), aNode('C', { memoryMB: 40000 })], [aVm('V1', 'A', { memoryMB: 32768 }), aVm('V2', 'A', { memoryMB: 32768 }), aVm('B1', 'B', { memoryMB: 61440 })]),
      leaving: ['A'],
      ok: false,
      code: 'InsufficientMemory',
      unplaced: ['V2'],
      notMigratable: [],
    },
    {
      name: 'free memory counts the VMs a host will receive',
      input: cluster([aNode('A'), aNode('B', { memoryMB: 20000 })], [aVm('V1', 'A', { memoryMB: 12000 }), aVm('V2', 'A', { memoryMB: 12000 })]),
      leaving: ['A'],
      ok: false,
      code: 'InsufficientMemory',
      unplaced: ['V2'],
      notMigratable: [],
    },
    {
      name: 'placement follows the reported order, as the cluster places a drain (no bin-packing)',
      // Largest first would fit both (V2 → B, V1 → C); the cluster puts V1 on B first and V2 then fits nowhere.
      input: cluster(
        [aNode('A'), aNode('B', { memoryMB: 10000 }), aNode('C', { memoryMB: 6000 })],
        [aVm('V1', 'A', { memoryMB: 5000 }), aVm('V2', 'A', { memoryMB: 10000 })],
      ),
      leaving: ['A'],
      ok: false,
      code: 'InsufficientMemory',
      unplaced: ['V2'],
      notMigratable: [],
    },
    {
      name: 'VMs that are off or saved need a host but no memory',
      input: cluster([aNode('A'), aNode('B', { memoryMB: 1024 })], [aVm('V1', 'A', { state: 'Off', memoryMB: 32768 }), aVm('V2', 'A', { state: 'Saved', memoryMB: 32768 })]),
      leaving: ['A'],
      ok: true,
      moves: [],
    },
    {
      name: 'a running VM that cannot live-migrate is named',
      input: cluster([aNode('A'), aNode('B')], [aVm('V1', 'A', { liveMigratable: false }), aVm('V2', 'A')]),
      leaving: ['A'],
      ok: false,
      code: 'VmNotLiveMigratable',
      unplaced: [],
      notMigratable: ['V1'],
    },
    {
      name: 'a running VM that is not clustered cannot be moved by a drain',
      input: cluster([aNode('A'), aNode('B')], [aVm('LOCAL1', 'A', { role: null })]),
      leaving: ['A'],
      ok: false,
      code: 'VmNotLiveMigratable',
      unplaced: [],
      notMigratable: ['LOCAL1'],
    },
    {
      name: 'a VM that cannot live-migrate but is off is no problem',
      input: cluster([aNode('A'), aNode('B')], [aVm('V1', 'A', { liveMigratable: false, state: 'Off' })]),
      leaving: ['A'],
      ok: true,
      moves: [],
    },
    {
      name: 'both problems at once: the memory code comes first and both lists are filled',
      input: cluster([aNode('A'), aNode('B', { memoryMB: 4096 })], [aVm('BIG', 'A', { memoryMB: 8192 }), aVm('PINNED', 'A', { liveMigratable: false })]),
      leaving: ['A'],
      ok: false,
      code: 'InsufficientMemory',
      unplaced: ['BIG'],
      notMigratable: ['PINNED'],
    },
    {
      name: 'a single-node cluster with a running VM',
      input: cluster([aNode('SOLO')], [aVm('VM01', 'SOLO')]),
      leaving: ['SOLO'],
      ok: false,
      code: 'NoNodeForRoles',
      unplaced: ['VM01'],
      notMigratable: [],
    },
    {
      name: 'every other node down or paused: the roles have nowhere to go',
      input: cluster([aNode('A'), aNode('B', { state: 'Down' }), aNode('C', { state: 'Paused' })], [aVm('V1', 'A')]),
      leaving: ['A'],
      ok: false,
      code: 'NoNodeForRoles',
      unplaced: ['V1'],
      notMigratable: [],
    },
    {
      name: 'a role that is not a VM needs one other Up node, and has none',
      input: cluster([aNode('A', { roles: ['FileServer1'] }), aNode('B', { state: 'Down' })], []),
      leaving: ['A'],
      ok: false,
      code: 'NoNodeForRoles',
      unplaced: ['FileServer1'],
      notMigratable: [],
    },
    {
      name: 'a role that is not a VM needs no memory',
      input: cluster([aNode('A', { roles: ['FileServer1'] }), aNode('B', { memoryMB: 0 })], []),
      leaving: ['A'],
      ok: true,
      moves: [],
    },
    {
      name: 'a single node with no role at all may leave',
      input: cluster([aNode('SOLO')], []),
      leaving: ['SOLO'],
      ok: true,
      moves: [],
    },
    {
      name: 'a Paused node receives nothing even when it has the memory',
      input: cluster([aNode('A'), aNode('B', { state: 'Paused' }), aNode('C', { memoryMB: 4096 })], [aVm('V1', 'A')]),
      leaving: ['A'],
      ok: false,
      code: 'InsufficientMemory',
      unplaced: ['V1'],
      notMigratable: [],
    },
    {
      name: 'unknown host memory: judged on placement only',
      input: cluster([aNode('A'), aNode('B', { memoryMB: null })], [aVm('V1', 'A', { memoryMB: 999999 })]),
      leaving: ['A'],
      ok: true,
      moves: [['V1', 'B']],
    },
    {
      name: 'unknown VM memory fits any host',
      input: cluster([aNode('A'), aNode('B', { memoryMB: 1 })], [aVm('V1', 'A', { memoryMB: null })]),
      leaving: ['A'],
      ok: true,
      moves: [['V1', 'B']],
    },
    {
      name: 'k nodes at once: their VMs compete for the same hosts',
      input: cluster([aNode('A'), aNode('B'), aNode('C', { memoryMB: 20000 })], [aVm('VA', 'A', { memoryMB: 12000 }), aVm('VB', 'B', { memoryMB: 12000 })]),
      leaving: ['A', 'B'],
      ok: false,
      code: 'InsufficientMemory',
      unplaced: ['VB'],
      notMigratable: [],
    },
    {
      name: 'k nodes at once, with room for both',
      input: cluster([aNode('A'), aNode('B'), aNode('C'), aNode('D')], [aVm('VA', 'A', { memoryMB: 12000 }), aVm('VB', 'B', { memoryMB: 12000 })]),
      leaving: ['a', 'b'],
      ok: true,
      moves: [['VA', 'C'], ['VB', 'D']],
    },
  ])('$name', ({ input, leaving, ...expected }) => {
    const verdict = checkCapacity({ ...input, leaving });
    expect(verdict.ok).toBe(expected.ok);
    if (verdict.ok) {
      expect(verdict.moves.map((m) => [m.vm, m.to])).toEqual(expected.moves);
    } else {
      expect({ code: verdict.code, unplaced: verdict.unplaced, notMigratable: verdict.notMigratable }).toEqual({
        code: expected.code,
        unplaced: expected.unplaced,
        notMigratable: expected.notMigratable,
      });
    }
  });

  it('a shortfall names the VM, its memory, the free memory left and what to try', () => {
    const verdict = checkCapacity({ ...cluster([aNode('NODE1'), aNode('NODE2', { memoryMB: 16384 })], [aVm('VM-SQL01', 'NODE1', { memoryMB: 32768 })]), leaving: ['NODE1'] });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.message).toContain('Draining NODE1');
    expect(verdict.message).toContain('VM-SQL01 (32768 MB) does not fit');
    expect(verdict.message).toContain('NODE2 16384 MB free');
    expect(verdict.message).toMatch(/Try: free memory on the other nodes/);
    expect(verdict.message).toContain('ForcePauseNoDrain');
  });

  it('names why a VM cannot live-migrate, as the node reports it', () => {
    const verdict = checkCapacity({
      ...cluster([aNode('A'), aNode('B')], [aVm('GPU1', 'A', { liveMigratable: false, notMigratableReason: 'a device is assigned to the VM' }), aVm('LOCAL1', 'A', { role: null })]),
      leaving: ['A'],
    });
    if (verdict.ok) throw new Error('expected a refusal');
    expect(verdict.message).toContain('GPU1 (a device is assigned to the VM), LOCAL1 (not a clustered role) cannot live-migrate and would go down');
    expect(verdict.message).toMatch(/Try: make the VMs live-migratable/);
  });

  it('the single-node refusal says why and names CAU\'s switch that accepts the downtime', () => {
    const verdict = checkCapacity({ ...cluster([aNode('SOLO')], [aVm('VM01', 'SOLO')]), leaving: ['SOLO'] });
    if (verdict.ok) throw new Error('expected a refusal');
    expect(verdict.message).toContain('SOLO is the only node of the cluster');
    expect(verdict.message).toContain('running VMs: VM01');
    expect(verdict.message).toContain("CAU's switch that pauses a node without draining it, accepting that its roles go down, is ForcePauseNoDrain");
    // cauctl does not offer the switch yet: the message must not tell the user to pass a flag that does not exist.
    expect(verdict.message).not.toContain('--force-pause-no-drain');
  });

  it('says when it judged on placement only', () => {
    const known = checkCapacity({ ...cluster([aNode('A'), aNode('B')], [aVm('V1', 'A')]), leaving: ['A'] });
    const unknown = checkCapacity({ ...cluster([aNode('A'), aNode('B', { memoryMB: null })], [aVm('V1', 'A')]), leaving: ['A'] });
    expect(known.basis).toBe('memory');
    expect(unknown.basis).toBe('placement');
    expect(known.ok && known.summary).toBe('V1 (8192 MB) → B; free after: B 57344 MB');
    expect(unknown.ok && unknown.summary).toBe('V1 → B (memory unknown: judged on placement only)');
  });
});

describe('capacityInputFrom', () => {
  it('joins get-cluster with the per-node reports; a node without a report has unknown memory and no known VM', () => {
    const input = capacityInputFrom(
      { nodes: [{ name: 'A', state: 'Up', drainStatus: 'NotInitiated', roles: ['V1'] }, { name: 'B', state: 'Down', drainStatus: 'NotInitiated', roles: [] }] },
      [{ node: 'a', memoryMB: 4096, vms: [{ name: 'V1', role: 'V1', state: 'Running', memoryMB: 1024, liveMigratable: true }] }],
      ['A'],
    );
    expect(input).toEqual({
      nodes: [
        { name: 'A', state: 'Up', memoryMB: 4096, roles: ['V1'] },
        { name: 'B', state: 'Down', memoryMB: null, roles: [] },
      ],
      vms: [{ name: 'V1', role: 'V1', node: 'A', state: 'Running', memoryMB: 1024, liveMigratable: true }],
      leaving: ['A'],
    });
  });
});

describe('checkEachNode', () => {
  it('checks each node leaving alone, as a rolling run takes them', () => {
    const input = cluster([aNode('A', { memoryMB: 16384 }), aNode('B', { memoryMB: 16384 })], [aVm('VA', 'A', { memoryMB: 12000 }), aVm('VB', 'B', { memoryMB: 2000 })]);
    const verdicts = checkEachNode(input, ['A', 'B']);
    expect(verdicts.map((v) => [v.node, v.verdict.ok])).toEqual([['A', true], ['B', true]]);
    // B has room for A's VM, but A, nearly full, has none for B's.
    const tight = cluster([aNode('A', { memoryMB: 16384 }), aNode('B', { memoryMB: 32768 })], [aVm('VA', 'A', { memoryMB: 14000 }), aVm('VB', 'B', { memoryMB: 4000 })]);
    expect(checkEachNode(tight, ['A', 'B']).map((v) => [v.node, v.verdict.ok])).toEqual([['A', true], ['B', false]]);
  });
});
