import type { ClusterInfo, NodeCapacity, NodeSetup, StorageHealth } from '../cluster/operations.js';
import { evaluateSetup, hasErrors, planFixes, type CauRoleFacts, type SetupFacts } from './readiness.js';

function aSetup(node: string, overrides: Partial<NodeSetup> = {}): NodeSetup {
  return {
    node,
    osCaption: 'Azure Stack HCI',
    osBuild: 25398,
    features: { failoverClustering: true, rsatClusteringPowerShell: true, netFramework45: true },
    psRemotingEnabled: true,
    wmiRemotingEnabled: true,
    winrmServiceAutomatic: true,
    remoteShutdownFirewallEnabled: true,
    autoUpdateMode: 'NotifyOnly',
    updateSource: 'WindowsUpdate',
    winHttpProxy: 'Direct',
    dotNetVersion: '4.8',
    powerShellVersion: '5.1',
    clusterServiceState: 'Running',
    clusterServiceStartMode: 'Auto',
    credSspServerEnabled: false,
    registeredPlugins: ['Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin'],
    ...overrides,
  };
}

function aCluster(overrides: Partial<ClusterInfo> = {}): ClusterInfo {
  return {
    name: 'HCI01',
    nodes: ['N1', 'N2'].map((name) => ({ name, state: 'Up' as const, drainStatus: 'NotInitiated' as const, roles: [] })),
    quorum: { healthy: true, witnessType: 'Cloud', witnessState: 'Online' },
    functionalLevel: 12,
    s2dEnabled: true,
    nativeCauRunInProgress: false,
    ...overrides,
  };
}

const healthyStorage: StorageHealth = {
  s2dEnabled: true,
  jobs: [],
  virtualDisks: [{ friendlyName: 'V', healthStatus: 'Healthy', operationalStatus: 'OK', isOnline: true }],
  pools: [{ friendlyName: 'P', healthStatus: 'Healthy', operationalStatus: 'OK' }],
};

function facts(n2: Partial<NodeSetup> = {}, extra: Partial<SetupFacts> = {}): SetupFacts {
  return {
    cluster: aCluster(),
    clusterError: null,
    nodes: [
      { node: 'N1', setup: aSetup('N1'), error: null },
      { node: 'N2', setup: aSetup('N2', n2), error: null },
    ],
    storage: healthyStorage,
    role: null,
    ...extra,
  };
}

const rule = (results: ReturnType<typeof evaluateSetup>, id: string) => results.find((r) => r.id === id)!;

describe('evaluateSetup', () => {
  it('passes a healthy cluster: 26 rules, no error, self-updating rules not applicable', () => {
    const results = evaluateSetup(facts());
    expect(results).toHaveLength(26);
    expect(hasErrors(results)).toBe(false);
    expect(results.filter((r) => r.state === 'Fail')).toEqual([]);
    for (const id of ['CAU-11', 'CAU-12', 'CAU-13', 'CAU-14', 'CAU-15', 'CAU-16', 'CAU-17', 'CAU-18', 'CAU-19']) expect(rule(results, id).state).toBe('NotApplicable');
  });

  it.each([
    ['CAU-02', { wmiRemotingEnabled: false }, 'Error'],
    ['CAU-02', { winrmServiceAutomatic: false }, 'Error'],
    ['CAU-03', { psRemotingEnabled: false }, 'Warning'],
    ['CAU-04', { osBuild: 9600 }, 'Error'],
    ['CAU-05', { powerShellVersion: '4.0' }, 'Warning'],
    ['CAU-06', { clusterServiceState: 'Stopped' }, 'Error'],
    ['CAU-06', { clusterServiceStartMode: 'Manual' }, 'Error'],
    ['CAU-07', { autoUpdateMode: 'AutoInstall' }, 'Warning'],
    ['CAU-08', { updateSource: 'WSUS:http://wsus:8530' }, 'Warning'],
    ['CAU-09', { remoteShutdownFirewallEnabled: false }, 'Error'],
    ['CAUCTL-01', { features: { failoverClustering: true, rsatClusteringPowerShell: false, netFramework45: true } }, 'Error'],
    ['CAUCTL-04', { credSspServerEnabled: true }, 'Warning'],
  ] as const)('%s fails on N2 for %j', (id, n2, severity) => {
    const results = evaluateSetup(facts(n2 as Partial<NodeSetup>));
    const r = rule(results, id);
    expect(r).toMatchObject({ state: 'Fail', severity });
    expect(r.nodes.filter((n) => n.state === 'Fail').map((n) => n.node)).toEqual(['N2']);
    expect(r.remedy.length).toBeGreaterThan(10);
    expect(hasErrors(results)).toBe(severity === 'Error');
  });

  it('checks the WinHTTP proxy only when one is used, and wants the local bypass', () => {
    expect(rule(evaluateSetup(facts()), 'CAU-10').state).toBe('NotApplicable');
    const proxied = { winHttpProxy: 'proxy:8080' };
    const both = facts({}, { nodes: [{ node: 'N1', setup: aSetup('N1', proxied), error: null }, { node: 'N2', setup: aSetup('N2', { winHttpProxy: 'proxy:8080 bypass <local>' }), error: null }] });
    expect(rule(evaluateSetup(both), 'CAU-10').nodes.map((n) => n.state)).toEqual(['Fail', 'Fail']);
  });

  it.each([
    ['quorum not healthy', { cluster: aCluster({ quorum: { healthy: false, witnessType: 'Cloud', witnessState: 'Online' } }) }, 'CAUCTL-02'],
    ['witness offline', { cluster: aCluster({ quorum: { healthy: true, witnessType: 'Disk', witnessState: 'Offline' } }) }, 'CAUCTL-02'],
    ['a repair job running', { storage: { ...healthyStorage, jobs: [{ name: 'Repair', jobState: 'Running', bytesProcessed: 1, bytesTotal: 10, percentComplete: 10 }] } }, 'CAUCTL-03'],
    ['a node unreachable', { nodes: [{ node: 'N1', setup: aSetup('N1'), error: null }, { node: 'N2', setup: null, error: 'N2 is not reachable' }] }, 'CAU-01'],
    ['a node down', { cluster: aCluster({ nodes: [{ name: 'N1', state: 'Up', drainStatus: 'NotInitiated', roles: [] }, { name: 'N2', state: 'Down', drainStatus: 'NotInitiated', roles: [] }] }) }, 'CAU-01'],
  ] as const)('fails on %s', (_name, extra, id) => {
    const results = evaluateSetup(facts({}, extra as Partial<SetupFacts>));
    expect(rule(results, id).state).toBe('Fail');
    expect(hasErrors(results)).toBe(true);
  });

  it('stops at rule 1 when the cluster cannot be reached', () => {
    const results = evaluateSetup({ cluster: null, clusterError: 'HCI01 does not resolve', nodes: [], storage: null, role: null });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ id: 'CAU-01', state: 'Fail', detail: expect.stringContaining('HCI01 does not resolve') });
  });

  it('judges the self-updating rules once a role exists, with remedies that name the cluster', () => {
    const role: CauRoleFacts = { present: true, enabled: false, plugins: ['Contoso.FirmwarePlugin'], possibleOwners: ['N1'], preUpdateScript: null, postUpdateScript: null, warnAfterMs: 7200_000, stopAfterMs: 3600_000, optionProblems: ['RebootTimeoutMinutes: must be positive'] };
    const results = evaluateSetup(facts({}, { role }));
    expect(rule(results, 'CAU-11').state).toBe('Pass');
    for (const id of ['CAU-12', 'CAU-13', 'CAU-15', 'CAU-16', 'CAU-19']) expect([id, rule(results, id).state]).toEqual([id, 'Fail']);
    expect(rule(results, 'CAU-12').remedy).toBe('Enable-CauClusterRole -ClusterName HCI01 -Force');
  });
});

describe('planFixes', () => {
  it('plans only the safe remedies, per failing node', () => {
    const results = evaluateSetup(facts({ remoteShutdownFirewallEnabled: false, credSspServerEnabled: true, autoUpdateMode: 'AutoInstall', features: { failoverClustering: true, rsatClusteringPowerShell: false, netFramework45: true } }));
    expect(Object.fromEntries(planFixes(results))).toEqual({
      N2: { enableRemoteShutdownFirewall: true, installFeatures: ['RSAT-Clustering-PowerShell'], disableCredSspServer: true },
    });
  });

  it('plans nothing for an unreachable node', () => {
    const results = evaluateSetup(facts({}, { nodes: [{ node: 'N1', setup: aSetup('N1', { remoteShutdownFirewallEnabled: false }), error: null }, { node: 'N2', setup: null, error: 'gone' }] }));
    expect([...planFixes(results).keys()]).toEqual(['N1']);
  });
});

describe('CAUCTL-05: each node can be drained (capacity)', () => {
  const vm = (name: string, memoryMB: number, liveMigratable = true) => ({ name, role: name, state: 'Running', memoryMB, liveMigratable });
  const withVms = (n1: Array<ReturnType<typeof vm>>, n2: Array<ReturnType<typeof vm>>, memoryMB: number | null = 65536, n2State: 'Up' | 'Down' = 'Up', n1MemoryMB = memoryMB): Partial<SetupFacts> => {
    const capacity: NodeCapacity[] = [{ node: 'N1', memoryMB: n1MemoryMB, vms: n1 }, ...(n2State === 'Up' ? [{ node: 'N2', memoryMB, vms: n2 }] : [])];
    const cluster = aCluster({
      nodes: [
        { name: 'N1', state: 'Up', drainStatus: 'NotInitiated', roles: n1.map((v) => v.name) },
        { name: 'N2', state: n2State, drainStatus: 'NotInitiated', roles: n2.map((v) => v.name) },
      ],
    });
    return { cluster, capacity };
  };

  it.each([
    { name: 'both nodes can host the other\'s VMs', extra: withVms([vm('A', 16384)], [vm('B', 16384)]), state: 'Pass', nodes: ['Pass', 'Pass'] },
    { name: 'N2 cannot host N1\'s VMs, N1 can host N2\'s', extra: withVms([vm('A', 60000)], [vm('B', 10000)], 65536, 'Up', 131072), state: 'Fail', nodes: ['Fail', 'Pass'] },
    { name: 'a VM that cannot live-migrate', extra: withVms([vm('A', 1024, false)], []), state: 'Fail', nodes: ['Fail', 'Pass'] },
    { name: 'N2 is down: N1 cannot be drained, N2 is not drained', extra: withVms([vm('A', 1024)], [], 65536, 'Down'), state: 'Fail', nodes: ['Fail', 'NotApplicable'] },
    { name: 'memory unknown: judged on placement', extra: withVms([vm('A', 0)], [vm('B', 0)], null), state: 'Pass', nodes: ['Pass', 'Pass'] },
    { name: 'not read', extra: {}, state: 'NotApplicable', nodes: [] },
  ])('$name', ({ extra, state, nodes }) => {
    const results = evaluateSetup(facts({}, extra));
    const r = rule(results, 'CAUCTL-05');
    expect(r.severity).toBe('Error');
    expect(r.state).toBe(state);
    expect(r.nodes.map((n) => n.state)).toEqual(nodes);
    expect(hasErrors(results)).toBe(state === 'Fail' || (extra.cluster?.nodes.some((n) => n.state === 'Down') ?? false));
  });

  it('names the VMs that do not fit, and says when it judged on placement only', () => {
    const short = rule(evaluateSetup(facts({}, withVms([vm('SQL1', 40000)], [vm('B', 30000)]))), 'CAUCTL-05');
    expect(short.nodes[0]!.detail).toMatch(/^InsufficientMemory: Draining N1 would take running VMs down: SQL1 \(40000 MB\) does not fit/);
    expect(short.remedy).toMatch(/ForcePauseNoDrain/);
    expect(rule(evaluateSetup(facts({}, withVms([vm('A', 0)], [], null))), 'CAUCTL-05').detail).toBe('all nodes pass (memory unknown: judged on placement only)');
  });
});
