/**
 * Issue 6 acceptance: a feature update of the built-in 4-node model from build A to build B, then post-install
 * raising the functional level and the pool version, on the built CLI in simulation; the mixed-offer refusal;
 * post-install's confirmation off a terminal; a second post-install doing nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface Step { step: string; status: string; detail: string }
interface FeatureDoc {
  status: string;
  errorRecord: { code: string; message: string } | null;
  nodeResults: Array<{ node: string; status: string; rebooted: boolean }>;
  steps: Step[];
  featureUpdate: string | null;
  buildsBefore: Record<string, number>;
  buildsAfter: Record<string, number>;
  functionalLevel: number;
  simulation: { maxNodesOutOfService: number; violations: string[] };
}
interface PostDoc {
  status: string;
  errorRecord: unknown;
  nodeResults: Array<{ node: string; status: string; vms: Array<{ vm: string; status: string }> }>;
  steps: Step[];
  functionalLevel: number;
  pools: Array<{ friendlyName: string; version: string }>;
  simulation: { violations: string[] };
}

const statusOf = (doc: { steps: Step[] }, step: string): string[] => doc.steps.filter((s) => s.step === step).map((s) => s.status);

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

describe('feature-update and post-install (simulation)', () => {
  it('upgrades the built-in cluster from 25398 to 26100 node by node, then post-install raises the level and the pool once', () => {
    const fu = box.run(['feature-update', '--simulate', '--sim-reset', '--sim-speed', 'max', '--wu-connected', '--force', '--json']);
    expect(fu.code).toBe(0);
    const doc = parseJson<FeatureDoc>(fu);
    expect(doc.status).toBe('Succeeded');
    expect(doc.errorRecord).toBeNull();
    expect(Object.values(doc.buildsBefore)).toEqual([25398, 25398, 25398, 25398]);
    expect(Object.values(doc.buildsAfter)).toEqual([26100, 26100, 26100, 26100]);
    expect(doc.featureUpdate).toBe('Feature update to Azure Stack HCI, version 24H2');
    expect(doc.nodeResults.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    expect(doc.nodeResults.every((r) => r.rebooted)).toBe(true);
    expect(doc.steps.map((s) => s.step)).toEqual(['coordinator', 'readiness', 'validation', 'scan', 'rolling-run', 'functional-level']);
    expect(statusOf(doc, 'functional-level')).toEqual(['Skipped']);
    // The rolling run's invariants, as the simulator saw them.
    expect(doc.simulation.violations).toEqual([]);
    expect(doc.simulation.maxNodesOutOfService).toBe(1);

    const refused = box.run(['post-install', '--simulate', '--sim-speed', 'max', '--json']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot be undone.*stdin is not a terminal; nothing was touched/s);
    expect(refused.stderr).toMatch(/--force/);

    const post = box.run(['post-install', '--simulate', '--sim-speed', 'max', '--force', '--json']);
    expect(post.code).toBe(0);
    const p = parseJson<PostDoc>(post);
    expect(p.status).toBe('Succeeded');
    expect(p.errorRecord).toBeNull();
    expect(p.functionalLevel).toBe(13);
    expect(statusOf(p, 'functional-level')).toEqual(['Succeeded']);
    expect(statusOf(p, 'storage-pool')).toEqual(['Succeeded']);
    expect(p.pools).toEqual([{ friendlyName: 'S2D on HCI01', version: 'Windows Server 2025' }]);
    expect(p.nodeResults.map((n) => n.node)).toEqual(['NODE1', 'NODE2', 'NODE3', 'NODE4']);
    expect(p.simulation.violations).toEqual([]);

    // A second run finds everything done, and needs no confirmation for it.
    const again = box.run(['post-install', '--simulate', '--sim-speed', 'max', '--json']);
    expect(again.code).toBe(0);
    const a = parseJson<PostDoc>(again);
    expect(statusOf(a, 'functional-level')).toEqual(['AlreadyDone']);
    expect(statusOf(a, 'storage-pool')).toEqual(['AlreadyDone']);
    expect(a.functionalLevel).toBe(13);

    // And a second feature update finds nothing offered.
    const fu2 = parseJson<FeatureDoc>(box.run(['feature-update', '--simulate', '--sim-speed', 'max', '--wu-connected', '--force', '--json']));
    expect(statusOf(fu2, 'scan')).toEqual(['AlreadyDone']);
  });

  it('refuses the mixed-offer fixture with exit 5 and the mixed-patch-level explanation', () => {
    const fixture = join(ROOT, 'fixtures/clusters/mixed-feature-offers.json');
    const r = box.run(['feature-update', '--simulate', fixture, '--sim-reset', '--sim-speed', 'max', '--wu-connected', '--force']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/offered different feature updates/);
    expect(r.stderr).toMatch(/mixed-patch-level/);
    expect(r.stderr).toMatch(/Fix: bring every node to the same cumulative update first/);
    // Nothing was touched: a scan finds the same offers as before.
    const model = JSON.parse(readFileSync(join(box.stateDir, 'sim', 'HCI22', 'model.json'), 'utf8')) as { nodes: Array<{ osBuild: number; clusterState: string }> };
    expect(model.nodes.every((n) => n.osBuild === 20349 && n.clusterState === 'Up')).toBe(true);
  });

  it('refuses before touching anything when Test-Cluster fails', () => {
    const path = box.fixture(aCluster('VAL', [1, 1, 1], {}, { validation: { failed: ['Network'] } }));
    const r = box.run(['feature-update', '--simulate', path, '--sim-reset', '--sim-speed', 'max', '--wu-connected', '--force']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/Test-Cluster failed/);
  });

  it('raises the functional level at the end when asked, and restarts Storage Replica nodes a second time', () => {
    const feature = { title: 'Feature update to Windows Server 2025', targetBuild: 26100, kb: 'KB5044284' };
    const nodes = { NODE1: { featureUpdate: feature, osBuild: 20348 }, NODE2: { featureUpdate: feature, osBuild: 20348 }, NODE3: { featureUpdate: feature, osBuild: 20348 } };
    const path = box.fixture(aCluster('SR01', [1, 2, 1], nodes, { storage: { s2d: true, storageReplica: true } }));
    const r = box.run(['feature-update', '--simulate', path, '--sim-reset', '--sim-speed', 'max', '--path-to-setup-media', 'D:\\WS2025', '--update-cluster-functional-level', '--storage-replica-restart', '--force', '--json']);
    expect(r.code).toBe(0);
    const doc = parseJson<FeatureDoc>(r);
    expect(statusOf(doc, 'storage-replica-restart')).toEqual(['Succeeded']);
    expect(statusOf(doc, 'functional-level')).toEqual(['Succeeded']);
    expect(doc.functionalLevel).toBe(12);
    expect(doc.simulation.violations).toEqual([]);
    expect(doc.simulation.maxNodesOutOfService).toBe(1);
  });

  it('says what a usage problem is, all at once', () => {
    const r = box.run(['feature-update', '--simulate', '--path-to-setup-media', 'D:\\x.iso', '--wu-connected', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/conflict/);
    expect(r.stderr).toMatch(/not the \.iso file/);
  });
});
