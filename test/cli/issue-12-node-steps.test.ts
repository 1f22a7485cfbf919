/**
 * Issue 12 acceptance, on the built CLI and the simulator (as unkind as Windows: a failed drain leaves the node
 * Paused with DrainStatus Failed and its roles still on it; the audit flags any install or restart on a node
 * that is not drained). Each scenario checks the exit code, the JSON, the journal and the audit together.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface Phase {
  phase: string;
  attempt: number;
  ok: boolean;
}
interface NodeResultDoc {
  node: string;
  status: string;
  attempts: number;
  errorRecord: { code: string; message: string } | null;
  phases: Phase[];
}
interface RunDoc {
  status: string;
  errorRecord: { code: string; message: string } | null;
  nodeResults: NodeResultDoc[];
  journalPath: string;
  simulation: { virtualSeconds: number; maxNodesOutOfService: number; violations: string[] };
}
interface Refusal {
  error: { code: string; message: string; exitCode: number };
}
interface JournalLine {
  type: string;
  node?: string;
  attempt?: number;
  step?: string;
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const model = (name: string): string => join(ROOT, 'fixtures', 'clusters', name);

function run(path: string, ...args: string[]): { code: number | null; doc: RunDoc } {
  const result = box.run(['run', '--simulate', path, '--sim-reset', '--sim-speed', 'max', '--force', '--json', ...args]);
  return { code: result.code, doc: parseJson<RunDoc>(result) };
}

function byNode(doc: RunDoc, node: string): NodeResultDoc {
  const found = doc.nodeResults.find((r) => r.node === node);
  if (!found) throw new Error(`no result for ${node}`);
  return found;
}

function journal(doc: RunDoc): JournalLine[] {
  return readFileSync(doc.journalPath, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as JournalLine);
}

/** The node's step records, per attempt, in order. */
function stepsOf(doc: RunDoc, node: string): Array<[number, string]> {
  return journal(doc).filter((r) => r.type === 'step' && r.node === node).map((r) => [r.attempt!, r.step!]);
}

/** Nothing was touched: no run journal was written, and every node is still offered its updates. */
function expectUntouched(path: string, nodes: readonly string[]): void {
  const runs = join(box.stateDir, 'runs');
  const journals = existsSync(runs) ? readdirSync(runs, { recursive: true }).filter((f) => String(f).endsWith('.jsonl')) : [];
  expect(journals).toEqual([]);
  const scan = box.run(['scan', '--simulate', path, '--json']);
  const offered = new Set(parseJson<Array<{ nodeName: string }>>(scan).map((e) => e.nodeName));
  for (const node of nodes) expect(offered.has(node)).toBe(true);
}

describe('issue 12: a failed drain is never taken for a drain', () => {
  it('a node whose first drain fails is drained again before its install', () => {
    const { code, doc } = run(box.fixture(aCluster('DRAIN1', [1, 1, 1], { NODE1: { faults: [{ kind: 'drainFails', times: 1 }] } })), '--node-order', 'NODE1');
    expect(code).toBe(0);
    const node1 = byNode(doc, 'NODE1');
    expect(node1).toMatchObject({ status: 'Succeeded', attempts: 2 });
    // Attempt 1: the drain failed and nothing was installed or restarted; the node, resumed by the failed
    // drain, gets its storage wait before the run goes on; attempt 2: drained, then installed.
    expect(node1.phases.filter((p) => p.attempt === 1).map((p) => [p.phase, p.ok])).toEqual([['drain', false], ['resync', true]]);
    const second = node1.phases.filter((p) => p.attempt === 2).map((p) => p.phase);
    expect(second.indexOf('drain')).toBeLessThan(second.indexOf('install'));
    const steps = stepsOf(doc, 'NODE1');
    expect(steps.filter(([a]) => a === 1).map(([, s]) => s)).toEqual(['pre-script-done', 'suspend-requested', 'drain-failed', 'resume-requested', 'resumed', 'attempt-failed']);
    expect(steps.filter(([a]) => a === 2).map(([, s]) => s).slice(0, 3)).toEqual(['pre-script-done', 'suspend-requested', 'suspended']);
    expect(doc.simulation.violations).toEqual([]);
  });

  it('a node whose drain always fails is never restarted, is resumed, and counts against MaxFailedNodes', () => {
    const { code, doc } = run(box.fixture(aCluster('DRAIN99', [1, 1, 1], { NODE1: { faults: [{ kind: 'drainFails', times: 99 }] } })), '--node-order', 'NODE1', '--max-failed-nodes', '0', '--max-retries-per-node', '2');
    expect(code).toBe(3);
    expect(doc.errorRecord?.code).toBe('MaxFailedNodesExceeded');
    const node1 = byNode(doc, 'NODE1');
    expect(node1).toMatchObject({ status: 'Failed', attempts: 3, errorRecord: { code: 'DrainFailed' } });
    // Each failed drain is followed by the storage wait that every node the run touched gets.
    expect(node1.phases.map((p) => p.phase)).toEqual(['drain', 'resync', 'drain', 'resync', 'drain', 'resync']);
    const steps = stepsOf(doc, 'NODE1').map(([, s]) => s);
    expect(steps).not.toContain('restart-requested');
    expect(steps).not.toContain('task-started');
    // Every failed drain is followed by the node's resume.
    for (const attempt of [1, 2, 3]) {
      expect(stepsOf(doc, 'NODE1').filter(([a]) => a === attempt).map(([, s]) => s).slice(-4)).toEqual(['drain-failed', 'resume-requested', 'resumed', 'attempt-failed']);
    }
    expect(['NODE2', 'NODE3'].map((n) => byNode(doc, n).status)).toEqual(['Canceled', 'Canceled']);
    expect(doc.simulation.violations).toEqual([]);
    expect(doc.simulation.maxNodesOutOfService).toBeLessThanOrEqual(1);
  });

  it('a drain that hangs is bounded by --suspend-cluster-node-timeout-minutes, resumed, and the run goes on', () => {
    const { code, doc } = run(box.fixture(aCluster('HANG3', [1, 1, 1], { NODE1: { faults: [{ kind: 'drainHangs' }] } })), '--node-order', 'NODE1', '--suspend-cluster-node-timeout-minutes', '5', '--max-retries-per-node', '0');
    expect(code).toBe(6);
    const node1 = byNode(doc, 'NODE1');
    expect(node1).toMatchObject({ status: 'Failed', attempts: 1, errorRecord: { code: 'DrainFailed' } });
    expect(node1.errorRecord!.message).toMatch(/did not complete within SuspendClusterNodeTimeoutMinutes \(5 min\)/);
    expect(['NODE2', 'NODE3'].map((n) => byNode(doc, n).status)).toEqual(['Succeeded', 'Succeeded']);
    expect(doc.simulation.violations).toEqual([]);
  });
});

describe('issue 12: refused before touching anything (exit 5)', () => {
  it('a 1-node cluster with a VM', () => {
    const path = model('single-node-vm.json');
    const result = box.run(['run', '--simulate', path, '--sim-reset', '--force', '--json']);
    expect(result.code).toBe(5);
    expect(parseJson<Refusal>(result).error).toMatchObject({ code: 'NoNodeForRoles', exitCode: 5, message: expect.stringContaining('ForcePauseNoDrain') });
    expectUntouched(path, ['NODE1']);
  });

  it('unreachable-node.json with --require-all-nodes-online', () => {
    const path = model('unreachable-node.json');
    const result = box.run(['run', '--simulate', path, '--sim-reset', '--force', '--json', '--require-all-nodes-online']);
    expect(result.code).toBe(5);
    expect(parseJson<Refusal>(result).error).toMatchObject({ code: 'NodeNotReachable', exitCode: 5 });
    // NODE3 does not answer, so the scan cannot show it; the two others are still offered their updates.
    expectUntouched(path, ['NODE1', 'NODE2']);
  });

  it('a model whose other nodes lack the memory is refused; one that has it runs', () => {
    const short = model('memory-shortfall.json');
    const refused = box.run(['run', '--simulate', short, '--sim-reset', '--force', '--json']);
    expect(refused.code).toBe(5);
    expect(parseJson<Refusal>(refused).error).toMatchObject({ code: 'InsufficientMemory', exitCode: 5 });
    expectUntouched(short, ['NODE1', 'NODE2', 'NODE3']);

    const { code, doc } = run(model('memory-ample.json'));
    expect(code).toBe(0);
    expect(doc.nodeResults.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expect(doc.simulation.violations).toEqual([]);
  });
});

describe('issue 12: --what-if is the plan that runs', () => {
  it('predicts the virtual duration of the built-in model within 2%', () => {
    const whatIf = box.run(['run', '--simulate', '--sim-reset', '--what-if', '--json']);
    expect(whatIf.code).toBe(0);
    const predicted = parseJson<{ totalSeconds: number }>(whatIf).totalSeconds;
    const real = box.run(['run', '--simulate', '--sim-reset', '--sim-speed', 'max', '--force', '--json']);
    expect(real.code).toBe(0);
    const doc = parseJson<RunDoc>(real);
    const actual = doc.simulation.virtualSeconds;
    expect(Math.abs(predicted - actual) / actual).toBeLessThan(0.02);
  });

  it('an unknown node in --node-order is exit 2 in both', () => {
    const path = model('unreachable-node.json');
    for (const extra of [['--what-if'], ['--force']]) {
      const result = box.run(['run', '--simulate', path, '--sim-reset', '--json', '--node-order', 'NODE9', ...extra]);
      expect({ extra, code: result.code, error: parseJson<Refusal>(result).error.code }).toEqual({ extra, code: 2, error: 'PROFILE_INVALID' });
    }
  });
});
