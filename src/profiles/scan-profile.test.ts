// parseScanProfile: `scan`'s options as Invoke-CauScan takes them, what each gives, and each refusal with its text.
import { ProfileError } from './issues.js';
import { parseScanProfile, pluginNamesOf } from './scan-profile.js';

function problems(raw: unknown): string {
  try {
    parseScanProfile(raw);
    return 'ok';
  } catch (error) {
    if (!(error instanceof ProfileError)) throw error;
    return `${error.message.split('\n')[0]} ${error.problems.join(' | ')}`;
  }
}

describe('parseScanProfile', () => {
  it('no options: Windows Update, nothing serial, no restart choice', () => {
    expect(parseScanProfile({})).toStrictEqual({ plugins: [{ plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} }], runPluginsSerially: false, stopOnPluginFailure: false });
  });

  it('two plug-ins in the list form, serially, stopping at a failure, with a soft restart asked', () => {
    expect(parseScanProfile({ cauPluginName: [' Microsoft.WindowsUpdatePlugin , Microsoft.HotfixPlugin'], cauPluginArguments: ['@{}', "@{HotfixRootFolderPath='\\\\fs\\hotfix'}"], runPluginsSerially: true, stopOnPluginFailure: true, attemptSoftReboot: true })).toStrictEqual({
      plugins: [
        { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} },
        { plugin: 'Microsoft.HotfixPlugin', arguments: { HotfixRootFolderPath: '\\\\fs\\hotfix' } },
      ],
      runPluginsSerially: true,
      stopOnPluginFailure: true,
      restart: { attemptSoftReboot: true },
    });
  });

  it.each<[unknown, { attemptSoftReboot: boolean; rebootMode?: string } | undefined]>([
    [{ rebootMode: 'FullReboot' }, { attemptSoftReboot: false, rebootMode: 'FullReboot' }],
    [{ attemptSoftReboot: false }, undefined],
    [{ attemptSoftReboot: true }, { attemptSoftReboot: true }],
  ])('the restart choice of %j', (raw, restart) => {
    expect(parseScanProfile(raw).restart).toStrictEqual(restart);
  });

  it.each<[unknown, string]>([
    [{ runPluginsSerially: true, cauPluginName: ['Microsoft.WindowsUpdatePlugin'] }, 'invalid scan options: runPluginsSerially: --run-plugins-serially needs two or more plug-ins (--cau-plugin-name given 1)'],
    [{ stopOnPluginFailure: true }, 'invalid scan options: stopOnPluginFailure: --stop-on-plugin-failure needs two or more plug-ins (--cau-plugin-name given 0)'],
    [{ cauPluginName: ['Microsoft.WindowsUpdatePlugin', 'microsoft.windowsupdateplugin'] }, 'invalid scan options: cauPluginName[1]: Microsoft.WindowsUpdatePlugin is named twice'],
    [{ rebootMode: 'Sometimes' }, 'invalid scan options: rebootMode: must be one of ClusProp, FullReboot, SoftReboot, PluginCustomReboot, OrchestratorDefault (got "Sometimes")'],
    [{ cauPluginName: 'Microsoft.WindowsUpdatePlugin' }, 'invalid scan options:'],
  ])('%j is refused', (raw, expected) => {
    expect(problems(raw).startsWith(expected)).toBe(true);
  });

  it('a plug-in neither built in nor usable here names the built-ins and why', () => {
    expect(problems({ cauPluginName: ['Contoso.Firmware'] })).toBe(
      'invalid scan options: cauPluginName[0]: Contoso.Firmware is not a built-in plug-in (Microsoft.WindowsUpdatePlugin, Microsoft.HotfixPlugin, Microsoft.RollingUpgradePlugin); registered script plug-ins are used by cauctl scan and cauctl run only',
    );
  });

  it('pluginNamesOf: the list form split, trimmed, empty names dropped', () => {
    expect(pluginNamesOf({ cauPluginName: ['A, B', ' ,C', ''] })).toEqual(['A', 'B', 'C']);
    expect(pluginNamesOf({})).toEqual([]);
  });
});
