/**
 * Issue 12, points 5, 6 and 7 on the built CLI in simulation: --what-if is the run's own plan (same validation,
 * durations within 2% of the run), test-setup and --what-if show the capacity check, and the run's preflight
 * refuses before touching anything (exit 5) on a memory shortfall, a single node with a running VM, and an Up
 * node that does not answer under --require-all-nodes-online.
 */
import { join } from 'node:path';
import { ROOT, aCluster, anUpdate, parseJson, sandbox, type Sandbox } from '../support/cli.js';

const model = (name: string): string => join(ROOT, 'fixtures', 'clusters', `${name}.json`);

interface PlanDoc {
  whatIf: boolean;
  order: string[];
  totalSeconds: number;
  wouldRefuse: boolean;
  refusals: Array<{ code: string; message: string }>;
  nodes: Array<{ node: string; phases: Array<{ phase: string; seconds: number }>; capacity?: { ok: boolean; code?: string; unplaced?: string[] } }>;
}
interface RunDoc {
  status: string;
  nodeResults: Array<{ node: string }>;
  simulation: { virtualSeconds: number; violations: string[] };
}
type ScanDoc = Array<{ nodeName: string; kb?: string; updateId: string | null }>;

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

/** The updates every node is still offered: a run that touched nothing leaves them all applicable. */
function offered(fixture: string): string[] {
  const list = parseJson<ScanDoc>(box.run(['scan', '--simulate', fixture, '--json']))
    .filter((e) => e.updateId !== null)
    .map((e) => `${e.nodeName}:${e.kb}`)
    .sort();
  expect(list.length).toBeGreaterThan(0);
  return list;
}

describe('run --what-if is the plan that runs', () => {
  it('refuses an unknown node in --node-order with exit 2, as the run does, naming the nodes', () => {
    const whatIf = box.run(['run', '--simulate', '--sim-reset', '--what-if', '--node-order', 'NODE2,NOED1']);
    expect(whatIf.code).toBe(2);
    expect(whatIf.stdout).toBe('');
    expect(whatIf.stderr).toMatch(/nodeOrder: NOED1 is not a node of HCI01 \(nodes: NODE1, NODE2, NODE3, NODE4\)/);
    const run = box.run(['run', '--simulate', '--force', '--node-order', 'NODE2,NOED1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/nodeOrder: NOED1 is not a node of HCI01/);
  });

  it('orders as the run does: --node-order first, then the fewest roles', () => {
    const plan = parseJson<PlanDoc>(box.run(['run', '--simulate', '--sim-reset', '--what-if', '--json', '--node-order', 'node3']));
    const run = parseJson<RunDoc>(box.run(['run', '--simulate', '--sim-reset', '--force', '--json', '--node-order', 'node3']));
    expect(plan.order[0]).toBe('NODE3');
    expect(run.nodeResults.map((r) => r.node)).toEqual(plan.order);
  });

  it.each([
    ['the built-in model', [], 'Succeeded'],
    ['the two-node model', [model('two-node')], 'Succeeded'],
    ['a model with a node that does not answer', [model('unreachable-node')], 'PartiallyFailed'],
  ])('predicts the virtual duration of the run on %s within 2%%, follow-up updates included', (_name, fixture, status) => {
    const whatIf = box.run(['run', '--simulate', ...fixture, '--sim-reset', '--what-if', '--json']);
    expect(whatIf.code).toBe(0);
    const plan = parseJson<PlanDoc>(whatIf);
    // Each updated node's .NET follow-up is a second install round inside its window.
    const updated = plan.nodes.filter((n) => n.phases.length > 0);
    expect(updated.length).toBeGreaterThanOrEqual(2);
    expect(updated.every((n) => n.phases.filter((p) => p.phase === 'install').length === 2)).toBe(true);
    const run = parseJson<RunDoc>(box.run(['run', '--simulate', ...fixture, '--sim-reset', '--force', '--json']));
    expect(run.status).toBe(status);
    expect(Math.abs(plan.totalSeconds - run.simulation.virtualSeconds) / run.simulation.virtualSeconds).toBeLessThanOrEqual(0.02);
  });

  it('shows the capacity check of every drain, and exits 5 when the run would be refused, touching nothing', () => {
    const fixture = model('memory-shortfall');
    const before = offered(fixture);
    const whatIf = box.run(['run', '--simulate', fixture, '--sim-reset', '--what-if', '--json']);
    expect(whatIf.code).toBe(5);
    const plan = parseJson<PlanDoc>(whatIf);
    expect(plan.wouldRefuse).toBe(true);
    expect(plan.refusals.map((r) => r.code)).toEqual(['InsufficientMemory']);
    expect(plan.nodes.map((n) => [n.node, n.capacity?.ok])).toEqual([['NODE1', false], ['NODE2', true], ['NODE3', true]]);
    expect(plan.nodes[0]!.capacity?.unplaced).toEqual(['VM-SQL01', 'VM-SQL02']);
    const human = box.run(['run', '--simulate', fixture, '--what-if']);
    expect(human.code).toBe(5);
    expect(human.stdout).toMatch(/Capacity before each drain:\n {2}NODE1: Fail InsufficientMemory: Draining NODE1 would take running VMs down: VM-SQL01 \(57344 MB\), VM-SQL02 \(57344 MB\) do not fit/);
    expect(human.stdout).toMatch(/NODE2: Pass VM-APP01 \(40960 MB\) → NODE1/);
    expect(human.stdout).toMatch(/The run would be refused before touching anything \(exit 5\):\n {2}InsufficientMemory: the capacity check above fails for NODE1/);
    expect(offered(fixture)).toEqual(before);
  });
});

describe('test-setup reports the capacity check (CAUCTL-05)', () => {
  interface RuleDoc {
    id: string;
    severity: string;
    state: string;
    detail: string;
    nodes: Array<{ node: string; state: string; detail: string }>;
  }
  const capacityRule = (args: string[]) => {
    const result = box.run(['test-setup', '--simulate', ...args, '--sim-reset', '--json']);
    return { code: result.code, rule: parseJson<{ rules: RuleDoc[] }>(result).rules.find((r) => r.id === 'CAUCTL-05')! };
  };

  it('fails on the node whose VMs fit nowhere, naming them, and exits 5', () => {
    const { code, rule } = capacityRule([model('memory-shortfall')]);
    expect(code).toBe(5);
    expect(rule).toMatchObject({ severity: 'Error', state: 'Fail' });
    expect(rule.nodes.map((n) => [n.node, n.state])).toEqual([['NODE1', 'Fail'], ['NODE2', 'Pass'], ['NODE3', 'Pass']]);
    expect(rule.nodes[0]!.detail).toMatch(/^InsufficientMemory: .*VM-SQL01 \(57344 MB\), VM-SQL02 \(57344 MB\) do not fit/);
  });

  it('fails a single node running a VM, naming the switch that accepts the downtime', () => {
    const { rule } = capacityRule([model('single-node-vm')]);
    expect(rule.state).toBe('Fail');
    expect(rule.nodes[0]!.detail).toMatch(/^NoNodeForRoles: The roles of NODE1 have nowhere to go: NODE1 is the only node of the cluster.*ForcePauseNoDrain/);
  });

  it('passes the built-in model, on placement only since it has no memory figures', () => {
    const { rule } = capacityRule([]);
    expect(rule.state).toBe('Pass');
    expect(rule.detail).toBe('all nodes pass (memory unknown: judged on placement only)');
  });
});

describe('the run refuses before touching anything (exit 5)', () => {
  it.each([
    ['a memory shortfall', model('memory-shortfall'), [], 'InsufficientMemory', /Draining NODE1 would take running VMs down: VM-SQL01 \(57344 MB\), VM-SQL02 \(57344 MB\) do not fit/],
    ['a single node running a VM', model('single-node-vm'), [], 'NoNodeForRoles', /The roles of NODE1 have nowhere to go: NODE1 is the only node of the cluster[\s\S]*ForcePauseNoDrain/],
    [
      'an Up node that does not answer, with --require-all-nodes-online (event 1020)',
      model('unreachable-node'),
      ['--require-all-nodes-online'],
      'NodeNotReachable',
      /RequireAllNodesOnline is set and NODE3 is Up in the cluster but does not answer[\s\S]*nothing was touched/,
    ],
  ])('%s', (_name, fixture, extra, code, message) => {
    const before = offered(fixture);
    const run = box.run(['run', '--simulate', fixture, '--force', '--json', ...extra]);
    expect(run.code).toBe(5);
    const { error } = parseJson<{ error: { code: string; message: string; exitCode: number } }>(run);
    expect(error).toMatchObject({ code, exitCode: 5 });
    expect(error.message).toMatch(message);
    expect(offered(fixture)).toEqual(before);
    expect(parseJson(box.run(['get-run', '--simulate', fixture, '--json']))).toMatchObject({ runState: 'RunNotInProgress' });
  });

  it('a model whose other nodes have the memory runs, with no audit violation', () => {
    const vms = { BIG1: { memoryMB: 32768 }, BIG2: { memoryMB: 32768 }, SMALL: { memoryMB: 8192 } };
    const fixture = box.fixture(
      aCluster('ROOMY', [0, 0, 0], {
        NODE1: { memoryMB: 131072, roles: ['BIG1', 'BIG2'], updates: [anUpdate()] },
        NODE2: { memoryMB: 131072, roles: ['SMALL'], updates: [anUpdate()] },
        NODE3: { memoryMB: 65536, updates: [anUpdate()] },
      }, { vms }),
    );
    const run = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json']);
    expect(run.code).toBe(0);
    const doc = parseJson<RunDoc>(run);
    expect(doc.status).toBe('Succeeded');
    expect(doc.simulation.violations).toEqual([]);
  });
});
