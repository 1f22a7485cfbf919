import { judgeServers, parseComputerNames, serversToResume, type ServerProbe } from './clusterless.js';

describe('parseComputerNames: --computer-name, validated, in the order given', () => {
  it.each<[string, string[], string[]]>([
    ['comma-separated', ['SRV1,SRV2,SRV3'], ['SRV1', 'SRV2', 'SRV3']],
    ['repeated, spaces trimmed', ['SRV2', ' SRV1 '], ['SRV2', 'SRV1']],
    ['DNS names', ['web1.contoso.com,web2.contoso.com'], ['web1.contoso.com', 'web2.contoso.com']],
  ])('%s', (_name, raw, names) => {
    expect(parseComputerNames(raw)).toEqual(names);
  });

  it.each<[string, string[] | undefined, RegExp]>([
    ['absent', undefined, /--computer-name is required/],
    ['empty', [''], /--computer-name: no server named/],
    ['an empty name between commas', ['A,,B'], /an empty name between commas/],
    ['a duplicate, case-insensitive', ['SRV1,srv1'], /srv1 is listed twice \(also as SRV1\)/],
    ['a space inside', ['SRV 1'], /"SRV 1" is not a computer name/],
    ['a URL', ['https://srv1'], /is not a computer name/],
    ['a label ending in a hyphen', ['srv-.contoso.com'], /is not a computer name/],
  ])('%s → exit 2 naming --computer-name', (_name, raw, message) => {
    expect(() => parseComputerNames(raw)).toThrow(expect.objectContaining({ code: 'USAGE_COMPUTER_NAME', exitCode: 2, message: expect.stringMatching(message) }));
  });

  it('names the option once: "Invalid --computer-name: SRV1 is listed twice.", problems joined after it', () => {
    expect(() => parseComputerNames(['SRV1,SRV1'])).toThrow(expect.objectContaining({ message: 'Invalid --computer-name: SRV1 is listed twice.' }));
    expect(() => parseComputerNames(['SRV1,,SRV1'])).toThrow(expect.objectContaining({ message: 'Invalid --computer-name: an empty name between commas; SRV1 is listed twice.' }));
  });
});

describe('judgeServers: the run target over standalone servers', () => {
  const up = (server: string, clusterNodeState = 'Unknown'): ServerProbe => ({ server, answered: true, clusterNodeState });
  const gone = (server: string): ServerProbe => ({ server, answered: false, error: 'not reachable' });

  it('keeps the order given; a server that did not answer is down at the start; the default budget is a third', () => {
    const { target, cluster, refusal } = judgeServers([up('B'), gone('A'), up('C', 'Down')], {}, 'LAB');
    expect(refusal).toBeUndefined();
    expect(target).toEqual({ clusterName: 'LAB', order: ['B', 'A', 'C'], maxFailedNodes: 1 });
    expect(cluster.nodes.map((n) => [n.name, n.state])).toEqual([['B', 'Up'], ['A', 'Down'], ['C', 'Up']]);
  });

  it.each(['Up', 'Paused', 'Joining'])('refuses a server that is %s in a failover cluster (exit 5): it would restart undrained', (state) => {
    const { refusal } = judgeServers([up('S1'), up('N2', state)], {}, 'LAB');
    expect(refusal).toMatchObject({ code: 'CLUSTER_MEMBER', exitCode: 5, message: expect.stringMatching(new RegExp(`N2 \\(${state} in a failover cluster\\)`)) });
  });

  it('--max-failed-nodes above servers − 1 is exit 2 naming the field', () => {
    expect(() => judgeServers([up('A'), up('B')], { maxFailedNodes: 2 }, 'LAB')).toThrow(expect.objectContaining({ code: 'USAGE_MAX_FAILED_NODES', exitCode: 2 }));
    expect(judgeServers([up('A'), up('B')], { maxFailedNodes: 1 }, 'LAB').target.maxFailedNodes).toBe(1);
  });
});

describe('serversToResume: a resumed run goes on over its own servers', () => {
  it('the journal\'s order, whether --computer-name is left out or names the same servers', () => {
    expect(serversToResume(['B', 'A'], [])).toEqual(['B', 'A']);
    expect(serversToResume(['B', 'A'], ['a', 'b'])).toEqual(['B', 'A']);
  });

  it('other servers are refused, exit 2 naming --computer-name', () => {
    expect(() => serversToResume(['B', 'A'], ['A', 'C'])).toThrow(expect.objectContaining({ code: 'USAGE_COMPUTER_NAME', exitCode: 2, message: expect.stringMatching(/not the server list of the run being resumed \(B, A\)/) }));
  });
});
