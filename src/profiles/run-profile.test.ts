import { ProfileError } from './issues.js';
import { RUN_DEFAULTS, parseRunProfile } from './run-profile.js';

describe('parseRunProfile', () => {
  it('fills the documented defaults', () => {
    const { profile, mode } = parseRunProfile({});
    expect(profile).toEqual({
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
    expect(mode).toEqual({ force: false, whatIf: false, resume: false, forceRecovery: false });
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
