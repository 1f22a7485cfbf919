/**
 * The standalone model form (`standalone: true`, clusterless-run): servers without the Failover Clustering
 * feature. Cluster cmdlets fail on them as on Windows, so a coordinator that tries to drain one is caught; an
 * install and a restart are not "undrained" there, and a restart brings no cluster service up.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUILTIN_FIXTURE_PATH } from './index.js';
import { parseFixture } from './fixture.js';
import { openTestSim, WU, type SimHarness } from './test-support.js';

let h: SimHarness;
afterEach(() => h?.cleanup());

const shipped = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(dirname(BUILTIN_FIXTURE_PATH), file), 'utf8')) as Record<string, unknown>;

describe('the standalone fixture form', () => {
  it('makes every server one without the Failover Clustering feature and its cluster service', () => {
    const fx = parseFixture(shipped('standalone-3.json'), 'standalone-3.json');
    expect(fx.nodes.map((n) => [n.name, n.state, n.setup.features.failoverClustering, n.setup.clusterServiceStartMode])).toEqual([
      ['SRV1', 'Down', false, 'Disabled'],
      ['SRV2', 'Down', false, 'Disabled'],
      ['SRV3', 'Down', false, 'Disabled'],
    ]);
  });

  it('refuses what only a cluster has, naming each field', () => {
    const raw = { name: 'MIX', standalone: true, storage: { s2d: true }, quorum: { witnessType: 'Cloud', witnessState: 'Online' }, nodes: [{ name: 'A', roles: ['VM1'], state: 'Paused', site: 'S1' }] };
    expect(() => parseFixture(raw, 'mix.json')).toThrow(expect.objectContaining({ code: 'FIXTURE_INVALID', exitCode: 2 }));
    try {
      parseFixture(raw, 'mix.json');
    } catch (error) {
      const problems = (error as { details: { problems: string[] } }).details.problems;
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^storage\.s2d: /), expect.stringMatching(/^quorum\.witnessType: /), expect.stringMatching(/^nodes\[0\]\.state: /), expect.stringMatching(/^nodes\[0\]\.roles: /), expect.stringMatching(/^nodes\[0\]\.site: /)]));
    }
  });

  it('leaves a model without the flag as it was (the same parsed fixture)', () => {
    const raw = shipped('two-node.json');
    expect(parseFixture(raw, 'two-node.json')).toEqual(parseFixture({ ...raw }, 'two-node.json'));
    expect(parseFixture(raw, 'two-node.json').nodes.every((n) => n.state === 'Up' && n.setup.features.failoverClustering)).toBe(true);
  });
});

describe('a standalone server on the simulator', () => {
  it('fails every cluster cmdlet as a server without a cluster service does', async () => {
    h = openTestSim(shipped('standalone-3.json'));
    for (const [name, params] of [
      ['get-cluster', {}],
      ['suspend-node', { name: 'SRV1', forceDrain: false, timeoutSeconds: 30 }],
      ['resume-node', { name: 'SRV1', failback: 'NoFailback' }],
      ['get-cluster-property', { name: 'CauctlRunLock' }],
      ['get-storage-health', {}],
    ] as const) {
      const outcome = await h.run('SRV1', name, params as never);
      expect(outcome).toMatchObject({ ok: false, error: { message: expect.stringMatching(/cluster service is not running on SRV1/) } });
    }
  });

  it('reads Unknown as its cluster node state, and is updated and restarted without a drain and without a violation', async () => {
    h = openTestSim(shipped('standalone-3.json'));
    const before = await h.ok('SRV1', 'get-node-status', {});
    expect(before).toMatchObject({ clusterNodeState: 'Unknown', drainStatus: 'NotInitiated', runningRoles: [] });
    const { updates } = (await h.ok('SRV1', 'scan-updates', WU)) as { updates: { updateId: string }[] };
    await h.ok('SRV1', 'start-update-task', { ...WU, mode: 'Install', updateIds: updates.map((u) => u.updateId), taskId: 't1' });
    await h.wait(3600);
    expect(await h.ok('SRV1', 'wait-update-task', { taskId: 't1', timeoutSeconds: 1 })).toMatchObject({ state: 'Completed', rebootRequired: true });
    await h.ok('SRV1', 'restart-node', { soft: false, delaySeconds: 5 });
    // SRV2 and SRV3 are never in a cluster: they are not "down" beside SRV1's restart.
    await h.wait(3600);
    const after = await h.ok('SRV1', 'get-node-status', {});
    expect(after).toMatchObject({ clusterNodeState: 'Unknown', autoStartServicesNotRunning: [] });
    expect(after.lastBootUpTime).not.toBe(before.lastBootUpTime);
    h.sim.noteRunEnd();
    expect(h.sim.audit().violations).toEqual([]);
  });

  it('still flags an install given twice (the invariant that holds for every server)', async () => {
    h = openTestSim(shipped('standalone-3.json'));
    const { updates } = (await h.ok('SRV3', 'scan-updates', WU)) as { updates: { updateId: string }[] };
    const ids = updates.map((u) => u.updateId);
    await h.ok('SRV3', 'start-update-task', { ...WU, mode: 'Install', updateIds: ids, taskId: 't1' });
    await h.wait(3600);
    await h.ok('SRV3', 'start-update-task', { ...WU, mode: 'Install', updateIds: ids, taskId: 't2' });
    expect(h.sim.audit().violations).toEqual(expect.arrayContaining([expect.stringMatching(/SRV3 was given KB5044281 to install again/)]));
  });
});
