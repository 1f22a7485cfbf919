/**
 * Issue 16 §1, CAU's force switches on the built CLI and the simulator: each on a node whose drain fails or
 * whose roles do not fit. The audit must show no violation, and record what the switch accepted
 * (simulation.allowedByForce); the node's result names the roles that went down (forced.rolesDown).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface NodeResultDoc {
  node: string;
  status: string;
  attempts: number;
  rebooted: boolean;
  forced?: { switch: string; rolesDown: string[] };
}
interface RunDoc {
  status: string;
  warnings: string[];
  nodeResults: NodeResultDoc[];
  journalPath: string;
  simulation: { violations: string[]; allowedByForce: string[] };
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const NOMIGRATE = join(ROOT, 'fixtures', 'clusters', 'non-migratable-vm.json');

function run(path: string, ...args: string[]): { code: number | null; doc: RunDoc; stderr: string } {
  const result = box.run(['run', '--simulate', path, '--sim-reset', '--sim-speed', 'max', '--force', '--json', ...args]);
  return { code: result.code, doc: parseJson<RunDoc>(result), stderr: result.stderr };
}

function byNode(doc: RunDoc, node: string): NodeResultDoc {
  const found = doc.nodeResults.find((r) => r.node === node);
  if (!found) throw new Error(`no result for ${node}`);
  return found;
}

function steps(doc: RunDoc, node: string): Array<{ step: string; allowedBy?: string; runningRoles?: string[] }> {
  return readFileSync(doc.journalPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; node?: string; step: string; allowedBy?: string; runningRoles?: string[] })
    .filter((r) => r.type === 'step' && r.node === node);
}

describe('issue 16: the force switches on run', () => {
  it('without a switch, GPU01 (not live-migratable) makes the run refuse before touching anything (exit 5)', () => {
    const result = box.run(['run', '--simulate', NOMIGRATE, '--sim-reset', '--sim-speed', 'max', '--force', '--json']);
    expect(result.code).toBe(5);
    expect(result.stderr + result.stdout).toContain('ForcePauseNoDrain');
  });

  it('--force-pause-no-drain: names the roles before it starts, pauses without a drain, and the audit records the downtime as allowed', () => {
    const { code, doc } = run(NOMIGRATE, '--force-pause-no-drain');
    expect(code).toBe(0);
    expect(doc.status).toBe('Succeeded');
    expect(doc.simulation.violations).toEqual([]);
    // Named before the first node: the first warning lists every node's running roles, in the run's order.
    expect(doc.warnings[0]).toMatch(/^ForcePauseNoDrain: .*NODE1: VM01; NODE3: VM03; NODE2: GPU01, VM02\.$/);
    expect(byNode(doc, 'NODE2').forced).toEqual({ switch: 'ForcePauseNoDrain', rolesDown: ['GPU01', 'VM02'] });
    for (const node of ['NODE1', 'NODE2', 'NODE3']) {
      expect(byNode(doc, node).forced?.switch).toBe('ForcePauseNoDrain');
      expect(steps(doc, node).map((s) => s.step)).toContain('suspended-undrained');
      expect(steps(doc, node).map((s) => s.step)).not.toContain('suspended');
    }
    expect(doc.simulation.allowedByForce.join('\n')).toContain('GPU01');
  });

  it('--force-pause-and-drain: the drain stops GPU01 and moves it; the result and the audit name it', () => {
    const { code, doc } = run(NOMIGRATE, '--force-pause-and-drain');
    expect(code).toBe(0);
    expect(doc.simulation.violations).toEqual([]);
    expect(doc.warnings[0]).toMatch(/^ForcePauseAndDrain: .*NODE2: GPU01\.$/);
    expect(byNode(doc, 'NODE2').forced).toEqual({ switch: 'ForcePauseAndDrain', rolesDown: ['GPU01'] });
    expect(byNode(doc, 'NODE1').forced).toBeUndefined();
    expect(steps(doc, 'NODE2').map((s) => s.step)).toContain('suspended');
    expect(doc.simulation.allowedByForce.join('\n')).toContain('GPU01');
  });

  it('--force-pause-drain-and-reboot: a drain that fails keeps the node paused, it is updated and restarted, and the roles that went down are named', () => {
    const fixture = box.fixture(aCluster('FORCEDR', [2, 1, 1], { NODE1: { faults: [{ kind: 'drainFails', times: 1 }] } }));
    const { code, doc } = run(fixture, '--force-pause-drain-and-reboot', '--node-order', 'NODE1');
    expect(code).toBe(0);
    expect(doc.simulation.violations).toEqual([]);
    const node1 = byNode(doc, 'NODE1');
    expect(node1).toMatchObject({ status: 'Succeeded', attempts: 1, rebooted: true, forced: { switch: 'ForcePauseDrainAndReboot', rolesDown: ['NODE1-VM1'] } });
    expect(steps(doc, 'NODE1').find((s) => s.step === 'suspended-undrained')).toMatchObject({ allowedBy: 'ForcePauseDrainAndReboot', runningRoles: ['NODE1-VM1'] });
    // The nodes whose drain worked were drained as usual.
    expect(byNode(doc, 'NODE2').forced).toBeUndefined();
    expect(doc.simulation.allowedByForce.join('\n')).toContain('NODE1-VM1');
  });

  it('the same failed drain without the switch is undone and retried: no role goes down', () => {
    const fixture = box.fixture(aCluster('FORCEDR', [2, 1, 1], { NODE1: { faults: [{ kind: 'drainFails', times: 1 }] } }));
    const { code, doc } = run(fixture, '--node-order', 'NODE1');
    expect(code).toBe(0);
    expect(byNode(doc, 'NODE1')).toMatchObject({ attempts: 2 });
    expect(byNode(doc, 'NODE1').forced).toBeUndefined();
    expect(doc.simulation.allowedByForce).toEqual([]);
  });

  it('two force switches together are a usage error (exit 2) naming both flags, before anything is read', () => {
    const result = box.run(['run', '--simulate', NOMIGRATE, '--sim-reset', '--force', '--force-pause-no-drain', '--force-pause-drain-and-reboot']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--force-pause-no-drain and --force-pause-drain-and-reboot conflict');
  });
});
