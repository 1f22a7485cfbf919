/**
 * Issue 13 on the built CLI and the simulator: the HotfixPlugin's FolderRules. A firmware file in a folder
 * named after a `<Folder name>` rule (below CAUHotfix_All or the node's own folder) is offered and installed by
 * that rule: its own exit conditions, and `alwaysReboot` turning its success into a restart. A file in a folder
 * no rule names is outside CAU's structure: never offered, never run.
 */
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

interface RunDoc {
  status: string;
  nodeResults: Array<{ node: string; status: string; installResults: Array<{ updateId: string; resultCode: string; errorCode: string; rebootRequired: boolean }>; phases: Array<{ phase: string }> }>;
  simulation: { violations: string[] };
}

const hotfix = (id: string, folder: string, exitCode: number, ruleFolder?: string) => ({ id, kb: id, title: `${id}.exe`, plugin: 'Microsoft.HotfixPlugin', folder, exitCode, ...(ruleFolder ? { ruleFolder } : {}) });
const HOTFIX_ARGS = ['--cau-plugin-name', 'Microsoft.HotfixPlugin', '--cau-plugin-arguments', "@{ HotfixRootFolderPath='\\\\fs01\\hotfixes' }"];

describe('HotfixPlugin FolderRules (simulation)', () => {
  const fixture = () =>
    box.fixture(
      aCluster(
        'FOLDERS',
        [1, 1],
        {
          // BIOS: FolderRule1 lists 0 as Success and is alwaysReboot. NIC firmware: FolderRule1 does not list 5.
          NODE1: { updates: [hotfix('BIOS-2', 'CAUHotfix_All', 0, 'FolderRule1'), hotfix('STRAY', 'NODE1', 0, 'NoRuleHere')] },
          NODE2: { updates: [hotfix('NIC-FW', 'NODE2', 5, 'FolderRule1')] },
        },
        { hotfixFolderRules: { FolderRule1: { success: [0], alwaysReboot: true } } },
      ),
    );

  it('scan offers the files of a folder with a rule, not those of a folder without one', () => {
    const result = box.run(['scan', '--simulate', fixture(), '--sim-reset', ...HOTFIX_ARGS, '--json']);
    expect(result.code).toBe(0);
    const rows = parseJson<Array<{ nodeName: string; updateId: string; plugin: string }>>(result);
    expect(rows.map((r) => [r.nodeName, r.updateId, r.plugin])).toEqual([
      ['NODE1', 'BIOS-2', 'Microsoft.HotfixPlugin'],
      ['NODE2', 'NIC-FW', 'Microsoft.HotfixPlugin'],
    ]);
  });

  it("run installs each by its folder's rule: alwaysReboot restarts on success, an unlisted code fails without a restart", () => {
    const result = box.run(['run', '--simulate', fixture(), '--sim-reset', '--force', '--json', ...HOTFIX_ARGS, '--max-retries-per-node', '0', '--max-failed-nodes', '1']);
    const doc = parseJson<RunDoc>(result);
    expect(result.code).toBe(6);
    const [node1, node2] = ['NODE1', 'NODE2'].map((n) => doc.nodeResults.find((r) => r.node === n)!);
    expect(node1!.status).toBe('Succeeded');
    expect(node1!.installResults.map((r) => [r.updateId, r.resultCode, r.rebootRequired])).toEqual([['BIOS-2', 'Succeeded', true]]);
    expect(node1!.phases.some((p) => p.phase === 'reboot')).toBe(true);
    expect(node2!.status).toBe('Failed');
    expect(node2!.installResults.map((r) => [r.updateId, r.resultCode, r.errorCode])).toEqual([['NIC-FW', 'Failed', '0x5']]);
    expect(node2!.phases.some((p) => p.phase === 'reboot')).toBe(false);
    expect(doc.simulation.violations).toEqual([]);
  });
});
