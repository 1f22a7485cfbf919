// --cau-plugin-name with a registered script plug-in (issue 16 §2): accepted by scan and run beside the
// built-ins, its arguments checked against its own manifest, CAU's `A,B` list form, and refused where a script
// plug-in cannot run (the CAU clustered role), each problem naming the field.
import { PluginManifest } from '../plugins/manifest.js';
import { ProfileError } from './issues.js';
import { parseRoleProfile } from './role-profile.js';
import { parseRunProfile } from './run-profile.js';
import { parseScanProfile, type PluginContext } from './scan-profile.js';

const manifest = PluginManifest.parse({
  name: 'Contoso.FirmwarePlugin',
  version: '1.0.0',
  description: 'Firmware',
  arguments: {
    Repository: { description: 'UNC path', required: true, pattern: '\\\\\\\\[^\\\\]+\\\\[^\\\\]+.*' },
    ToolPath: { description: 'fwtool.exe', default: 'C:\\Tools\\fwtool.exe' },
    Retries: { description: 'apply retries', type: 'integer' },
    Verify: { description: 'verify after apply', type: 'boolean' },
  },
  installTimeoutMinutes: 90,
});
const registered: PluginContext = { scriptPlugins: [{ manifest, scan: '# scan', install: '# install' }] };

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProfileError) return error.problems;
    throw error;
  }
  throw new Error('no ProfileError');
}

describe('a registered script plug-in in scan and run', () => {
  it('is accepted beside a built-in (CAU list form A,B), with its scripts, its arguments in manifest spelling and its defaults', () => {
    const profile = parseScanProfile({ cauPluginName: ['Microsoft.WindowsUpdatePlugin,contoso.firmwareplugin'], cauPluginArguments: ["@{},@{ repository='\\\\fw01\\firmware'; retries=' 3'; VERIFY='True' }"] }, registered);
    expect(profile.plugins).toEqual([
      { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} },
      {
        plugin: 'Contoso.FirmwarePlugin',
        arguments: { Repository: '\\\\fw01\\firmware', Retries: '3', Verify: 'true', ToolPath: 'C:\\Tools\\fwtool.exe' },
        script: { version: '1.0.0', scan: '# scan', install: '# install', installTimeoutMinutes: 90 },
      },
    ]);
  });

  it('run takes it too, and --separate-reboots counts the names of the list form', () => {
    const { profile } = parseRunProfile({ cauPluginName: ['Microsoft.WindowsUpdatePlugin,Contoso.FirmwarePlugin'], cauPluginArguments: ["@{},@{ Repository='\\\\fw01\\fw' }"], separateReboots: true }, registered);
    expect(profile.plugins.map((p) => p.plugin)).toEqual(['Microsoft.WindowsUpdatePlugin', 'Contoso.FirmwarePlugin']);
    expect(profile.separateReboots).toBe(true);
  });

  it('refuses a soft restart with a script plug-in: its firmware needs a full one', () => {
    const args = { cauPluginName: ['Contoso.FirmwarePlugin'], cauPluginArguments: ["@{ Repository='\\\\fw01\\fw' }"] };
    expect(problemsOf(() => parseRunProfile({ ...args, attemptSoftReboot: true }, registered))).toEqual([expect.stringMatching(/^attemptSoftReboot: Contoso\.FirmwarePlugin is a script plug-in, whose firmware or driver updates need a full restart/)]);
    expect(problemsOf(() => parseRunProfile({ ...args, rebootMode: 'softreboot' }, registered))).toEqual([expect.stringMatching(/^rebootMode: Contoso\.FirmwarePlugin is a script plug-in/)]);
    expect(parseRunProfile({ ...args, rebootMode: 'FullReboot' }, registered).profile.plugins).toHaveLength(1);
  });

  it('checks the arguments against the manifest: unknown, wrong type, pattern, missing required — each naming the field', () => {
    const problems = problemsOf(() =>
      parseScanProfile({ cauPluginName: ['Contoso.FirmwarePlugin'], cauPluginArguments: ["@{ Repo='x'; Retries='three'; Verify='yes' }"] }, registered),
    );
    expect(problems).toEqual([
      'cauPluginArguments[0].Repo: unknown argument for Contoso.FirmwarePlugin; known: Repository, ToolPath, Retries, Verify',
      'cauPluginArguments[0].Retries: must be a whole number (type integer in the manifest); got "three"',
      'cauPluginArguments[0].Verify: must be \'true\' or \'false\' (type boolean in the manifest); got "yes"',
      'cauPluginArguments[0].Repository: required by Contoso.FirmwarePlugin (UNC path)',
    ]);
    expect(problemsOf(() => parseScanProfile({ cauPluginName: ['Contoso.FirmwarePlugin'], cauPluginArguments: ["@{ Repository='C:\\fw' }"] }, registered))).toEqual([
      expect.stringMatching(/^cauPluginArguments\[0\]\.Repository: "C:\\\\fw" does not match /),
    ]);
  });

  it('a name neither built in nor registered is exit 2 naming the field, with the way to register one', () => {
    const error = (() => {
      try {
        parseScanProfile({ cauPluginName: ['Fabrikam.BiosPlugin'] }, { scriptPlugins: [] });
      } catch (e) {
        return e as ProfileError;
      }
      throw new Error('accepted');
    })();
    expect(error.exitCode).toBe(2);
    expect(error.problems).toEqual([expect.stringMatching(/^cauPluginName\[0\]: Fabrikam\.BiosPlugin is neither a built-in plug-in \(Microsoft\.WindowsUpdatePlugin, .*\) nor registered on this host; register a script plug-in with cauctl register-plugin --path <folder>/)]);
  });

  it('the same name twice, in any case, is a problem', () => {
    expect(problemsOf(() => parseScanProfile({ cauPluginName: ['Contoso.FirmwarePlugin', 'contoso.firmwareplugin'], cauPluginArguments: ["@{ Repository='\\\\a\\b' }"] }, registered))).toEqual(['cauPluginName[1]: contoso.firmwareplugin is named twice']);
  });

  it('the CAU clustered role refuses it, saying why (CAU runs its own plug-ins)', () => {
    const problems = problemsOf(() => parseRoleProfile({ startDate: '2030-01-01', daysOfWeek: 'Tuesday', weeksOfMonth: ['3'], cauPluginName: ['Contoso.FirmwarePlugin'] }, 'add'));
    expect(problems).toEqual([expect.stringMatching(/^cauPluginName\[0\]: Contoso\.FirmwarePlugin is not a built-in plug-in .*; the CAU clustered role runs CAU's own plug-ins on the cluster/)]);
  });
});

describe('the manifest', () => {
  it('refuses a default that its own type or pattern would refuse', () => {
    const parsed = PluginManifest.safeParse({ name: 'A.B', version: '1.0', description: 'x', arguments: { N: { description: 'n', type: 'integer', default: 'many' }, P: { description: 'p', pattern: 'a+', default: 'b' } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'arguments.N.default: must be a whole number (type integer in the manifest); got "many"',
      "arguments.P.default: does not match the argument's own pattern a+",
    ]);
  });
});
