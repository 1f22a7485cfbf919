import { ProfileError } from './issues.js';
import { normalizeStartDate, parseRoleProfile } from './role-profile.js';

function problems(raw: Record<string, unknown>, verb: 'add' | 'set' = 'add'): readonly string[] {
  try {
    parseRoleProfile(raw, verb);
  } catch (error) {
    if (error instanceof ProfileError) return error.problems;
    throw error;
  }
  throw new Error('expected a ProfileError');
}

describe('parseRoleProfile', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['monthly, names', { daysOfWeek: 'Tuesday,Thursday', weeksOfMonth: ['2,4'], startDate: '2024-01-09' }, { schedule: { daysOfWeek: 0x14, weeksOfMonth: [2, 4], startDate: '2024-01-09T03:00' }, options: {} }],
    ['monthly, flag integer and last', { daysOfWeek: '4', weeksOfMonth: ['last'] }, { schedule: { daysOfWeek: 4, weeksOfMonth: [5] }, options: {} }],
    ['weekly', { daysOfWeek: 'Sun', intervalWeeks: '2', startDate: '2024-01-07 22:00' }, { schedule: { daysOfWeek: 1, intervalWeeks: 2, startDate: '2024-01-07T22:00' }, options: {} }],
    ['once', { runOnce: true, startDate: '2099-06-01T23:30' }, { schedule: { runOnce: true, startDate: '2099-06-01T23:30' }, options: {} }],
    [
      'run options under CAU names, only those given',
      { daysOfWeek: '4', weeksOfMonth: ['2'], cauPluginName: ['Microsoft.WindowsUpdatePlugin'], cauPluginArguments: ["@{ 'IncludeRecommendedUpdates'='True' }"], maxFailedNodes: '1', warnAfter: '90m', stopAfter: '4h', requireAllNodesOnline: true, failbackMode: 'Policy', nodeOrder: ['NODE2,NODE1'] },
      {
        schedule: { daysOfWeek: 4, weeksOfMonth: [2] },
        options: { CauPluginName: ['Microsoft.WindowsUpdatePlugin'], CauPluginArguments: [{ IncludeRecommendedUpdates: 'true' }], MaxFailedNodes: 1, WarnAfter: '01:30:00', StopAfter: '04:00:00', RequireAllNodesOnline: true, FailbackMode: 'Policy', NodeOrder: ['NODE2', 'NODE1'] },
      },
    ],
    ['vco and group', { runOnce: true, startDate: '2099-01-01', virtualComputerObjectName: 'CAUVCO01', groupName: 'CAUGroup' }, { virtualComputerObjectName: 'CAUVCO01', groupName: 'CAUGroup' }],
  ])('%s', (_name, raw, expected) => {
    expect(parseRoleProfile(raw, 'add')).toMatchObject(expected as Record<string, unknown>);
  });

  it('set-role: an option alone gives an empty schedule change (the current one is re-sent)', () => {
    expect(parseRoleProfile({ maxRetriesPerNode: '2' }, 'set')).toEqual({ schedule: {}, options: { MaxRetriesPerNode: 2 } });
  });

  it('reports every problem at once', () => {
    expect(problems({ runOnce: true, daysOfWeek: 'Funday', weeksOfMonth: ['0'], intervalWeeks: '0', startDate: 'tomorrow', maxRetriesPerNode: '99' })).toEqual([
      expect.stringMatching(/^startDate: "tomorrow" is not a date/),
      expect.stringMatching(/^daysOfWeek: unknown day "Funday"/),
      expect.stringMatching(/^weeksOfMonth: "0" is not a week/),
      expect.stringMatching(/^intervalWeeks: /),
      expect.stringMatching(/^maxRetriesPerNode: /),
      'runOnce: --run-once and --days-of-week conflict (a one-time run has no recurrence)',
      'runOnce: --run-once and --weeks-of-month conflict (a one-time run has no recurrence)',
      'runOnce: --run-once and --interval-weeks conflict (a one-time run has no recurrence)',
      'weeksOfMonth: --weeks-of-month (monthly) and --interval-weeks (weekly) conflict; choose one schedule',
    ]);
  });

  it('refuses names that are not NetBIOS names, and VCO or group on set-role', () => {
    expect(problems({ virtualComputerObjectName: 'a name with spaces', groupName: 'x'.repeat(16) })).toHaveLength(2);
    expect(problems({ groupName: 'G' }, 'set')).toEqual([expect.stringMatching(/^groupName: --group-name is fixed when the role is added/)]);
  });
});

describe('normalizeStartDate', () => {
  it.each([['2024-01-09', '2024-01-09T03:00'], ['2024-01-09T22:15', '2024-01-09T22:15'], ['2024-01-09 22:15:00', '2024-01-09T22:15'], ['09/01/2024', undefined], ['2024-01-09T22:15:30', undefined]])('%s → %s', (text, expected) => {
    expect(normalizeStartDate(text)).toBe(expected);
  });
});

describe('parseRoleProfile: each run option alone, under its CAU name (set-role)', () => {
  const two = { cauPluginName: ['Microsoft.WindowsUpdatePlugin,Microsoft.HotfixPlugin'], cauPluginArguments: ["@{},@{ HotfixRootFolderPath='\\\\fs\\hf' }"] };
  const twoNames = { CauPluginName: ['Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin'], CauPluginArguments: [{}, { HotfixRootFolderPath: '\\\\fs\\hf' }] };
  it.each<[Record<string, unknown>, Record<string, unknown>]>([
    [{ cauPluginName: ['microsoft.windowsupdateplugin'] }, { CauPluginName: ['Microsoft.WindowsUpdatePlugin'] }],
    [{ cauPluginArguments: ["@{ 'IncludeRecommendedUpdates'='False' }"] }, { CauPluginArguments: [{ IncludeRecommendedUpdates: 'false' }] }],
    [{ ...two, runPluginsSerially: true }, { ...twoNames, RunPluginsSerially: true }],
    [{ ...two, stopOnPluginFailure: true }, { ...twoNames, StopOnPluginFailure: true }],
    [{ ...two, separateReboots: true }, { ...twoNames, SeparateReboots: true }],
    [{ maxFailedNodes: '2' }, { MaxFailedNodes: 2 }],
    [{ maxRetriesPerNode: '0' }, { MaxRetriesPerNode: 0 }],
    [{ nodeOrder: ['N2, N1', 'N3'] }, { NodeOrder: ['N2', 'N1', 'N3'] }],
    [{ preUpdateScript: 'C:\\s\\pre.ps1' }, { PreUpdateScript: 'C:\\s\\pre.ps1' }],
    [{ postUpdateScript: 'C:\\s\\post.ps1' }, { PostUpdateScript: 'C:\\s\\post.ps1' }],
    [{ configurationName: 'Cau.Endpoint' }, { ConfigurationName: 'Cau.Endpoint' }],
    [{ requireAllNodesOnline: true }, { RequireAllNodesOnline: true }],
    [{ warnAfter: '45m' }, { WarnAfter: '00:45:00' }],
    [{ stopAfter: '1d' }, { StopAfter: '1.00:00:00' }],
    [{ rebootTimeoutMinutes: '20' }, { RebootTimeoutMinutes: 20 }],
    [{ enableFirewallRules: true }, { EnableFirewallRules: true }],
    [{ failbackMode: 'nofailback' }, { FailbackMode: 'NoFailback' }],
    [{ suspendClusterNodeTimeoutMinutes: '45' }, { SuspendClusterNodeTimeoutMinutes: 45 }],
    [{ waitForStorageRepairTimeoutMinutes: '90' }, { WaitForStorageRepairTimeoutMinutes: 90 }],
    [{ forcePauseAndDrain: true }, { ForcePauseAndDrain: true }],
    [{ attemptSoftReboot: true }, { AttemptSoftReboot: true }],
    [{ forcePauseNoDrain: true }, { ForcePauseNoDrain: true }],
    [{ forcePauseDrainAndReboot: true }, { ForcePauseDrainAndReboot: true }],
    [{ skipUpdateChecks: true }, { SkipUpdateChecks: true }],
    [{ siteAwareUpdatingOrder: ['Site B,Site A'] }, { SiteAwareUpdatingOrder: ['Site B', 'Site A'] }],
    [{ rebootMode: 'softreboot' }, { RebootMode: 'SoftReboot' }],
    [{ suspendRetriesPerNode: '4' }, { SuspendRetriesPerNode: 4 }],
  ])('%j → %j', (raw, options) => {
    expect(parseRoleProfile(raw, 'set')).toStrictEqual({ schedule: {}, options });
  });

  it('switches given as false are not sent', () => {
    const off = { requireAllNodesOnline: false, separateReboots: false, enableFirewallRules: false, forcePauseAndDrain: false, attemptSoftReboot: false, runPluginsSerially: false, stopOnPluginFailure: false, forcePauseNoDrain: false, forcePauseDrainAndReboot: false, skipUpdateChecks: false };
    expect(parseRoleProfile(off, 'set')).toEqual({ schedule: {}, options: {} });
  });

  it('keeps the time zone, --use-default and --update-now', () => {
    expect(parseRoleProfile({ timeZone: 'Europe/Paris', useDefault: true }, 'set')).toEqual({ schedule: {}, options: {}, timeZone: 'Europe/Paris', useDefault: true });
    expect(parseRoleProfile({ updateNow: true, force: true, whatIf: true, runOnce: false }, 'set')).toEqual({ schedule: {}, options: {}, updateNow: true });
    expect(parseRoleProfile({ useDefault: false, updateNow: false }, 'set')).toEqual({ schedule: {}, options: {} });
  });
});

describe('parseRoleProfile: refusals, written out', () => {
  it.each<[string, Record<string, unknown>, 'add' | 'set', string[]]>([
    ['--update-now with other options', { updateNow: true, maxFailedNodes: '1', siteAwareUpdatingOrder: ['S1'] }, 'set', [
      "updateNow: --update-now and --max-failed-nodes conflict (it starts a run with the role's settings; change them with set-role first)",
      "updateNow: --update-now and --site-aware-updating-order conflict (it starts a run with the role's settings; change them with set-role first)",
    ]],
    ['set-role options on add-role', { useDefault: true, updateNow: true }, 'add', [
      "updateNow: --update-now and --use-default conflict (it starts a run with the role's settings; change them with set-role first)",
      'useDefault: --use-default is a set-role option',
      'updateNow: --update-now is a set-role option',
    ]],
    ['--run-once without a date', { runOnce: true }, 'add', ['startDate: --run-once needs --start-date, the date and time of the one run']],
    ['a week that is not one', { weeksOfMonth: ['1', ' 6 '] }, 'add', ['weeksOfMonth: "6" is not a week of the month; use 1-4, or 5 (or last) for the last week']],
    ['a NetBIOS name too long, or starting with a hyphen', { virtualComputerObjectName: 'ABCDEFGHIJKLMNOP', groupName: '-G' }, 'add', [
      'virtualComputerObjectName: "ABCDEFGHIJKLMNOP" is not a NetBIOS name (1-15 letters, digits, hyphens)',
      'groupName: "-G" is not a NetBIOS name (1-15 letters, digits, hyphens)',
    ]],
    ['a VCO name on set-role', { virtualComputerObjectName: 'VCO1' }, 'set', ['virtualComputerObjectName: --virtual-computer-object-name is fixed when the role is added; remove-role and add-role to change it']],
    ['a run option the run profile refuses', { maxRetriesPerNode: 'x' }, 'set', [expect.stringMatching(/^maxRetriesPerNode: --max-retries-per-node/) as unknown as string]],
    ['a script plug-in', { cauPluginName: ['Contoso.Firmware'] }, 'set', [
      "cauPluginName[0]: Contoso.Firmware is not a built-in plug-in (Microsoft.WindowsUpdatePlugin, Microsoft.HotfixPlugin, Microsoft.RollingUpgradePlugin); the CAU clustered role runs CAU's own plug-ins on the cluster; a script plug-in registered with cauctl register-plugin runs in cauctl scan and cauctl run only",
    ]],
  ])('%s', (_name, raw, verb, expected) => {
    expect(problems(raw, verb)).toEqual(expected);
  });

  it('names the verb in the heading, also for options of the wrong type', () => {
    expect(() => parseRoleProfile({ groupName: 'a b' }, 'add')).toThrow(/^invalid add-role options:\n {2}groupName: "a b" is not a NetBIOS name/);
    expect(() => parseRoleProfile({ runOnce: 'yes' }, 'set')).toThrow(/^invalid set-role options:\n {2}runOnce: /);
  });

  it('takes the longest and shortest NetBIOS names, and weeks as a list with spaces', () => {
    expect(parseRoleProfile({ virtualComputerObjectName: 'ABCDEFGHIJKLMNO', groupName: 'G', weeksOfMonth: [' 1 , LAST', '3'] }, 'add')).toEqual({
      schedule: { weeksOfMonth: [1, 5, 3] },
      options: {},
      virtualComputerObjectName: 'ABCDEFGHIJKLMNO',
      groupName: 'G',
    });
  });
});

describe('normalizeStartDate: the edges', () => {
  it.each([[' 2024-01-09 ', '2024-01-09T03:00'], ['2024-01-09T03', undefined], ['x2024-01-09', undefined], ['2024-01-09x', undefined], ['2024-01-09T22:15:00x', undefined]])('%j → %s', (text, expected) => {
    expect(normalizeStartDate(text)).toBe(expected);
  });
});
