/**
 * Issue 3 acceptance: scenario tests of the built CLI in simulation. Each checks the run status, per-node
 * status and attempts, the exit code and the simulator's audit together.
 */
import { aCluster, anUpdate, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface NodeResultDoc {
  node: string;
  status: string;
  attempts: number;
  numberOfSucceededUpdates: number;
  numberOfFailedUpdates: number;
  installResults: Array<{ kb: string; resultCode: string }>;
  errorRecord: { code: string; message: string } | null;
  phases: Array<{ phase: string; attempt: number; start: string; end: string; ok: boolean }>;
}
interface RunDoc {
  schemaVersion: number;
  runId: string;
  clusterName: string;
  status: string;
  errorRecord: { code: string; message: string } | null;
  maxFailedNodes: number;
  nodeResults: NodeResultDoc[];
  journalPath: string;
  simulation: { virtualSeconds: number; maxNodesOutOfService: number; violations: string[] };
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

function run(fixture: unknown, ...args: string[]): { code: number | null; doc: RunDoc; stderr: string } {
  const path = box.fixture(fixture);
  const result = box.run(['run', '--simulate', path, '--sim-reset', '--force', '--json', ...args]);
  return { code: result.code, doc: parseJson<RunDoc>(result), stderr: result.stderr };
}

function byNode(doc: RunDoc, node: string): NodeResultDoc {
  const found = doc.nodeResults.find((r) => r.node === node);
  if (!found) throw new Error(`no result for ${node} in ${JSON.stringify(doc.nodeResults.map((r) => r.node))}`);
  return found;
}

function expectCleanAudit(doc: RunDoc): void {
  expect(doc.simulation.violations).toEqual([]);
  expect(doc.simulation.maxNodesOutOfService).toBeLessThanOrEqual(1);
}

describe('run scenarios (simulation)', () => {
  it('updates every node of the built-in model', () => {
    const result = box.run(['run', '--simulate', '--sim-reset', '--force', '--json']);
    const doc = parseJson<RunDoc>(result);
    expect(result.code).toBe(0);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.status).toBe('Succeeded');
    expect(doc.errorRecord).toBeNull();
    expect(doc.nodeResults.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
    expect(doc.nodeResults.every((r) => r.attempts === 1 && r.numberOfSucceededUpdates > 0)).toBe(true);
    expect(doc.simulation.maxNodesOutOfService).toBe(1);
    expectCleanAudit(doc);
  });

  it('retries an install that fails twice: the node succeeds at attempt 3', () => {
    const { code, doc } = run(aCluster('RETRY', [1, 2, 3], { NODE1: { faults: [{ kind: 'installFails', times: 2, errorCode: '0x80240022' }] } }), '--max-retries-per-node', '3');
    expect(code).toBe(0);
    expect(doc.status).toBe('Succeeded');
    const node1 = byNode(doc, 'NODE1');
    expect(node1.status).toBe('Succeeded');
    expect(node1.attempts).toBe(3);
    expect(node1.numberOfFailedUpdates).toBe(0);
    expect(byNode(doc, 'NODE2').attempts).toBe(1);
    expectCleanAudit(doc);
  });

  it('stops with MaxFailedNodesExceeded and touches no later node when MaxFailedNodes is 0', () => {
    const { code, doc } = run(aCluster('BUDGET', [0, 1, 2, 3], { NODE1: { faults: [{ kind: 'installFails', times: 99, errorCode: '0x80240022' }] } }), '--max-failed-nodes', '0', '--max-retries-per-node', '1');
    expect(code).toBe(3);
    expect(doc.status).toBe('Failed');
    expect(doc.errorRecord?.code).toBe('MaxFailedNodesExceeded');
    expect(doc.nodeResults.map((r) => [r.node, r.status, r.attempts])).toEqual([
      ['NODE1', 'Failed', 2],
      ['NODE2', 'Canceled', 0],
      ['NODE3', 'Canceled', 0],
      ['NODE4', 'Canceled', 0],
    ]);
    for (const node of ['NODE2', 'NODE3', 'NODE4']) expect(byNode(doc, node).phases.filter((p) => p.phase !== 'scan' && p.phase !== 'stage')).toEqual([]);
    expectCleanAudit(doc);
  });

  it('finishes PartiallyFailed (exit 6) with failures within the budget', () => {
    const { code, doc } = run(aCluster('PARTIAL', [0, 1, 2, 3], { NODE2: { faults: [{ kind: 'installFails', times: 99, errorCode: '0x80070005' }] } }), '--max-retries-per-node', '0');
    expect(code).toBe(6);
    expect(doc.status).toBe('PartiallyFailed');
    expect(byNode(doc, 'NODE2').status).toBe('Failed');
    expect(byNode(doc, 'NODE2').errorRecord?.code).toBe('InstallFailed');
    expect(['NODE1', 'NODE3', 'NODE4'].map((n) => byNode(doc, n).status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expectCleanAudit(doc);
  });

  it('fails a node whose reboot hangs after RebootTimeoutMinutes and drains nothing else', () => {
    const { code, doc } = run(aCluster('HANG', [0, 1, 2], { NODE1: { faults: [{ kind: 'rebootHangs' }] } }), '--reboot-timeout-minutes', '20');
    expect(code).toBe(3);
    const node1 = byNode(doc, 'NODE1');
    expect(node1.status).toBe('Failed');
    expect(node1.errorRecord?.code).toBe('RebootTimeout');
    const wait = node1.phases.find((p) => p.phase === 'wait-node')!;
    const waitedMinutes = (Date.parse(wait.end) - Date.parse(wait.start)) / 60000;
    expect(waitedMinutes).toBeGreaterThanOrEqual(20);
    expect(waitedMinutes).toBeLessThan(21);
    expect(byNode(doc, 'NODE2').status).toBe('Canceled');
    expect(byNode(doc, 'NODE3').status).toBe('Canceled');
    // The hung node is the documented exception to invariant 3; nothing else may be out of service.
    expectCleanAudit(doc);
  });

  it('refuses with exit 5 and touches nothing when RequireAllNodesOnline is set and a node is Down', () => {
    const path = box.fixture(aCluster('DOWN', [1, 1, 1], { NODE3: { state: 'Down' } }));
    const result = box.run(['run', '--simulate', path, '--sim-reset', '--force', '--require-all-nodes-online']);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/RequireAllNodesOnline is set and NODE3 is Down; nothing was touched/);
    expect(result.stdout).toBe('');
    const state = box.run(['get-run', '--simulate', path, '--json']);
    expect(parseJson(state).runState).toBe('RunNotInProgress');
  });

  it('waits for a stuck storage repair, then fails at the storage timeout without draining the next node', () => {
    const { code, doc } = run(aCluster('STUCK', [0, 1, 2], { NODE1: { faults: [{ kind: 'storageRepairStuck' }] } }), '--wait-for-storage-repair-timeout-minutes', '45');
    expect(code).toBe(3);
    expect(doc.status).toBe('Failed');
    expect(doc.errorRecord?.code).toBe('StorageRepairTimeout');
    const resync = byNode(doc, 'NODE1').phases.find((p) => p.phase === 'resync')!;
    expect((Date.parse(resync.end) - Date.parse(resync.start)) / 60000).toBeGreaterThanOrEqual(45);
    expect(byNode(doc, 'NODE2').status).toBe('Canceled');
    expect(byNode(doc, 'NODE2').phases.some((p) => p.phase === 'drain')).toBe(false);
    expectCleanAudit(doc);
  });

  it('does not count a connection lost during install as a failure', () => {
    const { code, doc } = run(aCluster('FLAKY', [0, 1, 2], { NODE1: { faults: [{ kind: 'connectionLoss', phase: 'install', seconds: 240 }] } }));
    expect(code).toBe(0);
    expect(byNode(doc, 'NODE1').status).toBe('Succeeded');
    expect(byNode(doc, 'NODE1').attempts).toBe(1);
    expectCleanAudit(doc);
  });

  it('installs follow-up updates in a second round', () => {
    const followUp = anUpdate({ kb: 'KB5044032', title: '.NET follow-up', rebootRequired: false });
    const { code, doc } = run(aCluster('FOLLOW', [1, 1], { NODE1: { updates: [anUpdate({ kb: 'KB5044288', followUps: [followUp] })] } }));
    expect(code).toBe(0);
    const node1 = byNode(doc, 'NODE1');
    expect(node1.installResults.map((r) => r.kb).sort()).toEqual(['KB5044032', 'KB5044288']);
    expect(node1.phases.filter((p) => p.phase === 'install')).toHaveLength(2);
    expect(node1.numberOfSucceededUpdates).toBe(2);
    expectCleanAudit(doc);
  });

  it('honours NodeOrder, and otherwise takes the nodes with the fewest roles first', () => {
    const fixture = aCluster('ORDER', [3, 0, 2, 1]);
    expect(run(fixture).doc.nodeResults.map((r) => r.node)).toEqual(['NODE2', 'NODE4', 'NODE3', 'NODE1']);
    expect(run(fixture, '--node-order', 'NODE3,node1').doc.nodeResults.map((r) => r.node)).toEqual(['NODE3', 'NODE1', 'NODE2', 'NODE4']);
  });

  it('treats drain failures as attempt failures that are retried', () => {
    const { code, doc } = run(aCluster('DRAIN', [2, 2], { NODE1: { faults: [{ kind: 'drainFails', times: 1 }] } }));
    expect(code).toBe(0);
    expect(byNode(doc, 'NODE1').attempts).toBe(2);
    expectCleanAudit(doc);
  });

  it('waits out a slow reboot within the timeout', () => {
    const { code, doc } = run(aCluster('SLOW', [1, 1], { NODE2: { faults: [{ kind: 'slowReboot', seconds: 600 }] } }));
    expect(code).toBe(0);
    expect(byNode(doc, 'NODE2').status).toBe('Succeeded');
    expectCleanAudit(doc);
  });

  it('keeps storage and quorum safe when a node crashes during the run', () => {
    const { doc } = run(aCluster('CRASH', [1, 1, 1, 1], { NODE4: { faults: [{ kind: 'nodeCrash', atSeconds: 1500, seconds: 1200 }] } }));
    expectCleanAudit(doc);
    expect(doc.nodeResults).toHaveLength(4);
  });

  it('installs firmware and driver packages through the HotfixPlugin, classifying installer exit codes', () => {
    const hotfix = (id: string, kb: string, folder: string, exitCode: number | string) => ({ id, kb, title: kb, plugin: 'Microsoft.HotfixPlugin', folder, exitCode });
    const fixture = aCluster('HOTFIX', [1, 0], {
      NODE1: { updates: [hotfix('h1', 'BIOS-2.1', 'CAUHotfix_All', 3010), hotfix('h2', 'NIC-FW', 'NODE1', '0x80240017')] },
      NODE2: { updates: [hotfix('h3', 'BIOS-2.1', 'CAUHotfix_All', 1603)] },
    });
    const { code, doc } = run(fixture, '--cau-plugin-name', 'Microsoft.HotfixPlugin', '--cau-plugin-arguments', "@{ HotfixRootFolderPath='\\\\fs01\\hotfixes' }", '--max-retries-per-node', '0', '--max-failed-nodes', '1');
    expect(code).toBe(6);
    const node1 = byNode(doc, 'NODE1');
    expect(node1.status).toBe('Succeeded');
    expect(node1.installResults.map((r) => [r.kb, r.resultCode])).toEqual([
      ['BIOS-2.1', 'Succeeded'],
      ['NIC-FW', 'NotApplicable'],
    ]);
    expect(node1.phases.some((p) => p.phase === 'reboot')).toBe(true);
    // Any code the config does not list is a failure with no restart.
    const node2 = byNode(doc, 'NODE2');
    expect(node2.status).toBe('Failed');
    expect(node2.installResults.map((r) => [r.kb, r.resultCode, (r as unknown as { errorCode: string }).errorCode])).toEqual([['BIOS-2.1', 'Failed', '0x643']]);
    expect(node2.phases.some((p) => p.phase === 'reboot')).toBe(false);
    expectCleanAudit(doc);
  });

  it('does not update a node whose pre-update script fails, and runs the post-update script after resume', () => {
    const fixture = aCluster('SCRIPTS', [0, 1], {}, { scripts: { 'C:\\cau\\pre-bad.ps1': { exitCode: 1, output: 'BitLocker could not be suspended' } } });
    const bad = run(fixture, '--pre-update-script', 'C:\\cau\\pre-bad.ps1', '--max-retries-per-node', '1', '--max-failed-nodes', '1');
    expect(bad.code).toBe(3);
    const first = bad.doc.nodeResults[0]!;
    expect(first.status).toBe('Failed');
    expect(first.attempts).toBe(2);
    expect(first.errorRecord?.code).toBe('PreUpdateScriptFailed');
    expect(first.errorRecord?.message).toMatch(/BitLocker could not be suspended/);
    expect(first.phases.some((p) => p.phase === 'drain')).toBe(false);
    expectCleanAudit(bad.doc);

    const good = run(fixture, '--pre-update-script', 'C:\\cau\\pre.ps1', '--post-update-script', 'C:\\cau\\post.ps1');
    expect(good.code).toBe(0);
    for (const r of good.doc.nodeResults) {
      const phases = r.phases.map((p) => p.phase);
      expect(phases[phases.indexOf('pre-script') + 1]).toBe('drain');
      expect(phases.at(-1)).toBe('post-script');
      expect(phases.indexOf('post-script')).toBeGreaterThan(phases.indexOf('resume'));
    }
  });

  it('uses Kernel Soft Reboot when asked where the node has it, and a full restart by default', () => {
    const bootTypes = (doc: RunDoc): string[] => doc.nodeResults.map((r) => (r as unknown as { nodeRebootResult: { bootType: string } }).nodeRebootResult.bootType);
    const fixture = aCluster('KSR', [0, 1], { NODE1: { kernelSoftReboot: 'Enabled' }, NODE2: { kernelSoftReboot: 'Enabled' } });
    expect(bootTypes(run(fixture, '--attempt-soft-reboot').doc)).toEqual(['SoftReboot', 'SoftReboot']);
    expect(bootTypes(run(fixture).doc)).toEqual(['FullReboot', 'FullReboot']);
    // A node without KSR (Windows Server) or one that opts out restarts fully, and the result says so.
    const mixed = aCluster('KSRMIX', [0, 1], { NODE1: { kernelSoftReboot: 'Bypassed' } });
    const fellBack = run(mixed, '--attempt-soft-reboot').doc;
    expect(bootTypes(fellBack)).toEqual(['FullReboot', 'FullReboot']);
    // The fallback is said, with why (it was invisible: the result only showed FullReboot).
    expect((fellBack as unknown as { warnings: string[] }).warnings).toEqual([
      'NODE1 restarts fully instead of softly: it opts out (CauBypassSoftBootOnNode).',
      'NODE2 restarts fully instead of softly: it has no Kernel Soft Reboot (ksrcmd.exe: Azure Stack HCI 21H2 and later).',
    ]);
    expect((run(fixture, '--attempt-soft-reboot').doc as unknown as { warnings: string[] }).warnings).toEqual([]);
  });

  it('reports a soft restart that KSR refused when it ran as the FullReboot the node did, and says so', () => {
    const bootTypes = (doc: RunDoc): string[] => doc.nodeResults.map((r) => (r as unknown as { nodeRebootResult: { bootType: string } }).nodeRebootResult.bootType);
    // NODE2 has KSR as far as anything read before the restart tells; KSR refuses when the restart runs.
    const fixture = aCluster('KSRREF', [0, 1], { NODE1: { kernelSoftReboot: 'Enabled' }, NODE2: { kernelSoftReboot: 'Refused' } });
    const { code, doc } = run(fixture, '--attempt-soft-reboot');
    expect(code).toBe(0);
    expect(bootTypes(doc)).toEqual(['SoftReboot', 'FullReboot']);
    expect((doc as unknown as { warnings: string[] }).warnings).toEqual([expect.stringMatching(/^NODE2 restarted fully instead of softly: Kernel Soft Reboot refused when the restart ran/)]);
    expectCleanAudit(doc);
    // The human table shows the same.
    const table = box.run(['run', '--simulate', box.fixture(fixture), '--sim-reset', '--force', '--attempt-soft-reboot', '--sim-speed', 'max']);
    expect(table.stdout).toMatch(/^NODE2\tSucceeded\t.*\tFullReboot, /m);
    expect(table.stdout).toMatch(/^NODE1\tSucceeded\t.*\tSoftReboot, /m);
  });

  it('stops at a safe point after StopAfter and warns after WarnAfter', () => {
    const fixture = aCluster('LIMITS', [0, 1, 2, 3]);
    const { code, doc } = run(fixture, '--warn-after', '30m', '--stop-after', '1h');
    expect(code).toBe(3);
    expect(doc.status).toBe('Canceled');
    expect(doc.errorRecord?.code).toBe('StopAfterExceeded');
    expect((doc as unknown as { warnings: string[] }).warnings.join(' ')).toMatch(/WarnAfter/);
    const statuses = doc.nodeResults.map((r) => r.status);
    expect(statuses[0]).toBe('Succeeded');
    expect(statuses.at(-1)).toBe('Canceled');
    expectCleanAudit(doc);
  });

  it('prints the plan with predicted durations and touches nothing (--what-if)', () => {
    const path = box.fixture(aCluster('PLAN', [2, 0, 1]));
    const result = box.run(['run', '--simulate', path, '--sim-reset', '--what-if', '--json']);
    expect(result.code).toBe(0);
    const plan = parseJson<{ whatIf: boolean; timingSource: string; nodes: Array<{ node: string; seconds: number; phases: Array<{ phase: string; seconds: number }> }>; preflight: Array<{ seconds: number }>; totalSeconds: number }>(result);
    expect(plan.whatIf).toBe(true);
    expect(plan.timingSource).toBe('model');
    expect(plan.nodes.map((n) => n.node)).toEqual(['NODE2', 'NODE3', 'NODE1']);
    // The default model timing: drain 15 s per role, install 600, reboot 300, services 60, rescan 30, resync 600.
    expect(plan.nodes[2]!.phases).toEqual([
      { phase: 'drain', seconds: 30 },
      { phase: 'install', seconds: 600 },
      { phase: 'reboot', seconds: 300 },
      { phase: 'wait-node', seconds: 60 },
      { phase: 'rescan', seconds: 30 },
      { phase: 'resume', seconds: 0 },
      { phase: 'resync', seconds: 600 },
    ]);
    expect(plan.totalSeconds).toBe(plan.preflight.reduce((s, p) => s + p.seconds, 0) + plan.nodes.reduce((s, n) => s + n.seconds, 0));
    const human = box.run(['run', '--simulate', path, '--what-if']);
    expect(human.stdout).toMatch(/Nothing was touched[\s\S]*Predicted total: (\d+h )?(\d+m )?\d+s/);
    expect(parseJson(box.run(['get-report', '--simulate', path, '--json']))).toMatchObject({ reports: [] });
    expect(parseJson(box.run(['get-run', '--simulate', path, '--json']))).toMatchObject({ runState: 'RunNotInProgress' });
  });

  it('restarts after each plug-in with --separate-reboots, and once otherwise', () => {
    const fixture = aCluster('TWOPLUGINS', [1, 1], {
      NODE1: { updates: [anUpdate(), { id: 'hf1', kb: 'FW-1', title: 'FW-1', plugin: 'Microsoft.HotfixPlugin', folder: 'CAUHotfix_All', exitCode: 3010 }] },
      NODE2: { updates: [anUpdate(), { id: 'hf2', kb: 'FW-1', title: 'FW-1', plugin: 'Microsoft.HotfixPlugin', folder: 'CAUHotfix_All', exitCode: 3010 }] },
    });
    const plugins = ['--cau-plugin-name', 'Microsoft.WindowsUpdatePlugin', '--cau-plugin-name', 'Microsoft.HotfixPlugin', '--cau-plugin-arguments', "@{},@{ HotfixRootFolderPath='\\\\fs01\\hf' }"];
    const reboots = (doc: RunDoc) => doc.nodeResults.map((r) => r.phases.filter((p) => p.phase === 'reboot').length);
    const separate = run(fixture, ...plugins, '--separate-reboots', '--run-plugins-serially');
    expect(separate.code).toBe(0);
    expect(reboots(separate.doc)).toEqual([2, 2]);
    const together = run(fixture, ...plugins);
    expect(together.code).toBe(0);
    expect(reboots(together.doc)).toEqual([1, 1]);
    expect(together.doc.nodeResults.every((r) => r.numberOfSucceededUpdates === 2)).toBe(true);
  });

  it('enables the Remote Shutdown firewall group on every node with --enable-firewall-rules', () => {
    const path = box.fixture(aCluster('FW', [0, 1], { NODE2: { setup: { remoteShutdownFirewallEnabled: false } } }));
    const before = parseJson<{ rules: Array<{ id: string; state: string }> }>(box.run(['test-setup', '--simulate', path, '--sim-reset', '--json']));
    expect(before.rules.find((r) => r.id === 'CAU-09')?.state).toBe('Fail');
    expect(box.run(['run', '--simulate', path, '--force', '--enable-firewall-rules']).code).toBe(0);
    const after = parseJson<{ rules: Array<{ id: string; state: string }> }>(box.run(['test-setup', '--simulate', path, '--json']));
    expect(after.rules.find((r) => r.id === 'CAU-09')?.state).toBe('Pass');
  });
});
