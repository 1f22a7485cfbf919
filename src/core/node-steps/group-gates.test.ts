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
