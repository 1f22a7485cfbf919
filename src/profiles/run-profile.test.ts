import { ProfileError } from './issues.js';
import { RUN_DEFAULTS, parseRunProfile } from './run-profile.js';

describe('parseRunProfile', () => {
  it('fills the documented defaults', () => {
    const { profile, mode } = parseRunProfile({});
    expect(profile).toStrictEqual({
      plugins: [{ plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} }],
      maxRetriesPerNode: 3,
      configurationName: 'Microsoft.PowerShell',
      requireAllNodesOnline: false,
      rebootTimeoutMinutes: 15,
      separateReboots: false,
      enableFirewallRules: false,
      failbackMode: 'Immediate',
      runPluginsSerially: false,
      stopOnPluginFailure: false,
      suspendClusterNodeTimeoutMinutes: RUN_DEFAULTS.suspendClusterNodeTimeoutMinutes,
      waitForStorageRepairTimeoutMinutes: RUN_DEFAULTS.waitForStorageRepairTimeoutMinutes,
      forcePauseAndDrain: false,
      attemptSoftReboot: false,
      suspendRetriesPerNode: 1,
    });
    expect(mode).toStrictEqual({ force: false, whatIf: false, resume: false, forceRecovery: false });
    expect(profile).not.toHaveProperty('maxFailedNodes');
  });

  it('normalizes numbers, durations, names and lists', () => {
    const { profile } = parseRunProfile({
      maxFailedNodes: '2',
      maxRetriesPerNode: '0',
      nodeOrder: ['NODE3,NODE1', 'NODE2'],
      warnAfter: '01:30:00',
      stopAfter: '2h',
      failbackMode: 'nofailback',
      cauPluginName: ['Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin'],
      cauPluginArguments: ["@{ IncludeRecommendedUpdates='TRUE' },@{ HotfixRootFolderPath='\\\\fs\\hf' }"],
      separateReboots: true,
    });
    expect(profile).toMatchObject({
      maxFailedNodes: 2,
      maxRetriesPerNode: 0,
      nodeOrder: ['NODE3', 'NODE1', 'NODE2'],
      warnAfterMs: 90 * 60_000,
      stopAfterMs: 2 * 3600_000,
      failbackMode: 'NoFailback',
      separateReboots: true,
      plugins: [
        { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: { IncludeRecommendedUpdates: 'true' } },
        { plugin: 'Microsoft.HotfixPlugin', arguments: { HotfixRootFolderPath: '\\\\fs\\hf' } },
      ],
    });
  });

  it('reports every problem at once, as path: message', () => {
    let error: unknown;
    try {
      parseRunProfile({
        maxRetriesPerNode: '65',
        rebootTimeoutMinutes: '0',
        warnAfter: '3h',
        stopAfter: '1h',
        attemptSoftReboot: true,
        disableSoftReboot: true,
        separateReboots: true,
        nodeOrder: ['A,a'],
        preUpdateScript: 'C:\\pre.bat',
        failbackMode: 'Later',
        whatIf: true,
        resume: true,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileError);
    const problems = (error as ProfileError).problems.map((p) => p.split(':')[0]);
    expect(problems.sort()).toEqual(['attemptSoftReboot', 'failbackMode', 'maxRetriesPerNode', 'nodeOrder', 'preUpdateScript', 'rebootTimeoutMinutes', 'separateReboots', 'warnAfter', 'whatIf'].sort());
    expect((error as ProfileError).exitCode).toBe(2);
  });
});

describe('parseRunProfile: the force switches (ForcePauseNoDrain, ForcePauseAndDrain, ForcePauseDrainAndReboot)', () => {
  it.each([
    [{}, false, undefined],
    [{ forcePauseNoDrain: true }, false, 'ForcePauseNoDrain'],
    [{ forcePauseAndDrain: true }, true, undefined],
    [{ forcePauseDrainAndReboot: true }, false, 'ForcePauseDrainAndReboot'],
  ] as const)('%j → forcePauseAndDrain %s, undrainedSwitch %s', (raw, forcePauseAndDrain, undrainedSwitch) => {
    const { profile } = parseRunProfile(raw);
    expect(profile.forcePauseAndDrain).toBe(forcePauseAndDrain);
    expect(profile.undrainedSwitch).toBe(undrainedSwitch);
  });

  it.each([
    [{ forcePauseNoDrain: true, forcePauseAndDrain: true }, ['--force-pause-no-drain', '--force-pause-and-drain']],
    [{ forcePauseAndDrain: true, forcePauseDrainAndReboot: true }, ['--force-pause-and-drain', '--force-pause-drain-and-reboot']],
    [{ forcePauseNoDrain: true, forcePauseDrainAndReboot: true }, ['--force-pause-no-drain', '--force-pause-drain-and-reboot']],
    [{ forcePauseNoDrain: true, forcePauseAndDrain: true, forcePauseDrainAndReboot: true }, ['--force-pause-no-drain', '--force-pause-and-drain', '--force-pause-drain-and-reboot']],
  ])('%j is a usage error (exit 2) naming the flags', (raw, flags) => {
    let error: unknown;
    try {
      parseRunProfile(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).exitCode).toBe(2);
    const problem = (error as ProfileError).problems.find((p) => p.includes('conflict'));
    for (const flag of flags) expect(problem).toContain(flag);
  });

  it.each(['forcePauseNoDrain', 'forcePauseDrainAndReboot'])('%s does not go with single-node maintenance', (key) => {
    expect(() => parseRunProfile({ suspendNode: 'NODE1', [key]: true })).toThrow(/conflict \(single-node maintenance/);
  });
});

describe('parseRunProfile: RebootMode, SuspendRetriesPerNode, Recover, ClearCorruptReports', () => {
  it.each([
    [{}, false, undefined],
    [{ rebootMode: 'SoftReboot' }, true, 'SoftReboot'],
    [{ rebootMode: 'softreboot' }, true, 'SoftReboot'],
    [{ rebootMode: 'FullReboot' }, false, 'FullReboot'],
    [{ rebootMode: 'OrchestratorDefault' }, false, 'OrchestratorDefault'],
    [{ rebootMode: 'OrchestratorDefault', attemptSoftReboot: true }, true, 'OrchestratorDefault'],
    [{ rebootMode: 'ClusProp' }, false, 'ClusProp'],
    [{ rebootMode: 'PluginCustomReboot' }, false, 'PluginCustomReboot'],
    [{ attemptSoftReboot: true }, true, undefined],
  ])('%j → attemptSoftReboot %s, rebootMode %s', (raw, soft, mode) => {
    const { profile } = parseRunProfile(raw);
    expect(profile.attemptSoftReboot).toBe(soft);
    expect(profile.rebootMode).toBe(mode);
  });

  it.each([
    [{ rebootMode: 'Warm' }, 'rebootMode: must be one of ClusProp, FullReboot, SoftReboot, PluginCustomReboot, OrchestratorDefault (got "Warm")'],
    [{ rebootMode: 'FullReboot', attemptSoftReboot: true }, 'rebootMode: --reboot-mode FullReboot and --attempt-soft-reboot conflict'],
    [{ rebootMode: 'SoftReboot', disableSoftReboot: true }, 'rebootMode: --reboot-mode SoftReboot and --disable-soft-reboot conflict'],
    [{ suspendRetriesPerNode: '0' }, 'suspendRetriesPerNode: '],
    [{ suspendRetriesPerNode: '65' }, 'suspendRetriesPerNode: '],
    [{ suspendRetriesPerNode: 'three' }, 'suspendRetriesPerNode: '],
    [{ recover: true, whatIf: true }, 'whatIf: --what-if and --recover conflict'],
    [{ recover: true, resumeNode: 'NODE1' }, 'resumeNode: --resume-node and --recover conflict'],
    [{ suspendRetriesPerNode: '3', suspendNode: 'NODE1' }, 'suspendNode: --suspend-node and --suspend-retries-per-node conflict'],
    [{ clearCorruptReports: true }, "clearCorruptReports: --clear-corrupt-reports needs --force-recovery (CAU's RecoverParamSet)"],
    [{ clearCorruptReports: true, forceRecovery: true, resume: true }, 'clearCorruptReports: --clear-corrupt-reports and --resume conflict'],
  ])('%j is exit 2: %s', (raw, message) => {
    let error: unknown;
    try {
      parseRunProfile(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).exitCode).toBe(2);
    expect((error as ProfileError).problems.some((p) => p.startsWith(message))).toBe(true);
  });

  it.each([
    [{}, 1],
    [{ suspendRetriesPerNode: '3' }, 3],
    [{ suspendRetriesPerNode: '64' }, 64],
  ])('%j → suspendRetriesPerNode %s', (raw, tries) => {
    expect(parseRunProfile(raw).profile.suspendRetriesPerNode).toBe(tries);
  });

  it.each([
    [{ clearCorruptReports: true, forceRecovery: true }, true],
    [{ clearCorruptReports: true, recover: true }, true],
    [{ forceRecovery: true }, undefined],
  ])('%j → mode.clearCorruptReports %s', (raw, clear) => {
    expect(parseRunProfile(raw).mode.clearCorruptReports).toBe(clear);
  });

  it('--recover is --force-recovery', () => {
    expect(parseRunProfile({ recover: true }).mode.forceRecovery).toBe(true);
    expect(parseRunProfile({ forceRecovery: true }).mode.forceRecovery).toBe(true);
    expect(parseRunProfile({}).mode.forceRecovery).toBe(false);
  });
});

describe('parseRunProfile: --pre-install, --pre-install-concurrency, --max-concurrent-nodes (issue 18)', () => {
  it.each<[Record<string, unknown>, Record<string, unknown>]>([
    [{}, { preInstall: undefined, preInstallConcurrency: undefined, maxConcurrentNodes: undefined }],
    [{ preInstall: true }, { preInstall: true, preInstallConcurrency: undefined }],
    [{ preInstall: true, preInstallConcurrency: '4' }, { preInstall: true, preInstallConcurrency: 4 }],
    [{ maxConcurrentNodes: '4' }, { maxConcurrentNodes: 4 }],
    [{ maxConcurrentNodes: '1' }, { maxConcurrentNodes: undefined }],
  ])('%j → %j', (raw, expected) => {
    const { profile } = parseRunProfile(raw);
    for (const [key, value] of Object.entries(expected)) expect(profile[key as keyof typeof profile]).toBe(value);
  });

  it.each([
    [{ preInstallConcurrency: '2' }, 'preInstallConcurrency: --pre-install-concurrency needs --pre-install'],
    [{ preInstall: true, preInstallConcurrency: '0' }, 'preInstallConcurrency: '],
    [{ maxConcurrentNodes: '0' }, 'maxConcurrentNodes: '],
    [{ maxConcurrentNodes: '65' }, 'maxConcurrentNodes: '],
    [{ maxConcurrentNodes: 'four' }, 'maxConcurrentNodes: '],
    [{ preInstall: true, skipUpdateChecks: true }, 'preInstall: --pre-install and --skip-update-checks conflict'],
    [{ preInstall: true, suspendNode: 'NODE1' }, 'suspendNode: --suspend-node and --pre-install conflict'],
    [{ maxConcurrentNodes: '2', resumeNode: 'NODE1' }, 'resumeNode: --resume-node and --max-concurrent-nodes conflict'],
  ])('%j is exit 2: %s', (raw, message) => {
    let error: unknown;
    try {
      parseRunProfile(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).problems.some((p) => p.startsWith(message))).toBe(true);
  });
});

/** The problems of a refused run profile, or a failure when it was accepted. */
function runProblems(raw: Record<string, unknown>): readonly string[] {
  try {
    parseRunProfile(raw);
  } catch (error) {
    if (error instanceof ProfileError) return error.problems;
    throw error;
  }
  throw new Error('expected a ProfileError');
}

describe('parseRunProfile: each integer option at the ends of its range', () => {
  it.each<[string, string, Record<string, unknown>, number | undefined, number | undefined]>([
    ['maxFailedNodes', '--max-failed-nodes', {}, 0, undefined],
    ['maxRetriesPerNode', '--max-retries-per-node', {}, 0, 64],
    ['rebootTimeoutMinutes', '--reboot-timeout-minutes', {}, 1, 1440],
    ['suspendClusterNodeTimeoutMinutes', '--suspend-cluster-node-timeout-minutes', {}, 1, 1440],
    ['waitForStorageRepairTimeoutMinutes', '--wait-for-storage-repair-timeout-minutes', {}, 1, 10080],
    ['suspendRetriesPerNode', '--suspend-retries-per-node', {}, 1, 64],
    ['preInstallConcurrency', '--pre-install-concurrency', { preInstall: true }, 1, 64],
    ['maxConcurrentNodes', '--max-concurrent-nodes', {}, 2, 64],
  ])('%s', (key, flag, others, min, max) => {
    const lowest = key === 'maxConcurrentNodes' ? 1 : min!;
    const range = max === undefined ? `an integer of at least ${lowest}` : `an integer from ${lowest} to ${max}`;
    expect(runProblems({ ...others, [key]: String(lowest - 1) })).toEqual([`${key}: ${flag} must be ${range} (got ${lowest - 1})`]);
    expect(parseRunProfile({ ...others, [key]: String(min) }).profile).toHaveProperty(key, min);
    if (max !== undefined) {
      expect(parseRunProfile({ ...others, [key]: String(max) }).profile).toHaveProperty(key, max);
      expect(runProblems({ ...others, [key]: String(max + 1) })).toEqual([`${key}: ${flag} must be ${range} (got ${max + 1})`]);
    }
  });
});

describe('parseRunProfile: one refusal at a time, its whole text', () => {
  const SINGLE = '(single-node maintenance is not a rolling run)';
  it.each<[string, Record<string, unknown>, string[]]>([
    ['a zero duration', { warnAfter: '0' }, ['warnAfter: must be longer than zero']],
    ['warnAfter equal to stopAfter', { warnAfter: '1h', stopAfter: '60m' }, ['warnAfter: must be less than stopAfter']],
    ['a script path too long', { postUpdateScript: `C:\\${'a'.repeat(254)}.ps1` }, ['postUpdateScript: the path and name must be at most 260 characters (got 261)']],
    ['a script that is not .ps1', { preUpdateScript: 'C:\\pre.ps1.txt' }, ['preUpdateScript: must be a .ps1 script (got "C:\\\\pre.ps1.txt")']],
    ['a configuration name with a space first', { configurationName: ' Cau' }, ['configurationName: " Cau" is not a session configuration name']],
    ['a configuration name with a space last', { configurationName: 'Cau ' }, ['configurationName: "Cau " is not a session configuration name']],
    ['--separate-reboots with one plug-in', { separateReboots: true, cauPluginName: ['Microsoft.WindowsUpdatePlugin'] }, ['separateReboots: --separate-reboots needs two or more plug-ins (--cau-plugin-name given 1)']],
    ['two force switches', { forcePauseNoDrain: true, forcePauseAndDrain: true }, ["forcePauseNoDrain: --force-pause-no-drain and --force-pause-and-drain conflict; give one (CAU's ForcePause* switches are alternatives)"]],
    ['a node listed twice', { nodeOrder: ['N1, n1'] }, ['nodeOrder: n1 is listed twice']],
    ['no site', { siteAwareUpdatingOrder: [' , '] }, ['siteAwareUpdatingOrder: give the sites, comma-separated, in the order to update them']],
    ['a site listed twice', { siteAwareUpdatingOrder: ['Site A', 'site a'] }, ['siteAwareUpdatingOrder: site a is listed twice']],
    ['a site name too long', { siteAwareUpdatingOrder: ['S'.repeat(65)] }, [`siteAwareUpdatingOrder: "${'S'.repeat(65)}" is not a site name`]],
    ['a site with a control character', { siteAwareUpdatingOrder: ['A\u001fB'] }, ['siteAwareUpdatingOrder: "A\\u001fB" is not a site name']],
    ['a site with DEL', { siteAwareUpdatingOrder: ['A\u007fB'] }, ['siteAwareUpdatingOrder: "A\u007fB" is not a site name']],
    ['--what-if with --force-recovery', { whatIf: true, forceRecovery: true }, ['whatIf: --what-if and --force-recovery conflict']],
    ['--run-id without --resume', { runId: 'r1' }, ['runId: --run-id needs --resume (it names the interrupted run to continue)']],
    ['a run id starting with a dash', { runId: '-r1', resume: true }, ['runId: "-r1" is not a run id']],
    ['a run id too long', { runId: 'r'.repeat(129), resume: true }, [`runId: "${'r'.repeat(129)}" is not a run id`]],
    ['--suspend-node with --resume-node', { suspendNode: 'N1', resumeNode: 'N2' }, ['suspendNode: --suspend-node and --resume-node conflict']],
    ['a node name starting with a dash', { resumeNode: '-N1' }, ['resumeNode: "-N1" is not a node name']],
    ['a node name too long', { suspendNode: 'N'.repeat(64) }, [`suspendNode: "${'N'.repeat(64)}" is not a node name`]],
    ['--suspend-node with --what-if', { suspendNode: 'N1', whatIf: true }, [`suspendNode: --suspend-node and --what-if conflict ${SINGLE}`]],
    ['--resume-node with --node-order', { resumeNode: 'N1', nodeOrder: ['N1'] }, [`resumeNode: --resume-node and --node-order conflict ${SINGLE}`]],
    ['--suspend-node with plug-in options', { suspendNode: 'N1', cauPluginName: ['Microsoft.WindowsUpdatePlugin'] }, [`suspendNode: --suspend-node and --cau-plugin-name conflict ${SINGLE}`]],
    ['a failback mode that is none', { failbackMode: 'Later' }, ['failbackMode: must be one of Immediate, Policy, NoFailback (got "Later")']],
  ])('%s', (_name, raw, expected) => {
    expect(runProblems(raw)).toEqual(expected);
  });

  it('an option of the wrong type is refused under the heading', () => {
    expect(() => parseRunProfile({ maxFailedNodes: 2 })).toThrow('invalid run options:\n  maxFailedNodes: Invalid input: expected string, received number');
  });

  it('switches given as false do not conflict with single-node maintenance', () => {
    expect(parseRunProfile({ suspendNode: 'N1', whatIf: false, separateReboots: false, preInstall: false }).mode).toEqual({ force: false, whatIf: false, resume: false, forceRecovery: false, suspendNode: 'N1' });
  });
});

describe('parseRunProfile: what each option becomes, whole', () => {
  it('every option at once', () => {
    const { profile, mode } = parseRunProfile({
      cauPluginName: ['Microsoft.WindowsUpdatePlugin', 'Microsoft.HotfixPlugin'],
      cauPluginArguments: ["@{},@{ HotfixRootFolderPath='\\\\fs\\hf' }"],
      runPluginsSerially: true,
      stopOnPluginFailure: true,
      separateReboots: true,
      maxFailedNodes: '1',
      maxRetriesPerNode: '2',
      nodeOrder: [' N2 ,, N1 '],
      siteAwareUpdatingOrder: ['Site B, Site A '],
      preUpdateScript: 'C:\\s\\pre.PS1',
      postUpdateScript: `C:\\${'p'.repeat(253)}.ps1`,
      configurationName: 'Cau.End_point-1',
      requireAllNodesOnline: true,
      warnAfter: '59m',
      stopAfter: '1h',
      rebootTimeoutMinutes: '30',
      enableFirewallRules: true,
      failbackMode: 'policy',
      suspendClusterNodeTimeoutMinutes: '10',
      waitForStorageRepairTimeoutMinutes: '120',
      forcePauseDrainAndReboot: true,
      rebootMode: 'FullReboot',
      suspendRetriesPerNode: '2',
      skipUpdateChecks: true,
      maxConcurrentNodes: '2',
      force: true,
      resume: true,
      runId: `r${'1'.repeat(127)}`,
    });
    expect(profile).toEqual({
      plugins: [
        { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} },
        { plugin: 'Microsoft.HotfixPlugin', arguments: { HotfixRootFolderPath: '\\\\fs\\hf' } },
      ],
      maxFailedNodes: 1,
      maxRetriesPerNode: 2,
      nodeOrder: ['N2', 'N1'],
      siteAwareUpdatingOrder: ['Site B', 'Site A'],
      preUpdateScript: 'C:\\s\\pre.PS1',
      postUpdateScript: `C:\\${'p'.repeat(253)}.ps1`,
      configurationName: 'Cau.End_point-1',
      requireAllNodesOnline: true,
      warnAfterMs: 59 * 60_000,
      stopAfterMs: 60 * 60_000,
      rebootTimeoutMinutes: 30,
      separateReboots: true,
      enableFirewallRules: true,
      failbackMode: 'Policy',
      runPluginsSerially: true,
      stopOnPluginFailure: true,
      suspendClusterNodeTimeoutMinutes: 10,
      waitForStorageRepairTimeoutMinutes: 120,
      forcePauseAndDrain: false,
      undrainedSwitch: 'ForcePauseDrainAndReboot',
      attemptSoftReboot: false,
      rebootMode: 'FullReboot',
      suspendRetriesPerNode: 2,
      skipUpdateChecks: true,
      maxConcurrentNodes: 2,
    });
    expect(mode).toEqual({ force: true, whatIf: false, resume: true, forceRecovery: false, runId: `r${'1'.repeat(127)}` });
  });

  it.each<[Record<string, unknown>, Record<string, unknown>]>([
    [{ resumeNode: `N${'1'.repeat(62)}` }, { resumeNode: `N${'1'.repeat(62)}` }],
    [{ whatIf: true }, { whatIf: true }],
    [{ siteAwareUpdatingOrder: ['S'.repeat(64), 'A B\u0080'] }, {}],
  ])('%j → mode %j', (raw, expected) => {
    expect(parseRunProfile(raw).mode).toEqual({ force: false, whatIf: false, resume: false, forceRecovery: false, ...expected });
  });
});
