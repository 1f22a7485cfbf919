// The restart gate with group mates (issue 18, run --max-concurrent-nodes): mates down are the group's own.
import type { ClusterInfo } from '../../cluster/operations.js';
import { restartClusterGate } from './gates.js';

function aCluster(states: Record<string, 'Up' | 'Down' | 'Paused'>, over: Partial<ClusterInfo> = {}): ClusterInfo {
  return {
    name: 'C1',
    nodes: Object.entries(states).map(([name, state]) => ({ name, state, drainStatus: 'NotInitiated' as const, roles: [] })),
    quorum: { healthy: true, witnessType: 'Cloud', witnessState: 'Online' },
    functionalLevel: 11,
    s2dEnabled: true,
    nativeCauRunInProgress: false,
    ...over,
  };
}

describe('restartClusterGate with group mates', () => {
  const eight = (down: string[]): Record<string, 'Up' | 'Down'> => Object.fromEntries(['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8'].map((n) => [n, down.includes(n) ? 'Down' : 'Up']));
  it.each<[string, ClusterInfo, string[] | undefined, boolean, boolean]>([
    ['S2D, a mate down: allowed', aCluster(eight(['N2'])), ['N2', 'N3'], false, true],
    ['S2D, a node outside the group down: held', aCluster(eight(['N5'])), ['N2', 'N3'], false, false],
    ['S2D, no group: another node down is held (one at a time)', aCluster(eight(['N2'])), undefined, false, false],
    ['RequireAllNodesOnline: a mate down still holds', aCluster(eight(['N2'])), ['N2'], true, false],
    ['quorum would not survive: held even for mates', aCluster({ N1: 'Up', N2: 'Down', N3: 'Down' }, { quorum: { healthy: true, witnessType: 'None', witnessState: 'NotConfigured' } }), ['N2', 'N3'], false, false],
  ])('%s', (_name, cluster, mates, requireAll, ok) => {
    expect(restartClusterGate(cluster, 'N1', requireAll, mates).ok).toBe(ok);
  });
});

describe('restartClusterGate: which nodes count as down, and what the verdict says', () => {
  it.each<[string, ClusterInfo, string[] | undefined, boolean, ReturnType<typeof restartClusterGate>]>([
    ['every other node Up, RequireAllNodesOnline: open', aCluster({ N1: 'Paused', N2: 'Up', N3: 'Up' }), undefined, true, { ok: true }],
    ['the node itself down does not hold its own restart', aCluster({ N1: 'Down', N2: 'Up', N3: 'Up' }), undefined, true, { ok: true }],
    ['a node in state Unknown counts as down', aCluster({ N1: 'Paused', N2: 'Up', N3: 'Up', N4: 'Up' }, { nodes: [...aCluster({ N1: 'Paused', N2: 'Up', N3: 'Up' }).nodes, { name: 'N4', state: 'Unknown', drainStatus: 'NotInitiated', roles: [] }] }), undefined, false, { ok: false, code: 'QuorumAtRisk', message: 'N4 went down and restarting N1 too would risk quorum or storage redundancy' }],
    ['two down, named both', aCluster({ N1: 'Paused', N2: 'Down', N3: 'Down', N4: 'Up', N5: 'Up', N6: 'Up', N7: 'Up' }), undefined, false, { ok: false, code: 'QuorumAtRisk', message: 'N2, N3 went down and restarting N1 too would risk quorum or storage redundancy' }],
    ['S2D, a mate down and a node outside the group down: held', aCluster({ N1: 'Paused', N2: 'Down', N3: 'Up', N4: 'Up', N5: 'Down', N6: 'Up', N7: 'Up', N8: 'Up' }), ['N2'], false, { ok: false, code: 'QuorumAtRisk', message: 'N2, N5 went down and restarting N1 too would risk quorum or storage redundancy' }],
    ['without S2D another node down is allowed while quorum survives', aCluster({ N1: 'Paused', N2: 'Down', N3: 'Up', N4: 'Up', N5: 'Up' }, { s2dEnabled: false }), undefined, false, { ok: true }],
    ['without S2D but RequireAllNodesOnline: held', aCluster({ N1: 'Paused', N2: 'Down', N3: 'Up', N4: 'Up', N5: 'Up' }, { s2dEnabled: false }), undefined, true, { ok: false, code: 'QuorumAtRisk', message: 'N2 went down and restarting N1 too would risk quorum or storage redundancy' }],
    ['without S2D, quorum lost: held', aCluster({ N1: 'Paused', N2: 'Down', N3: 'Up' }, { s2dEnabled: false, quorum: { healthy: true, witnessType: 'None', witnessState: 'NotConfigured' } }), undefined, false, { ok: false, code: 'QuorumAtRisk', message: 'N2 went down and restarting N1 too would risk quorum or storage redundancy' }],
  ])('%s', (_name, cluster, mates, requireAll, verdict) => {
    expect(restartClusterGate(cluster, 'N1', requireAll, mates)).toEqual(verdict);
  });
});
