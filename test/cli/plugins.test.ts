/**
 * Issue 16 §2 on the built CLI: register-plugin, get-plugin and unregister-plugin with the example firmware
 * plug-in, and the bad inputs (a bad manifest, a script that does not parse or uses PowerShell 7 syntax, a name
 * that clashes with a built-in), each exit 2 naming the file and field, nothing registered.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeWithPwsh, REPO_ROOT } from '../pwsh/pwsh-path.js';
import { parseJson, sandbox, type Sandbox } from '../support/cli.js';

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
