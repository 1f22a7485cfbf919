/**
 * Issue 16 §2 on the built CLI: register-plugin, get-plugin and unregister-plugin with the example firmware
 * plug-in, and the bad inputs (a bad manifest, a script that does not parse or uses PowerShell 7 syntax, a name
 * that clashes with a built-in), each exit 2 naming the file and field, nothing registered. Then the scenario
 * on the simulator's model of the vendor tool (fixtures/clusters/vendor-firmware.json): registered, scanned,
 * installed with a restart by run, alone and beside Windows Update, a failing apply retried, and unregistered.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeWithPwsh, REPO_ROOT } from '../pwsh/pwsh-path.js';
import { ROOT, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { expectCleanCluster, readBack } from '../support/state-checks.js';

const EXAMPLE = join(REPO_ROOT, 'examples/plugins/contoso-firmware');

describeWithPwsh('script plug-ins: register, get, unregister', (pwsh) => {
  let box: Sandbox;
  let work: string;
  const env = { PATH: `${dirname(pwsh)}:/usr/bin:/bin` };
  beforeEach(() => {
    box = sandbox();
    work = mkdtempSync(join(tmpdir(), 'cauctl-plugin-'));
  });
  afterEach(() => {
    box.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const cli = (...args: string[]): ReturnType<Sandbox['run']> => box.run(args, { env });
  /** A copy of the example with one file replaced. */
  function variant(file: string, text: string): string {
    const dir = join(work, 'variant');
    cpSync(EXAMPLE, dir, { recursive: true });
    writeFileSync(join(dir, file), text);
    return dir;
  }
  const names = (): string[] => parseJson<Array<{ name: string }>>(cli('get-plugin', '--json')).map((p) => p.name);

  it('registers the example, lists it beside the built-ins, and unregisters it', () => {
    expect(names()).toEqual(['Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin', 'Microsoft.RollingUpgradePlugin']);
    const registered = cli('register-plugin', '--path', EXAMPLE, '--json');
    expect(registered.code).toBe(0);
    expect(parseJson(registered)).toMatchObject({ name: 'Contoso.FirmwarePlugin', version: '1.0.0', replaced: null, arguments: { Repository: { required: true } } });
    expect(names()).toContain('Contoso.FirmwarePlugin');
    const one = parseJson<Array<{ kind: string; version: string }>>(cli('get-plugin', '--name', 'contoso.firmwareplugin', '--json'));
    expect(one).toEqual([expect.objectContaining({ kind: 'script', version: '1.0.0' })]);
    // The copy in the state directory is what counts: editing the source afterwards changes nothing.
    const again = cli('register-plugin', '--path', EXAMPLE, '--json');
    expect(parseJson(again)).toMatchObject({ replaced: '1.0.0' });
    const removed = cli('unregister-plugin', '--name', 'Contoso.FirmwarePlugin');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/Unregistered Contoso\.FirmwarePlugin 1\.0\.0\./);
    expect(names()).not.toContain('Contoso.FirmwarePlugin');
  });

  it('refuses to unregister a built-in, or a name not registered (exit 2)', () => {
    const builtin = cli('unregister-plugin', '--name', 'Microsoft.WindowsUpdatePlugin');
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toMatch(/Microsoft\.WindowsUpdatePlugin is a built-in plug-in and cannot be unregistered/);
    const unknown = cli('unregister-plugin', '--name', 'Fabrikam.BiosPlugin');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No plug-in named Fabrikam\.BiosPlugin is registered on this host/);
  });

  const manifest = JSON.parse(readFileSync(join(EXAMPLE, 'plugin.json'), 'utf8')) as Record<string, unknown>;
  it.each([
    ['a manifest that is not JSON', 'plugin.json', '{ "name": ', [/plugin\.json: not valid JSON/]],
    [
      'a manifest with a bad version, an unknown key and a bad argument pattern',
      'plugin.json',
      JSON.stringify({ ...manifest, version: 'latest', vendor: 'Contoso', arguments: { Repository: { description: 'x', pattern: '([' } } }),
      [/plugin\.json: version: expected a version such as 1\.2 or 1\.2\.3/, /plugin\.json: vendor: unknown key/, /plugin\.json: arguments\.Repository\.pattern: not a valid regular expression/],
    ],
    ['a name that clashes with a built-in', 'plugin.json', JSON.stringify({ ...manifest, name: 'Microsoft.HotfixPlugin' }), [/plugin\.json: name: Microsoft\.HotfixPlugin is a built-in plug-in's name/]],
    ['a scan.ps1 that does not parse', 'scan.ps1', 'param([string]$Repository)\nif ($true) {\n', [/scan\.ps1:\d+:\d+: parse-error: /]],
    ['an install.ps1 with PowerShell 7 syntax', 'install.ps1', 'param([string[]]$UpdateIds)\n$x = $UpdateIds ?? @()\n@{ results = $x; rebootRequired = $false }\n', [/install\.ps1:2:\d+: null-coalescing: /]],
  ])('refuses %s: exit 2 naming the file and field, nothing registered', (_name, file, text, patterns) => {
    const result = cli('register-plugin', '--path', variant(file, text));
    expect(result.code).toBe(2);
    for (const pattern of patterns) expect(result.stderr).toMatch(pattern);
    expect(names()).toHaveLength(3);
  });

  it('refuses a folder without its scripts, naming each missing file', () => {
    const dir = join(work, 'empty');
    cpSync(join(EXAMPLE, 'plugin.json'), join(dir, 'plugin.json'), { recursive: true });
    const result = cli('register-plugin', '--path', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/scan\.ps1: missing/);
    expect(result.stderr).toMatch(/install\.ps1: missing/);
  });

  it('without PowerShell on PATH: exit 5, saying what to install, nothing registered', () => {
    const result = box.run(['register-plugin', '--path', EXAMPLE], { env: { PATH: '/nonexistent' } });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/found neither pwsh nor powershell\.exe on PATH; nothing was registered/);
  });
});

interface RunDocument {
  status: string;
  plugins: string[];
  nodeResults: Array<{
    node: string;
    status: string;
    attempts: number;
    nodeRebootResult: { bootType: string; reboots: number };
    installResults: Array<{ updateId: string; resultCode: string; errorCode: string; rebootRequired: boolean }>;
    phases: Array<{ phase: string; attempt: number; ok: boolean; detail?: string }>;
  }>;
  simulation: { violations: string[] };
}

describeWithPwsh('a registered script plug-in in scan and run (simulator)', (pwsh) => {
  let box: Sandbox;
  const env = { PATH: `${dirname(pwsh)}:/usr/bin:/bin` };
  const MODEL = join(ROOT, 'fixtures/clusters/vendor-firmware.json');
  const FW = ['--cau-plugin-name', 'Contoso.FirmwarePlugin', '--cau-plugin-arguments', "@{ Repository='\\\\fw01\\firmware' }"];
  const cli = (...args: string[]): ReturnType<Sandbox['run']> => box.run(args, { env });
  beforeEach(() => {
    box = sandbox();
    expect(cli('register-plugin', '--path', EXAMPLE).code).toBe(0);
  });
  afterEach(() => box.cleanup());

  it('registered, scanned, installed with a restart by run (nodes Up, nothing paused, the report names it), then unregistered', () => {
    const scan = cli('scan', '--simulate', MODEL, ...FW, '--json');
    expect(scan.code).toBe(0);
    const found = parseJson<Array<{ nodeName: string; updateId: string; rebootRequired: boolean; plugin: string }>>(scan);
    expect(found.map((u) => `${u.nodeName} ${u.updateId}`)).toEqual([
      'NODE1 contoso-fw:bios:2.3.1',
      'NODE1 contoso-fw:nic-x710:9.40',
      'NODE2 contoso-fw:bios:2.3.1',
      'NODE2 contoso-fw:nic-x710:9.40',
      'NODE3 contoso-fw:bios:2.3.1',
    ]);
    expect(new Set(found.map((u) => `${u.plugin} ${u.rebootRequired}`))).toEqual(new Set(['Contoso.FirmwarePlugin true']));

    const run = cli('run', '--simulate', MODEL, ...FW, '--force', '--json');
    expect(run.code).toBe(0);
    const doc = parseJson<RunDocument>(run);
    expect(doc.status).toBe('Succeeded');
    expect(doc.plugins).toEqual(['Contoso.FirmwarePlugin']);
    expect(doc.simulation.violations).toEqual([]);
    for (const node of doc.nodeResults) {
      expect({ node: node.node, status: node.status, restart: node.nodeRebootResult }).toEqual({ node: node.node, status: 'Succeeded', restart: { bootType: 'FullReboot', reboots: 1 } });
      expect(node.installResults.every((r) => r.resultCode === 'Succeeded' && r.updateId.startsWith('contoso-fw:'))).toBe(true);
    }
    expect(doc.nodeResults.find((n) => n.node === 'NODE1')!.installResults.map((r) => `${r.updateId} ${r.rebootRequired}`)).toEqual(['contoso-fw:bios:2.3.1 true', 'contoso-fw:nic-x710:9.40 false']);
    expectCleanCluster(readBack(box, MODEL));
    const report = cli('get-report', '--simulate', MODEL, '--last', '--detailed');
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/plug-ins Contoso\.FirmwarePlugin/);
    expect(report.stdout).toMatch(/NODE1\s+Contoso bios firmware 2\.3\.1\s+Succeeded\s+0x0\s+yes/);
    // Applied: a new scan finds nothing left.
    expect(parseJson<unknown[]>(cli('scan', '--simulate', MODEL, ...FW, '--json'))).toEqual([]);

    expect(cli('unregister-plugin', '--name', 'Contoso.FirmwarePlugin').code).toBe(0);
    for (const command of ['scan', 'run']) {
      const refused = cli(command, '--simulate', MODEL, ...FW, ...(command === 'run' ? ['--force'] : []));
      expect({ command, code: refused.code }).toEqual({ command, code: 2 });
      expect(refused.stderr).toMatch(/cauPluginName\[0\]: Contoso\.FirmwarePlugin is neither a built-in plug-in .* nor registered on this host; register a script plug-in with cauctl register-plugin --path <folder>, and list them with cauctl get-plugin/);
    }
  });

  it("runs beside a built-in in CAU's list form (A,B): both plug-ins' updates installed, one restart per node", () => {
    const run = cli('run', '--simulate', MODEL, '--cau-plugin-name', 'Microsoft.WindowsUpdatePlugin,Contoso.FirmwarePlugin', '--cau-plugin-arguments', "@{},@{ Repository='\\\\fw01\\firmware' }", '--force', '--json');
    expect(run.code).toBe(0);
    const doc = parseJson<RunDocument>(run);
    expect(doc.status).toBe('Succeeded');
    expect(doc.plugins).toEqual(['Microsoft.WindowsUpdatePlugin', 'Contoso.FirmwarePlugin']);
    expect(doc.simulation.violations).toEqual([]);
    const node3 = doc.nodeResults.find((n) => n.node === 'NODE3')!;
    expect(node3.installResults.map((r) => `${r.updateId} ${r.resultCode}`)).toEqual(['7f1c2a40-0001-4d1e-9a10-000000000001 Succeeded', 'contoso-fw:bios:2.3.1 Succeeded']);
    for (const node of doc.nodeResults) expect({ node: node.node, restart: node.nodeRebootResult }).toEqual({ node: node.node, restart: { bootType: 'FullReboot', reboots: 1 } });
    expectCleanCluster(readBack(box, MODEL));
  });

  it('a firmware apply that fails (fwtool exit 1603) fails the attempt, naming the update and code; the retry applies it', () => {
    const fixture = JSON.parse(readFileSync(MODEL, 'utf8')) as { name: string; nodes: Array<{ vendorFirmware: { components: Array<Record<string, unknown>> } }> };
    fixture.name = 'FW3FAULT';
    fixture.nodes[1]!.vendorFirmware.components[0]!.fails = { times: 1, exitCode: 1603 };
    const model = box.fixture(fixture);
    const run = cli('run', '--simulate', model, ...FW, '--force', '--json');
    expect(run.code).toBe(0);
    const node2 = parseJson<RunDocument>(run).nodeResults.find((n) => n.node === 'NODE2')!;
    expect(node2.attempts).toBe(2);
    expect(node2.phases.filter((p) => !p.ok)).toEqual([expect.objectContaining({ phase: 'install', attempt: 1, detail: '1 of 2 update(s) failed: Contoso bios firmware 2.3.1 0x00000643' })]);
    expect(node2.installResults.map((r) => `${r.updateId} ${r.resultCode}`)).toEqual(['contoso-fw:bios:2.3.1 Succeeded', 'contoso-fw:nic-x710:9.40 Succeeded']);
    expectCleanCluster(readBack(box, model));
  });

  it('arguments are checked against the manifest before anything is touched; the CAU role refuses a script plug-in (exit 2, naming the field)', () => {
    const bad = cli('run', '--simulate', MODEL, '--cau-plugin-name', 'Contoso.FirmwarePlugin', '--cau-plugin-arguments', "@{ Repository='C:\\fw'; Tool='x' }", '--force');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cauPluginArguments\[0\]\.Tool: unknown argument for Contoso\.FirmwarePlugin; known: Repository, ToolPath/);
    expect(bad.stderr).toMatch(/cauPluginArguments\[0\]\.Repository: "C:\\\\fw" does not match /);
    const role = cli('add-role', '--simulate', MODEL, '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--start-date', '2030-01-08T03:00', ...FW, '--force');
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/cauPluginName\[0\]: Contoso\.FirmwarePlugin is not a built-in plug-in .*the CAU clustered role runs CAU's own plug-ins on the cluster/);
  });
});
