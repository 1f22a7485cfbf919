/**
 * Issue 16 §1 on the built CLI and the simulator: --suspend-retries-per-node, --reboot-mode and --recover
 * (CAU's alias of -ForceRecovery), --clear-corrupt-reports. Each checks the exit code, the JSON and the simulator's audit.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface NodeResultDoc {
  node: string;
  status: string;
  attempts: number;
  nodeRebootResult: { bootType: string; reboots: number };
}
interface RunDoc {
  status: string;
  nodeResults: NodeResultDoc[];
  journalPath: string;
  simulation: { violations: string[]; allowedByForce: string[] };
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

function byNode(doc: RunDoc, node: string): NodeResultDoc {
  const found = doc.nodeResults.find((r) => r.node === node);
  if (!found) throw new Error(`no result for ${node}`);
  return found;
}

function stepsOf(doc: RunDoc, node: string): Array<[number, string]> {
  return readFileSync(doc.journalPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { type: string; node?: string; attempt: number; step: string })
    .filter((r) => r.type === 'step' && r.node === node)
    .map((r) => [r.attempt, r.step]);
}

describe('--suspend-retries-per-node', () => {
  const twoFailedDrains = () => box.fixture(aCluster('SUSPRETRY', [1, 1, 1], { NODE1: { faults: [{ kind: 'drainFails', times: 2 }] } }));

  it('3, with a drain that fails twice: the node is drained on the third suspend, in its first attempt', () => {
    const { code, doc } = run(twoFailedDrains(), '--node-order', 'NODE1', '--suspend-retries-per-node', '3');
    expect(code).toBe(0);
    expect(byNode(doc, 'NODE1')).toMatchObject({ status: 'Succeeded', attempts: 1 });
    const node1 = stepsOf(doc, 'NODE1');
    expect(node1.filter(([, s]) => s === 'suspend-requested')).toEqual([[1, 'suspend-requested'], [1, 'suspend-requested'], [1, 'suspend-requested']]);
    expect(node1.filter(([, s]) => s === 'drain-failed')).toHaveLength(2);
    expect(node1.filter(([, s]) => s === 'suspended')).toEqual([[1, 'suspended']]);
    expect(doc.simulation.violations).toEqual([]);
  });

  it('left out (one suspend per attempt), the same node takes three attempts of MaxRetriesPerNode', () => {
    const { code, doc } = run(twoFailedDrains(), '--node-order', 'NODE1');
    expect(code).toBe(0);
    expect(byNode(doc, 'NODE1')).toMatchObject({ status: 'Succeeded', attempts: 3 });
    expect(doc.simulation.violations).toEqual([]);
  });

  it('2, with MaxRetriesPerNode 0: two failed suspends fail the node, resumed, and the audit is clean', () => {
    const { code, doc } = run(twoFailedDrains(), '--node-order', 'NODE1', '--suspend-retries-per-node', '2', '--max-retries-per-node', '0', '--max-failed-nodes', '1');
    expect(code).toBe(6);
    expect(byNode(doc, 'NODE1')).toMatchObject({ status: 'Failed', attempts: 1 });
    expect(stepsOf(doc, 'NODE1').filter(([, s]) => s === 'drain-failed')).toHaveLength(2);
    expect(doc.simulation.violations).toEqual([]);
  });
});

describe('--reboot-mode', () => {
  it.each([
    ['SoftReboot', 'SoftReboot'],
    ['FullReboot', 'FullReboot'],
    ['OrchestratorDefault', 'FullReboot'],
    ['ClusProp', 'FullReboot'],
    ['PluginCustomReboot', 'FullReboot'],
  ])('%s: every node restarts with %s (nodeRebootResult.bootType)', (mode, bootType) => {
    const ksr = { kernelSoftReboot: 'Enabled' };
    const { code, doc } = run(box.fixture(aCluster('REBOOTMODE', [1, 1], { NODE1: ksr, NODE2: ksr })), '--reboot-mode', mode);
    expect(code).toBe(0);
    for (const result of doc.nodeResults) expect(result.nodeRebootResult).toEqual({ bootType, reboots: 1 });
  });

  it('an unknown value is exit 2 and lists the values', () => {
    const result = box.run(['run', '--simulate', '--sim-reset', '--force', '--reboot-mode', 'Warm']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('rebootMode: must be one of ClusProp, FullReboot, SoftReboot, PluginCustomReboot, OrchestratorDefault (got "Warm")');
  });

  it('--help says which values behave how, and which are UNCONFIRMED', () => {
    const help = box.run(['run', '--help']).stdout.replace(/\s+/g, ' ');
    for (const mode of ['ClusProp', 'FullReboot', 'SoftReboot', 'PluginCustomReboot', 'OrchestratorDefault']) expect(help).toContain(`${mode}:`);
    expect(help).toMatch(/ClusProp: UNCONFIRMED .*safe reading/);
  });
});

describe('--recover', () => {
  function collect(child: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  it('clears the lock of a dead coordinator, as --force-recovery does', async () => {
    const fixture = box.fixture(aCluster('RECOVER', [1, 1, 1]));
    const first = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', '600']);
    const done = collect(first);
    const deadline = Date.now() + 20_000;
    while (parseJson(box.run(['get-run', '--simulate', fixture, '--json'])).runState !== 'RunInProgress') {
      if (Date.now() > deadline) throw new Error('the first run never showed as in progress');
      await new Promise((r) => setTimeout(r, 150));
    }
    first.kill('SIGKILL');
    await done;
    expect(box.run(['run', '--simulate', fixture, '--force']).code).toBe(5);
    const cleared = box.run(['run', '--simulate', fixture, '--recover', '--force', '--json']);
    expect({ code: cleared.code, stderr: cleared.stderr }).toEqual({ code: 0, stderr: expect.any(String) as string });
    expect(parseJson(cleared)).toMatchObject({ recovered: true });
    expect(parseJson(box.run(['get-run', '--simulate', fixture, '--json'])).runState).toBe('RunNotInProgress');
  }, 60_000);
});

describe('--clear-corrupt-reports', () => {
  it('with --force-recovery, moves a damaged journal (and its sidecars) and a damaged history file into quarantine/, deleting nothing, and says which', () => {
    const fixture = box.fixture(aCluster('CORRUPT', [1, 1]));
    const first = run(fixture);
    expect(first.code).toBe(0);
    const journal = first.doc.journalPath;
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[1] = '{"type": "step", "node": torn';
    const damagedJournal = lines.join('\n');
    writeFileSync(journal, damagedJournal);
    const historyDir = join(box.stateDir, 'history', 'CORRUPT');
    const report = readdirSync(historyDir).find((f) => f.endsWith('.json'))!;
    writeFileSync(join(historyDir, 'broken.json'), '{ not json');
    const before = readdirSync(historyDir);

    // The damaged journal is what stops --resume from looking for a run to continue.
    const blocked = box.run(['run', '--simulate', fixture, '--resume', '--force']);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('is damaged at line 2');

    const recovered = box.run(['run', '--simulate', fixture, '--force-recovery', '--clear-corrupt-reports', '--force', '--json']);
    expect(recovered.code).toBe(0);
    const doc = parseJson<{ quarantined: Array<{ from: string; to: string; reason: string }> }>(recovered);
    const journalFile = basename(journal);
    expect(doc.quarantined.map((q) => basename(q.from)).sort()).toEqual(expect.arrayContaining([journalFile, 'broken.json']));
    expect(doc.quarantined.find((q) => basename(q.from) === journalFile)!.reason).toMatch(/damaged at line 2/);
    for (const q of doc.quarantined) {
      expect(existsSync(q.from)).toBe(false);
      expect(existsSync(q.to)).toBe(true);
      expect(basename(dirname(q.to))).toBe('quarantine');
    }
    // Moved as they were, not rewritten; the good report stays where it was.
    expect(readFileSync(doc.quarantined.find((q) => basename(q.from) === journalFile)!.to, 'utf8')).toBe(damagedJournal);
    expect(readdirSync(historyDir).sort()).toEqual([...before.filter((f) => f !== 'broken.json'), 'quarantine'].sort());
    expect(existsSync(join(historyDir, report))).toBe(true);

    // --resume reads the journals again: nothing damaged is left, and nothing to resume (exit 5).
    const after = box.run(['run', '--simulate', fixture, '--resume', '--force']);
    expect(after.code).toBe(5);
    expect(after.stderr).not.toContain('damaged');
    const human = box.run(['run', '--simulate', fixture, '--force-recovery', '--clear-corrupt-reports', '--force']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('No damaged journal or history file: nothing was moved aside.');
  });

  it('without --force-recovery it is a usage error (exit 2) that names what it needs', () => {
    const result = box.run(['run', '--simulate', '--sim-reset', '--force', '--clear-corrupt-reports']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("clearCorruptReports: --clear-corrupt-reports needs --force-recovery (CAU's RecoverParamSet)");
  });
});
