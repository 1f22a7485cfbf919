import {
  DEFAULT_PLUGIN,
  HOTFIX_PLUGIN,
  KNOWN_PLUGIN_ARGUMENTS,
  matchPluginArguments,
  ROLLING_UPGRADE_PLUGIN,
  validatePluginArguments,
  WINDOWS_UPDATE_PLUGIN,
} from './plugin-arguments.js';

function problemsOf(result: ReturnType<typeof matchPluginArguments>): string[] {
  return result.ok ? [] : result.problems;
}

describe('matchPluginArguments', () => {
  it('uses the default plug-in when none is named', () => {
    expect(matchPluginArguments([], [])).toEqual({ ok: true, value: [{ plugin: DEFAULT_PLUGIN, arguments: {} }] });
    expect(matchPluginArguments([], ["@{QueryString='IsInstalled=0 and Type=''Driver'''}"])).toEqual({
      ok: true,
      value: [{ plugin: WINDOWS_UPDATE_PLUGIN, arguments: { QueryString: "IsInstalled=0 and Type='Driver'" } }],
    });
  });

  it('matches a list to plug-in names by position', () => {
    const result = matchPluginArguments(
      [WINDOWS_UPDATE_PLUGIN, HOTFIX_PLUGIN],
      ["@{},@{HotfixRootFolderPath='\\\\fs01\\hotfix'; DisableAclChecks=$true}"],
    );
    expect(result).toEqual({
      ok: true,
      value: [
        { plugin: WINDOWS_UPDATE_PLUGIN, arguments: {} },
        { plugin: HOTFIX_PLUGIN, arguments: { HotfixRootFolderPath: '\\\\fs01\\hotfix', DisableAclChecks: 'true' } },
      ],
    });
  });

  it('takes repeated values in order, mixing forms', () => {
    const result = matchPluginArguments(
      ['microsoft.rollingupgradeplugin', WINDOWS_UPDATE_PLUGIN],
      ["@{ 'WuConnected'='true' }", 'IncludeRecommendedUpdates=TRUE'],
    );
    expect(result).toEqual({
      ok: true,
      value: [
        { plugin: ROLLING_UPGRADE_PLUGIN, arguments: { WuConnected: 'true' } },
        { plugin: WINDOWS_UPDATE_PLUGIN, arguments: { IncludeRecommendedUpdates: 'true' } },
      ],
    });
  });

  it('gives plug-ins without a set no arguments', () => {
    const result = matchPluginArguments([WINDOWS_UPDATE_PLUGIN, ROLLING_UPGRADE_PLUGIN], ["@{QueryString='IsInstalled=0'}"]);
    expect(result.ok && result.value[1]).toEqual({ plugin: ROLLING_UPGRADE_PLUGIN, arguments: {} });
  });

  it('reports more sets than plug-ins', () => {
    expect(problemsOf(matchPluginArguments([WINDOWS_UPDATE_PLUGIN, HOTFIX_PLUGIN], ["@{},@{HotfixRootFolderPath='x'},@{}"]))).toEqual([
      'cauPluginArguments[2]: 3 argument sets for 2 plug-ins (Microsoft.WindowsUpdatePlugin, Microsoft.HotfixPlugin); sets are matched to --cau-plugin-name by position',
    ]);
    expect(problemsOf(matchPluginArguments([], ['@{}', '@{}']))[0]).toMatch(/^cauPluginArguments\[1\]: 2 argument sets for 1 plug-in \(/);
  });

  it('reports syntax errors with the column, naming the set when there are several values', () => {
    expect(problemsOf(matchPluginArguments([], ['@{a=$(evil)}']))).toEqual([
      "cauPluginArguments: hashtable syntax, column 5: '$(' is a sub-expression and would run code; cauctl never evaluates PowerShell",
    ]);
    const problems = problemsOf(matchPluginArguments([WINDOWS_UPDATE_PLUGIN, HOTFIX_PLUGIN], ['@{}', "@{HotfixRootFolderPath='x"]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^cauPluginArguments\[1\]: hashtable syntax, column 24: unterminated string/);
  });

  it('reports every problem at once, with paths', () => {
    const problems = problemsOf(
      matchPluginArguments(
        [WINDOWS_UPDATE_PLUGIN, HOTFIX_PLUGIN],
        ["@{QueryStrin='x'; IncludeRecommendedUpdates='yes'}", "@{HotfixInstallerTimeoutMinutes='0'; HotfixConfigFileName='C:\\cfg.xml'}"],
      ),
    );
    expect(problems).toEqual([
      'cauPluginArguments[0].QueryStrin: unknown argument for Microsoft.WindowsUpdatePlugin; known: QueryString, IncludeRecommendedUpdates',
      `cauPluginArguments[0].IncludeRecommendedUpdates: must be 'true' or 'false' (got "yes")`,
      'cauPluginArguments[1].HotfixInstallerTimeoutMinutes: must be a whole number of at least 1 (got "0")',
      'cauPluginArguments[1].HotfixConfigFileName: must be a file name inside HotfixRootFolderPath, not a path (got "C:\\\\cfg.xml")',
      'cauPluginArguments[1].HotfixRootFolderPath: required by Microsoft.HotfixPlugin',
    ]);
  });

  it('uses the path it is given', () => {
    expect(problemsOf(matchPluginArguments([HOTFIX_PLUGIN], [], 'profile.cauPluginArguments'))).toEqual([
      'profile.cauPluginArguments[0].HotfixRootFolderPath: required by Microsoft.HotfixPlugin',
    ]);
  });

  it('passes the arguments of other plug-ins through unchecked', () => {
    expect(matchPluginArguments(['Contoso.FirmwarePlugin'], ["@{Anything='goes'}"])).toEqual({
      ok: true,
      value: [{ plugin: 'Contoso.FirmwarePlugin', arguments: { Anything: 'goes' } }],
    });
  });
});

describe('validatePluginArguments', () => {
  it.each([
    ['boolean from $true', WINDOWS_UPDATE_PLUGIN, { includerecommendedupdates: 'True' }, { IncludeRecommendedUpdates: 'true' }],
    ['boolean upper case', HOTFIX_PLUGIN, { HotfixRootFolderPath: 'x', RequireSmbEncryption: 'FALSE' }, { HotfixRootFolderPath: 'x', RequireSmbEncryption: 'false' }],
    ['number normalized', HOTFIX_PLUGIN, { HotfixRootFolderPath: 'x', HotfixInstallerTimeoutMinutes: ' 045 ' }, { HotfixRootFolderPath: 'x', HotfixInstallerTimeoutMinutes: '45' }],
    ['media path with WuConnected false', ROLLING_UPGRADE_PLUGIN, { WuConnected: 'False', PathToSetupMedia: 'D:\\', UpdateClusterFunctionalLevel: 'true' }, { WuConnected: 'false', PathToSetupMedia: 'D:\\', UpdateClusterFunctionalLevel: 'true' }],
  ])('normalizes %s', (_name, plugin, args, expected) => {
    expect(validatePluginArguments(plugin, args, 'p')).toEqual({ arguments: expected, problems: [] });
  });

  it.each([
    ['empty QueryString', WINDOWS_UPDATE_PLUGIN, { QueryString: ' ' }, 'p.QueryString: must not be empty'],
    ['number with a fraction', HOTFIX_PLUGIN, { HotfixRootFolderPath: 'x', HotfixInstallerTimeoutMinutes: '1.5' }, 'p.HotfixInstallerTimeoutMinutes: must be a whole number of at least 1 (got "1.5")'],
    ['boolean as 1', ROLLING_UPGRADE_PLUGIN, { WuConnected: '1' }, `p.WuConnected: must be 'true' or 'false' (got "1")`],
    ['media missing when not WU-connected', ROLLING_UPGRADE_PLUGIN, { WuConnected: 'false' }, "p.PathToSetupMedia: required when WuConnected is 'false' (the feature update then comes from setup media)"],
    ['undocumented MockSetup', ROLLING_UPGRADE_PLUGIN, { MockSetup: 'true' }, 'p.MockSetup: unknown argument for Microsoft.RollingUpgradePlugin; known: WuConnected, PathToSetupMedia, UpdateClusterFunctionalLevel'],
  ])('rejects %s', (_name, plugin, args, problem) => {
    expect(validatePluginArguments(plugin, args, 'p').problems).toEqual([problem]);
  });

  it('lists the documented arguments of each built-in plug-in', () => {
    expect(Object.fromEntries(Object.entries(KNOWN_PLUGIN_ARGUMENTS).map(([plugin, specs]) => [plugin, specs.map((s) => s.name)]))).toEqual({
      [WINDOWS_UPDATE_PLUGIN]: ['QueryString', 'IncludeRecommendedUpdates'],
      [HOTFIX_PLUGIN]: ['HotfixRootFolderPath', 'HotfixConfigFileName', 'RequireSmbEncryption', 'DisableAclChecks', 'HotfixInstallerTimeoutMinutes'],
      [ROLLING_UPGRADE_PLUGIN]: ['WuConnected', 'PathToSetupMedia', 'UpdateClusterFunctionalLevel'],
    });
  });
});
