/**
 * Issue 16 §1 on the built CLI and the simulator: --site-aware-updating-order on the two-site, 8-node model
 * (fixtures/clusters/two-site-8node.json) and --skip-update-checks (cauctl's reading: no rescan after a node's
 * installs). Each checks the exit code, the JSON and the simulator's audit.
 */
import { join } from 'node:path';
import { ROOT, parseJson, sandbox, type Sandbox } from '../support/cli.js';

const TWO_SITES = join(ROOT, 'fixtures/clusters/two-site-8node.json');

interface RunDoc {
  status: string;
  nodeResults: Array<{ node: string; status: string; numberOfSucceededUpdates: number; installResults: Array<{ kb: string }>; phases: Array<{ phase: string }> }>;
  simulation: { violations: string[] };
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function run(...args: string[]): { code: number | null; stderr: string; doc: RunDoc | undefined } {
  const result = box.run(['run', '--simulate', TWO_SITES, '--sim-reset', '--sim-speed', 'max', '--force', '--json', ...args]);
  return { code: result.code, stderr: result.stderr, doc: result.code === 0 ? parseJson<RunDoc>(result) : undefined };
}

const siteOf = (node: string): string => (node.startsWith('SITEA-') ? 'Seattle' : 'Redmond');

describe('--site-aware-updating-order (two sites, 8 nodes)', () => {
  it('left out, the fewest-roles order goes back and forth between the sites', () => {
    const { code, doc } = run();
    expect(code).toBe(0);
    const sites = doc!.nodeResults.map((r) => siteOf(r.node));
    expect(sites.slice(0, 2)).toEqual(['Seattle', 'Redmond']);
  });

  it('Redmond,Seattle: every Redmond node before any Seattle node, fewest roles first inside each site, audit clean', () => {
    const { code, doc } = run('--site-aware-updating-order', 'Redmond,Seattle');
    expect(code).toBe(0);
    expect(doc!.status).toBe('Succeeded');
    expect(doc!.nodeResults.map((r) => r.node)).toEqual(['SITEB-N6', 'SITEB-N8', 'SITEB-N5', 'SITEB-N7', 'SITEA-N4', 'SITEA-N2', 'SITEA-N3', 'SITEA-N1']);
    expect(doc!.nodeResults.every((r) => r.status === 'Succeeded')).toBe(true);
    expect(doc!.simulation.violations).toEqual([]);
  });

  it('repeated flags, lower case, with --node-order inside a site: the site order wins, --node-order orders within', () => {
    const { code, doc } = run('--site-aware-updating-order', 'seattle', '--site-aware-updating-order', 'REDMOND', '--node-order', 'SITEB-N7,SITEA-N1');
    expect(code).toBe(0);
    expect(doc!.nodeResults.map((r) => r.node)).toEqual(['SITEA-N1', 'SITEA-N4', 'SITEA-N2', 'SITEA-N3', 'SITEB-N7', 'SITEB-N6', 'SITEB-N8', 'SITEB-N5']);
  });

  it('--what-if plans the same order, touching nothing', () => {
    const result = box.run(['run', '--simulate', TWO_SITES, '--sim-reset', '--what-if', '--json', '--site-aware-updating-order', 'Redmond,Seattle']);
    expect(result.code).toBe(0);
    expect(parseJson<{ order: string[] }>(result).order).toEqual(['SITEB-N6', 'SITEB-N8', 'SITEB-N5', 'SITEB-N7', 'SITEA-N4', 'SITEA-N2', 'SITEA-N3', 'SITEA-N1']);
  });

  it.each([
    ['a site the cluster does not have, and one left out', ['Seattle,Tacoma'], [/siteAwareUpdatingOrder: Tacoma is not a site of this cluster \(sites: Seattle \(.*\), Redmond \(.*\)\)/, /siteAwareUpdatingOrder: Redmond \(SITEB-N6, SITEB-N8, SITEB-N5, SITEB-N7\) is not listed/]],
    ['a site named twice', ['Seattle,Redmond,seattle'], [/siteAwareUpdatingOrder: seattle is listed twice/]],
    ['an empty list', [','], [/siteAwareUpdatingOrder: give the sites/]],
  ])('refuses %s with exit 2, naming it, before anything is touched', (_name, values, expected) => {
    const { code, stderr } = run(...values.flatMap((v) => ['--site-aware-updating-order', v]));
    expect(code).toBe(2);
    for (const pattern of expected) expect(stderr).toMatch(pattern);
    expect(stderr).toMatch(/Nothing was touched|PROFILE_INVALID|invalid run options/);
  });

  it('on a cluster whose nodes are in no site (the built-in model): exit 2 naming the nodes', () => {
    const result = box.run(['run', '--simulate', '--sim-reset', '--sim-speed', 'max', '--force', '--site-aware-updating-order', 'Seattle']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/siteAwareUpdatingOrder: Seattle is not a site of this cluster \(sites: none defined\)/);
    expect(result.stderr).toMatch(/siteAwareUpdatingOrder: NODE\d, .* have no site .*New-ClusterFaultDomain -Type Site/);
  });

  it('with --suspend-node: exit 2, single-node maintenance has no order', () => {
    const { code, stderr } = run('--suspend-node', 'SITEA-N1', '--site-aware-updating-order', 'Seattle,Redmond');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--suspend-node and --site-aware-updating-order conflict/);
  });

  it('test-setup shows each node\'s site', () => {
    const result = box.run(['test-setup', '--simulate', TWO_SITES, '--sim-reset', '--json']);
    expect(parseJson<{ sites: unknown }>(result).sites).toEqual([
      { site: 'Seattle', nodes: ['SITEA-N1', 'SITEA-N2', 'SITEA-N3', 'SITEA-N4'] },
      { site: 'Redmond', nodes: ['SITEB-N5', 'SITEB-N6', 'SITEB-N7', 'SITEB-N8'] },
    ]);
    const human = box.run(['test-setup', '--simulate', TWO_SITES]);
    expect(human.stdout).toMatch(/Sites: Seattle \(SITEA-N1, SITEA-N2, SITEA-N3, SITEA-N4\); Redmond \(SITEB-N5, SITEB-N6, SITEB-N7, SITEB-N8\)/);
  });
});

describe('--skip-update-checks', () => {
  const followUp = 'KB5044029';

  it('left out, each node installs its CU, rescans and installs the .NET follow-up', () => {
    const { code, doc } = run('--node-order', 'SITEA-N1');
    expect(code).toBe(0);
    const first = doc!.nodeResults[0]!;
    expect(first.installResults.map((r) => r.kb)).toContain(followUp);
    expect(first.phases.map((p) => p.phase)).toContain('rescan');
  });

  it('given, each node installs what the run\'s scan found, once: no rescan, the follow-up is still applicable afterwards', () => {
    const { code, doc } = run('--skip-update-checks');
    expect(code).toBe(0);
    for (const r of doc!.nodeResults) {
      expect(r).toMatchObject({ status: 'Succeeded', numberOfSucceededUpdates: 1 });
      expect(r.installResults.map((i) => i.kb)).toEqual(['KB5044281']);
      expect(r.phases.map((p) => p.phase)).not.toContain('rescan');
    }
    expect(doc!.simulation.violations).toEqual([]);
    const scan = box.run(['scan', '--simulate', TWO_SITES, '--json']);
    const left = parseJson<Array<{ nodeName: string; kb: string }>>(scan);
    expect(left.filter((u) => u.kb === followUp).map((u) => u.nodeName).sort()).toHaveLength(8);
  });

  it('--what-if predicts no rescan and no follow-up round', () => {
    const result = box.run(['run', '--simulate', TWO_SITES, '--sim-reset', '--what-if', '--json', '--skip-update-checks']);
    expect(result.code).toBe(0);
    const plan = parseJson<{ nodes: Array<{ followUps: unknown[]; phases: Array<{ phase: string }> }> }>(result);
    for (const n of plan.nodes) {
      expect(n.followUps).toEqual([]);
      expect(n.phases.map((p) => p.phase)).not.toContain('rescan');
    }
  });
});
