import { quorumSurvivesDown, quorumSurvivesOneMore, s2dMaintenanceBreaches, serversAcrossFaultDomains, type PoolFacts, type WitnessVote } from './oracles.js';
import { restartGateBreaches, type RestartObservation } from './audit.js';

/**
 * Known answers, copied from Microsoft's documentation (see oracles.ts for the pages): each row is a cluster, the
 * nodes already Down, and whether it keeps quorum when one more node goes. Not computed here.
 */
const QUORUM_CASES: [name: string, nodes: number, witness: WitnessVote, alreadyDown: number, survives: boolean][] = [
  // "Cluster quorum recommendations": one failure ('50/50' is No for an audit).
  ['2 nodes, no witness, one failure: 50/50', 2, 'none', 0, false],
  ['2 nodes + witness, one failure: Yes', 2, 'online', 0, true],
  ['3 nodes, one failure: Yes', 3, 'none', 0, true],
  ['4 nodes, one failure: Yes', 4, 'none', 0, true],
  // One failure, then another (dynamic quorum adjusted the votes in between).
  ['2 nodes + witness, one then another: No', 2, 'online', 1, false],
  ['3 nodes, one then another: 50/50', 3, 'none', 1, false],
  ['3 nodes + witness, one then another: Yes', 3, 'online', 1, true],
  ['4 nodes, one then another: Yes', 4, 'none', 1, true],
  ['4 nodes + witness, one then another: Yes', 4, 'online', 1, true],
  ['5 nodes, one then another: Yes', 5, 'none', 1, true],
  ['8 nodes (5 and above), one then another: Yes', 8, 'none', 1, true],
  // sys.dm_hadr_cluster quorum_type: the static guarantee, with its own examples.
  ['7 nodes, Node Majority, sustains 3: a 3rd failure after 2', 7, 'none', 2, true],
  ['7 nodes, Node Majority, not a 4th', 7, 'none', 3, false],
  ['6 nodes + witness online, sustains 3', 6, 'online', 2, true],
  ['6 nodes + witness online, not a 4th', 6, 'online', 3, false],
  ['6 nodes + witness offline, sustains 2', 6, 'offline', 1, true],
  ['6 nodes + witness offline, not a 3rd', 6, 'offline', 2, false],
  ['4 nodes + witness, two Down already: half rounded up is 2, not 3', 4, 'online', 2, false],
];

describe('quorum oracle: the documented answers', () => {
  it.each(QUORUM_CASES)('%s', (_name, nodes, witness, alreadyDown, survives) => {
    expect(quorumSurvivesOneMore(nodes, witness, alreadyDown)).toBe(survives);
  });
});

describe('quorum oracle: several nodes away at once (issue 18)', () => {
  it.each<[string, number, WitnessVote, number, boolean]>([
    ['none away', 2, 'none', 0, true],
    ['one of 3', 3, 'none', 1, true],
    ['two at once of 4 + witness: Yes (table)', 4, 'online', 2, true],
    ['two at once of 4, no witness: 50/50 is No, static 1', 4, 'none', 2, false],
    ['two at once of 5: Yes (table)', 5, 'none', 2, true],
    ['three of 7, Node Majority: static 3', 7, 'none', 3, true],
    ['four of 7: no', 7, 'none', 4, false],
    ['four of 16 + disk witness: static 8', 16, 'online', 4, true],
    ['eight of 16 + witness online: static 8', 16, 'online', 8, true],
    ['nine of 16 + witness: no', 16, 'online', 9, false],
    ['eight of 16, no witness: static 7, no', 16, 'none', 8, false],
  ])('%s', (_name, nodes, witness, down, survives) => {
    expect(quorumSurvivesDown(nodes, witness, down)).toBe(survives);
  });
});

describe('storage fault domains: servers away together', () => {
  const racks = { N1: 'rack A', N2: 'rack A', N3: 'rack B', N4: 'rack B' };
  it.each<[string, string[], Record<string, string> | undefined, string[]]>([
    ['one server is always fine', ['N1'], undefined, []],
    ['two servers at server-level awareness', ['N1', 'N2'], undefined, ['N1', 'N2']],
    ['two servers of one rack at rack awareness', ['N1', 'N2'], racks, []],
    ['two servers of two racks at rack awareness', ['N1', 'N3'], racks, ['N1', 'N3']],
    ['a server outside the map is its own domain', ['N1', 'N9'], racks, ['N1', 'N9']],
  ])('%s', (_name, servers, domains, breach) => {
    expect(serversAcrossFaultDomains(servers, domains)).toEqual(breach);
  });
});

const calmPool = (over: Partial<PoolFacts> = {}): PoolFacts => ({ node: 'N2', inMaintenance: [], unfinishedJobs: [], detachedDisks: [], exemptOwnDebt: false, ...over });

describe('S2D maintenance rules', () => {
  it.each<[string, PoolFacts, string[]]>([
    ['a calm pool lets the node go', calmPool(), []],
    ['the leaving node itself in maintenance (its own pause) is not a second one', calmPool({ inMaintenance: ['N2'] }), []],
    ['another node still resyncing', calmPool({ inMaintenance: ['N1'] }), ['N1 was still in storage maintenance or resyncing']],
    ['a repair job running', calmPool({ unfinishedJobs: [{ node: 'N1', state: 'Running' }] }), ['the repair of N1 (Running) had not finished']],
    ['a repair job stalled', calmPool({ unfinishedJobs: [{ node: 'N3', state: 'Suspended' }] }), ['the repair of N3 (Suspended) had not finished']],
    ["the leaving node's own repair, not exempt (before its suspend)", calmPool({ unfinishedJobs: [{ node: 'N2', state: 'Running' }] }), ['the repair of N2 (Running) had not finished']],
    ["the leaving node's own repair, exempt (its second restart)", calmPool({ exemptOwnDebt: true, unfinishedJobs: [{ node: 'N2', state: 'Running' }] }), []],
    ['a detached volume', calmPool({ detachedDisks: ['Volume1'] }), ['virtual disk Volume1 was detached']],
    ['rack awareness: a server of the same rack in maintenance', calmPool({ inMaintenance: ['N1'], faultDomains: { N1: 'rack A', N2: 'rack A', N3: 'rack B' } }), []],
    ['rack awareness: a server of another rack in maintenance', calmPool({ inMaintenance: ['N3'], faultDomains: { N1: 'rack A', N2: 'rack A', N3: 'rack B' } }), ['N3 was still in storage maintenance or resyncing']],
    ['rack awareness: the repair of a server of the same rack', calmPool({ unfinishedJobs: [{ node: 'N1', state: 'Running' }], faultDomains: { N1: 'rack A', N2: 'rack A', N3: 'rack B' } }), []],
    ['rack awareness: the repair of a server of another rack', calmPool({ unfinishedJobs: [{ node: 'N3', state: 'Running' }], faultDomains: { N1: 'rack A', N2: 'rack A', N3: 'rack B' } }), ['the repair of N3 (Running) had not finished']],
  ])('%s', (_name, facts, breaches) => {
    expect(s2dMaintenanceBreaches(facts)).toEqual(breaches);
  });
});

const aRestart = (over: Partial<RestartObservation> = {}): RestartObservation => ({
  node: 'N2',
  clusterStopped: false,
  s2d: true,
  othersDown: [],
  quorumSurvivesRestart: true,
  storageBreaches: [],
  ...over,
});

describe('the restart gate as an audit rule', () => {
  it.each<[string, RestartObservation, string[]]>([
    ['nothing down, storage ready', aRestart(), []],
    ['S2D: another node Down', aRestart({ othersDown: ['N1'] }), ['N2 was restarted while N1 was Down: S2D keeps one node away at a time.']],
    ['S2D rack awareness: a node of the same rack Down', aRestart({ othersDown: ['N1'], downInSameFaultDomain: ['N1'] }), []],
    ['S2D rack awareness: a node of another rack Down', aRestart({ othersDown: ['N1', 'N3'], downInSameFaultDomain: ['N1'] }), ['N2 was restarted while N3 was Down: S2D keeps one fault domain away at a time.']],
    ['S2D rack awareness: same rack, but quorum would not survive', aRestart({ othersDown: ['N1'], downInSameFaultDomain: ['N1'], quorumSurvivesRestart: false }), ['N2 was restarted while N1 was Down and quorum would not survive its restart.']],
    ['no S2D: another node Down, quorum survives', aRestart({ s2d: false, othersDown: ['N1'] }), []],
    ['no S2D: two Down, quorum would not survive', aRestart({ s2d: false, othersDown: ['N1', 'N3'], quorumSurvivesRestart: false }), ['N2 was restarted while N1, N3 were Down and quorum would not survive its restart.']],
    ['S2D: storage not ready', aRestart({ storageBreaches: ['the repair of N1 (Running) had not finished'] }), ['N2 was restarted while storage was not healthy: the repair of N1 (Running) had not finished.']],
    ['offline update: the cluster is stopped, no gate', aRestart({ clusterStopped: true, othersDown: ['N1', 'N3'], quorumSurvivesRestart: false, storageBreaches: ['x'] }), []],
  ])('%s', (_name, observation, breaches) => {
    expect(restartGateBreaches(observation)).toEqual(breaches);
  });
});
