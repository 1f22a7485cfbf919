/**
 * Issue 6: single-node maintenance (`run --suspend-node` / `--resume-node`) and post-install's what-if, on the
 * built CLI in simulation.
 */
import { parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface SingleDoc {
  action: string;
  status: string;
  errorRecord: unknown;
  nodeResults: Array<{ node: string; status: string; changed: boolean }>;
  simulation: { violations: string[]; maxNodesOutOfService: number };
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const sim = ['--simulate', '--sim-speed', 'max'];

describe('run --suspend-node / --resume-node (simulation)', () => {
  it('drains one node and leaves it paused, refuses a second, then resumes it', () => {
    const s = box.run(['run', ...sim, '--sim-reset', '--suspend-node', 'NODE2', '--force', '--json']);
    expect(s.code).toBe(0);
    const doc = parseJson<SingleDoc>(s);
    expect(doc).toMatchObject({ action: 'SuspendNode', status: 'Succeeded', errorRecord: null });
    expect(doc.nodeResults).toEqual([expect.objectContaining({ node: 'NODE2', status: 'Succeeded', changed: true })]);
    expect(doc.simulation.violations).toEqual([]);

    const second = box.run(['run', ...sim, '--suspend-node', 'NODE3', '--force']);
    expect(second.code).toBe(5);
    expect(second.stderr).toMatch(/NODE2 is paused/);

    const rolling = box.run(['run', ...sim, '--force']);
    expect(rolling.code).toBe(5);
    expect(rolling.stderr).toMatch(/already paused/);
    // The hint names the cauctl command that does it, not a cmdlet.
    expect(rolling.stderr).toContain('try: Resume it first with cauctl run --resume-node NODE2');

    const r = parseJson<SingleDoc>(box.run(['run', ...sim, '--resume-node', 'NODE2', '--force', '--json']));
    expect(r).toMatchObject({ action: 'ResumeNode', status: 'Succeeded' });
    expect(r.nodeResults[0]!.changed).toBe(true);
    const again = parseJson<SingleDoc>(box.run(['run', ...sim, '--resume-node', 'NODE2', '--force', '--json']));
    expect(again.nodeResults[0]!.changed).toBe(false);
  });

  it('reports every conflicting flag at once', () => {
    const r = box.run(['run', ...sim, '--suspend-node', 'NODE1', '--resume-node', 'NODE2', '--what-if', '--max-failed-nodes', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--suspend-node and --resume-node conflict/);
    expect(r.stderr).toMatch(/--suspend-node and --what-if conflict/);
    expect(r.stderr).toMatch(/--suspend-node and --max-failed-nodes conflict/);
  });

  it('refuses an unknown node as a usage error', () => {
    const r = box.run(['run', ...sim, '--sim-reset', '--suspend-node', 'NODE9', '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/NODE9 is not a node of HCI01/);
  });
});

describe('post-install --what-if (simulation)', () => {
  it('refuses before a feature update (nodes on the old build are current) and touches nothing in what-if', () => {
    const w = box.run(['post-install', ...sim, '--sim-reset', '--what-if', '--json']);
    expect(w.code).toBe(0);
    const doc = parseJson<{ whatIf: boolean; steps: Array<{ step: string; status: string }> }>(w);
    expect(doc.whatIf).toBe(true);
    expect(doc.steps.find((s) => s.step === 'functional-level')!.status).toBe('AlreadyDone');
    expect(doc.steps.find((s) => s.step === 'validation')!.status).toBe('WouldRun');
  });

  it('is refused while a node is paused', () => {
    box.run(['run', ...sim, '--sim-reset', '--suspend-node', 'NODE1', '--force']);
    const r = box.run(['post-install', ...sim, '--force']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/NODE1 is Paused/);
  });
});
