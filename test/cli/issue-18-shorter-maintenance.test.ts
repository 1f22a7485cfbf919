/**
 * Issue 18 acceptance, on the built CLI and the simulator: `--pre-install` (canary, then pre-install; a failed
 * canary falls back to the serial run; a failed pre-install is retried inside the node's window) and
 * `--max-concurrent-nodes` (several nodes at once only where memory, quorum and the storage fault domains allow).
 * Each scenario checks the exit code, the JSON and the simulator's audit together.
 */
import { ROOT, aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { join } from 'node:path';

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
  warnings: string[];
  errorRecord: { code: string; message: string } | null;
  nodeResults: NodeResultDoc[];
  simulation: { virtualSeconds: number; maxNodesOutOfService: number; violations: string[] };
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function run(path: string, ...args: string[]): { code: number | null; doc: RunDoc } {
  const result = box.run(['run', '--simulate', path, '--sim-reset', '--sim-speed', 'max', '--force', '--json', ...args]);
  return { code: result.code, doc: parseJson<RunDoc>(result) };
}

const byNode = (doc: RunDoc, node: string): NodeResultDoc => {
  const found = doc.nodeResults.find((r) => r.node === node);
  if (!found) throw new Error(`no result for ${node}`);
  return found;
};
const phasesOf = (doc: RunDoc, node: string): string[] => byNode(doc, node).phases.map((p) => p.phase);

/** A SAN cluster (no S2D) of `n` nodes, one VM of `vmGB` each on `nodeGB` nodes, a disk witness. */
function san(name: string, n: number, nodeGB: number, vmGB: number): Record<string, unknown> {
  const nodes = Array.from({ length: n }, (_, i) => ({ name: `NODE${i + 1}`, roles: [`VM${i + 1}`], memoryMB: nodeGB * 1024, updates: [{ id: `cu-${i}`, kb: 'KB1', title: 'CU' }] }));
  return {
    name,
    storage: { s2d: false },
    quorum: { witnessType: 'Disk', witnessState: 'Online' },
    vms: Object.fromEntries(nodes.map((node) => [node.roles[0]!, { memoryMB: vmGB * 1024 }])),
    nodes,
  };
}

describe('issue 18: --pre-install', () => {
  it('pre-installs the other nodes after the canary: their windows hold no first install, and the run is shorter', () => {
    const path = box.fixture(aCluster('PRE4', [0, 1, 1, 1]));
    const serial = run(path);
    const { code, doc } = run(path, '--pre-install');
    expect(code).toBe(0);
    expect(doc.status).toBe('Succeeded');
    expect(doc.simulation.violations).toEqual([]);
    expect(doc.simulation.maxNodesOutOfService).toBe(1);
    // The canary (the first node of the order) goes through the whole cycle; the others pre-installed.
    expect(phasesOf(doc, 'NODE1')).toContain('install');
    expect(phasesOf(doc, 'NODE1')).not.toContain('pre-install');
    for (const node of ['NODE2', 'NODE3', 'NODE4']) {
      const phases = phasesOf(doc, node);
      expect(phases).toContain('pre-install');
      expect(phases.slice(phases.indexOf('drain'))).not.toContain('install');
      expect(phases.slice(phases.indexOf('drain'))).toEqual(expect.arrayContaining(['reboot', 'rescan', 'resume']));
    }
    expect(doc.simulation.virtualSeconds).toBeLessThan(serial.doc.simulation.virtualSeconds);
  });

  it('a canary failure falls back to the serial run: nothing is pre-installed, the others update in their windows', () => {
    const path = box.fixture(aCluster('CANARY', [0, 1, 1], { NODE1: { faults: [{ kind: 'installFails', times: 9, errorCode: '0x80240022' }] } }));
    const { code, doc } = run(path, '--pre-install', '--max-retries-per-node', '0', '--max-failed-nodes', '1');
    expect(code).toBe(6);
    expect(byNode(doc, 'NODE1')).toMatchObject({ status: 'Failed', errorRecord: { code: 'InstallFailed' } });
    expect(doc.warnings.join('\n')).toMatch(/the canary NODE1 ended Failed, so nothing is pre-installed/);
    for (const node of ['NODE2', 'NODE3']) {
      expect(byNode(doc, node).status).toBe('Succeeded');
      expect(phasesOf(doc, node)).not.toContain('pre-install');
      expect(phasesOf(doc, node)).toContain('install');
    }
    expect(doc.simulation.violations).toEqual([]);
  });

  it('a pre-install failure on one node is a failed attempt, retried inside its window', () => {
    const path = box.fixture(aCluster('PREFAIL', [0, 1, 1], { NODE3: { faults: [{ kind: 'installFails', times: 1, errorCode: '0x80240022' }] } }));
    const { code, doc } = run(path, '--pre-install');
    expect(code).toBe(0);
    const node3 = byNode(doc, 'NODE3');
    expect(node3).toMatchObject({ status: 'Succeeded', attempts: 2 });
    expect(node3.phases.filter((p) => p.attempt === 1).map((p) => [p.phase, p.ok])).toEqual([['pre-install', false]]);
    const window = node3.phases.filter((p) => p.attempt === 2).map((p) => p.phase);
    expect(window.indexOf('drain')).toBeLessThan(window.indexOf('install'));
    expect(byNode(doc, 'NODE2')).toMatchObject({ status: 'Succeeded', attempts: 1 });
    expect(doc.simulation.violations).toEqual([]);
  });

  it('--what-if shows the mode, the canary and the prediction beside the serial one', () => {
    const result = box.run(['run', '--simulate', box.fixture(aCluster('PREWI', [0, 1, 1])), '--sim-reset', '--what-if', '--pre-install']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Mode: canary, then pre-install\./);
    expect(result.stdout).toMatch(/canary: NODE1 goes through the whole cycle first/);
    expect(result.stdout).toMatch(/Predicted total in this mode: .* \(one node at a time: .*\)\./);
  });
});

describe('issue 18: --max-concurrent-nodes', () => {
  it('k = 3 on a SAN cluster whose memory allows only 2 at once takes 2 at a time', () => {
    // 5 nodes of 128 GB, each running a 64 GB VM (64 GB free): 2 leaving put one VM on each of 2 of the 3 hosts
    // left; 3 leaving would need a third host among the 2 left: the groups are of 2.
    // MaxFailedNodes 3 leaves room for 3 failures at once, so memory is what limits the groups.
    const { code, doc } = run(box.fixture(san('SANMEM', 5, 128, 64)), '--max-concurrent-nodes', '3', '--max-failed-nodes', '3');
    expect(code).toBe(0);
    expect(doc.status).toBe('Succeeded');
    expect(doc.simulation.violations).toEqual([]);
    expect(doc.simulation.maxNodesOutOfService).toBe(2);
  });

  it('k = 4 on S2D whose virtual disks are only node-aware takes 1 at a time', () => {
    const { code, doc } = run(join(ROOT, 'fixtures', 'clusters', 'eight-node.json'), '--max-concurrent-nodes', '4');
    expect(code).toBe(0);
    expect(doc.simulation.violations).toEqual([]);
    expect(doc.simulation.maxNodesOutOfService).toBe(1);
  });

  it('k = 4 on S2D in racks with rack-aware disks takes a rack at a time', () => {
    const racks = aCluster('RACKS8', [1, 1, 1, 1, 1, 1, 1, 1], Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`NODE${i + 1}`, { faultDomain: { rack: i < 4 ? 'R1' : 'R2' } }])), {
      storage: { s2d: true, faultDomainAwareness: 'StorageRack' },
    });
    const { code, doc } = run(box.fixture(racks), '--max-concurrent-nodes', '4', '--max-failed-nodes', '4');
    expect(code).toBe(0);
    expect(doc.status).toBe('Succeeded');
    expect(doc.simulation.violations).toEqual([]);
    expect(doc.simulation.maxNodesOutOfService).toBe(4);
  });

  it('MaxFailedNodes limits a group: no more nodes may fail at once than it leaves room for', () => {
    const result = box.run(['run', '--simulate', box.fixture(san('SANBUD', 5, 256, 16)), '--sim-reset', '--what-if', '--max-concurrent-nodes', '3', '--max-failed-nodes', '2']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/group 1: NODE1, NODE2 \(2 of 3: with NODE3 too, 3 nodes could fail at once and MaxFailedNodes leaves room for 2\)/);
  });

  it('--what-if shows the groups and the rule that keeps them small', () => {
    const result = box.run(['run', '--simulate', box.fixture(san('SANWI', 5, 128, 64)), '--sim-reset', '--what-if', '--max-concurrent-nodes', '3', '--max-failed-nodes', '3']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Mode: up to 3 nodes at once\./);
    expect(result.stdout).toMatch(/group 1: NODE1, NODE2 \(2 of 3: the other nodes could not host the running VMs of NODE1, NODE2, NODE3 \(InsufficientMemory\)\)/);
  });
});
