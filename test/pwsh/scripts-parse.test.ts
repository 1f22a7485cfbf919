// Static checks of the node-side PowerShell, no pwsh needed: every .ps1 under src/ parses with the tree-sitter
// PowerShell grammar, every catalogue operation has its script and the invocation carries it byte for byte,
// and every .ps1 under src/ has a Pester Tests file.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { buildInvocation } from '../../src/cluster/invocation.js';
import { operations, type OperationName } from '../../src/cluster/operations.js';
import { REPO_ROOT } from './pwsh-path.js';

function ps1Files(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return ps1Files(path);
    return path.endsWith('.ps1') ? [path] : [];
  });
}

const srcScripts = ps1Files(join(REPO_ROOT, 'src')).sort();
const rel = (path: string): string => relative(REPO_ROOT, path);

/** A minimal valid value per operation, enough for its params schema. */
const sampleParams: { [N in OperationName]: unknown } = {
  'get-cluster': {},
  'get-storage-health': {},
  'get-fault-domains': {},
  'wait-storage-healthy': { timeoutSeconds: 60, pollSeconds: 5 },
  'get-cluster-property': { name: "'; Remove-Item -Recurse C:\\ #" },
  'set-cluster-property': { name: 'CauctlLock', value: '$(Get-Date)', expected: null },
  'get-node-setup': {},
  'repair-setup': { enableRemoteShutdownFirewall: true, installFeatures: ['`n;'], disableCredSspServer: false },
  'scan-updates': { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: { QueryString: "UpdateID='x'" } },
  'start-update-task': {
    plugin: 'Microsoft.HotfixPlugin',
    arguments: { HotfixRootFolderPath: '\\\\srv\\share' },
    mode: 'Install',
    updateIds: ['CAUHotfix_All\\a.msu'],
    taskId: 'run-1-node-1',
  },
  'wait-update-task': { taskId: 'run-1-node-1', timeoutSeconds: 30 },
  'get-node-status': {},
  'suspend-node': { name: 'NODE1\u201c\u201d', forceDrain: false, timeoutSeconds: 600, allowUndrained: 'ForcePauseDrainAndReboot' },
  'get-node-capacity': {},
  'resume-node': { name: 'NODE1', failback: 'Immediate' },
  'restart-node': { soft: false, delaySeconds: 5 },
  'invoke-node-script': { path: 'C:\\scripts\\pre.ps1', configurationName: 'Microsoft.PowerShell' },
  'get-cau-role': {},
  'add-cau-role': { schedule: { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 4, weeksOfMonth: [2] }, options: { PreUpdateScript: "'; Remove-Item C:\\ #.ps1" } },
  'set-cau-role': { schedule: { kind: 'Once', startDate: '2099-06-01T23:30' }, options: { SiteAwareUpdatingOrder: ["Site'; Stop-Computer #"] }, useDefault: true },
  'change-cau-role': { action: 'Remove' },
  'update-cau-role-now': {},
  'get-native-cau': {},
  'hold-cau-role': { groupName: "CAU'; Stop-Computer #", state: 'Offline' },
  'prepare-remoting': {},
  'test-cluster': { include: ["Inventory'; #"] },
  'update-functional-level': { whatIf: true },
  'get-storage-pools': {},
  'update-storage-pool': { friendlyName: "S2D'; $(x)" },
  'get-vms': {},
  'set-vm-state': { name: 'VM01', state: 'Off' },
  'update-vm-version': { name: 'VM01' },
  'move-vm': { name: 'VM01', node: 'NODE2' },
  'get-storage-replica': {},
  'get-cluster-service': {},
  'set-cluster-service': { startMode: 'Disabled' },
  'get-cluster-disks': {},
  'set-cluster-disks': { names: ["Cluster Virtual Disk (a'; #)"], state: 'Offline', timeoutSeconds: 60 },
  'stop-cluster': { timeoutSeconds: 60 },
  'start-cluster': { timeoutSeconds: 60 },
};

describe('node-side scripts (static)', () => {
  let parser: Parser;

  beforeAll(async () => {
    await Parser.init();
    const language = await Language.load(join(REPO_ROOT, 'node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm'));
    parser = new Parser();
    parser.setLanguage(language);
  });

  it('finds the scripts (a guard against an empty glob)', () => {
    expect(srcScripts.length).toBeGreaterThanOrEqual(Object.keys(operations).length + 1);
  });

  it.each(srcScripts.map((p) => [rel(p), p]))('%s parses with the tree-sitter PowerShell grammar', (_name, path) => {
    const tree = parser.parse(readFileSync(path, 'utf8'));
    expect(tree).not.toBeNull();
    expect(tree!.rootNode.hasError).toBe(false);
  });

  it('tree-sitter does report errors (the broken fixture fails)', () => {
    const tree = parser.parse(readFileSync(join(REPO_ROOT, 'test/ps/fixtures/broken-syntax.ps1'), 'utf8'));
    expect(tree!.rootNode.hasError).toBe(true);
  });

  it.each(Object.keys(operations) as OperationName[])('%s: the invocation carries the script file byte for byte', (name) => {
    const file = readFileSync(join(REPO_ROOT, 'src/cluster/scripts', `${name}.ps1`), 'utf8');
    const invocation = buildInvocation(name, sampleParams[name] as never);
    expect(invocation.script).toBe(file);
    // Hostile parameter values stay in params; none of them reaches the script text.
    for (const value of Object.values(invocation.params)) {
      if (typeof value === 'string' && /[$'`\u201c]/.test(value)) expect(invocation.script.includes(value)).toBe(false);
    }
  });

  it('has exactly one script per catalogue operation under src/cluster/scripts', () => {
    const scripts = ps1Files(join(REPO_ROOT, 'src/cluster/scripts')).map((p) => basename(p, '.ps1')).sort();
    expect(scripts).toEqual(Object.keys(operations).sort());
  });

  it.each(srcScripts.map((p) => [rel(p), p]))('%s has a Pester Tests file in test/ps/', (_name, path) => {
    const tests = join(REPO_ROOT, 'test/ps', `${basename(path, '.ps1')}.Tests.ps1`);
    expect(() => statSync(tests)).not.toThrow();
  });

  it('declares every catalogue parameter in its script param() block with the same name', () => {
    for (const name of Object.keys(operations) as OperationName[]) {
      const text = readFileSync(join(REPO_ROOT, 'src/cluster/scripts', `${name}.ps1`), 'utf8');
      const shape = operations[name].params.shape as Record<string, unknown>;
      for (const param of Object.keys(shape)) {
        expect({ name, param, declared: new RegExp(`\\$${param}\\b`).test(text.slice(text.indexOf('param('))) }).toEqual({
          name,
          param,
          declared: true,
        });
      }
    }
  });
});
