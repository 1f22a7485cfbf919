import { ProfileError } from './issues.js';
import { FEATURE_DEFAULTS, parseFeatureResumeProfile, parseFeatureUpdateProfile, parseNodeName, parsePostInstallProfile } from './feature-profile.js';

/** The problems a parser reports, or a failure when it accepted the input. */
function problemsOf(parse: () => unknown): readonly string[] {
  try {
    parse();
  } catch (error) {
    if (error instanceof ProfileError) return error.problems;
    throw error;
  }
  throw new Error('the options were accepted');
}

const feature = (raw: Record<string, unknown>) => parseFeatureUpdateProfile(raw);
const post = (raw: Record<string, unknown>) => parsePostInstallProfile(raw);

describe('parseFeatureUpdateProfile: defaults', () => {
  it('--wu-connected alone gives the documented defaults', () => {
    const { profile, mode } = feature({ wuConnected: true });
    expect(mode).toEqual({ force: false });
    expect(profile).toMatchObject({
      source: { wuConnected: true },
      prepare: false,
      updateClusterFunctionalLevel: false,
      storageReplicaRestart: 'ask',
    });
    // An OS upgrade restarts slowly: the reboot wait is longer than run's default, and every node must be online.
    expect(profile.run.rebootTimeoutMinutes).toBe(FEATURE_DEFAULTS.rebootTimeoutMinutes);
    expect(profile.run.requireAllNodesOnline).toBe(true);
    expect(profile.run.enableFirewallRules).toBe(true);
    expect(profile.restart).toEqual({
      requireAllNodesOnline: true,
      failbackMode: profile.run.failbackMode,
      waitForStorageRepairTimeoutMinutes: profile.run.waitForStorageRepairTimeoutMinutes,
      rebootTimeoutMinutes: FEATURE_DEFAULTS.rebootTimeoutMinutes,
      forceDrain: false,
    });
    expect(() => JSON.stringify(profile)).not.toThrow();
  });

  it('passes the rolling-run options through run profile parsing', () => {
    const { profile, mode } = feature({ pathToSetupMedia: 'D:\\WS2025', maxFailedNodes: '0', maxRetriesPerNode: '1', rebootTimeoutMinutes: '90', waitForStorageRepairTimeoutMinutes: '15', failbackMode: 'NoFailback', nodeOrder: ['N2', 'N1'], force: true, prepare: true });
    expect(mode).toEqual({ force: true });
    expect(profile.source).toEqual({ wuConnected: false, pathToSetupMedia: 'D:\\WS2025' });
    expect(profile.prepare).toBe(true);
    expect(profile.run).toMatchObject({ maxFailedNodes: 0, maxRetriesPerNode: 1, rebootTimeoutMinutes: 90, waitForStorageRepairTimeoutMinutes: 15, failbackMode: 'NoFailback', nodeOrder: ['N2', 'N1'] });
    expect(profile.restart).toMatchObject({ failbackMode: 'NoFailback', waitForStorageRepairTimeoutMinutes: 15, rebootTimeoutMinutes: 90 });
  });
});

describe('parseFeatureUpdateProfile: the source and the plug-in hashtable', () => {
  it.each([
    ['--wu-connected', { wuConnected: true }, { wuConnected: true }, false],
    ['--path-to-setup-media', { pathToSetupMedia: 'E:\\media' }, { wuConnected: false, pathToSetupMedia: 'E:\\media' }, false],
    ['hashtable WuConnected true', { cauPluginArguments: ["@{ WuConnected='true' }"] }, { wuConnected: true }, false],
    ['hashtable with $true', { cauPluginArguments: ['@{ WuConnected=$true }'] }, { wuConnected: true }, false],
    ['hashtable media, as the docs write it', { cauPluginArguments: ["@{ WuConnected='false'; PathToSetupMedia='D:\\' }"] }, { wuConnected: false, pathToSetupMedia: 'D:\\' }, false],
    ['keys are case-insensitive', { cauPluginArguments: ["@{ wuconnected='TRUE'; updateclusterfunctionallevel='True' }"] }, { wuConnected: true }, true],
    ['UpdateClusterFunctionalLevel in the hashtable', { wuConnected: true, cauPluginArguments: ["@{ UpdateClusterFunctionalLevel='true' }"] }, { wuConnected: true }, true],
    ['the flag alone', { wuConnected: true, updateClusterFunctionalLevel: true }, { wuConnected: true }, true],
  ])('%s', (_name, raw, source, level) => {
    const { profile } = feature(raw);
    expect(profile.source).toEqual(source);
    expect(profile.updateClusterFunctionalLevel).toBe(level);
  });

  it.each([
    ['--storage-replica-restart', { storageReplicaRestart: true }, 'yes'],
    ['--no-storage-replica-restart', { noStorageReplicaRestart: true }, 'no'],
    ['neither: ask', {}, 'ask'],
  ])('%s', (_name, raw, expected) => {
    expect(feature({ wuConnected: true, ...raw }).profile.storageReplicaRestart).toBe(expected);
  });
});

describe('parseFeatureUpdateProfile: every rule and conflict', () => {
  it.each([
    ['no source', {}, ['wuConnected: give --wu-connected (feature update from Windows Update) or --path-to-setup-media <path> (extracted ISO contents on every node)']],
    ['WuConnected false alone', { cauPluginArguments: ["@{ WuConnected='false' }"] }, [expect.stringMatching(/^wuConnected: give --wu-connected/)]],
    ['empty media', { pathToSetupMedia: '  ' }, ['pathToSetupMedia: must not be empty']],
    ['an .iso file', { pathToSetupMedia: 'D:\\WS2025.ISO' }, ['pathToSetupMedia: give the extracted contents of the ISO, not the .iso file']],
    ['media and --wu-connected', { wuConnected: true, pathToSetupMedia: 'D:\\m' }, ['pathToSetupMedia: --path-to-setup-media and --wu-connected conflict (media means WuConnected false)']],
    ['hashtable media and --wu-connected', { wuConnected: true, cauPluginArguments: ["@{ PathToSetupMedia='D:\\m' }"] }, [expect.stringMatching(/^pathToSetupMedia: .* conflict/)]],
    ['both restart flags', { wuConnected: true, storageReplicaRestart: true, noStorageReplicaRestart: true }, ['storageReplicaRestart: --storage-replica-restart and --no-storage-replica-restart conflict']],
    ['an unknown plug-in argument', { wuConnected: true, cauPluginArguments: ["@{ QueryString='IsInstalled=0' }"] }, ['cauPluginArguments[0].QueryString: not an argument of Microsoft.RollingUpgradePlugin (WuConnected, PathToSetupMedia, UpdateClusterFunctionalLevel)']],
    ['a hashtable that does not parse', { wuConnected: true, cauPluginArguments: ['@{ a = $(Remove-Item C:\\) }'] }, [expect.stringMatching(/^cauPluginArguments\[0\]: hashtable syntax/)]],
    ['a boolean argument that is not a boolean', { cauPluginArguments: ["@{ WuConnected='ture' }"] }, ["cauPluginArguments[0].WuConnected: expected 'true' or 'false', not 'ture'"]],
    ['a functional-level argument that is not a boolean', { wuConnected: true, cauPluginArguments: ["@{ UpdateClusterFunctionalLevel='yes' }"] }, ["cauPluginArguments[0].UpdateClusterFunctionalLevel: expected 'true' or 'false', not 'yes'"]],
    ['a bad run option', { wuConnected: true, maxRetriesPerNode: 'many' }, [expect.stringMatching(/^maxRetriesPerNode: /)]],
    ['a bad failback mode', { wuConnected: true, failbackMode: 'Later' }, [expect.stringMatching(/^failbackMode: /)]],
  ])('%s', (_name, raw, expected) => {
    expect(problemsOf(() => feature(raw))).toEqual(expected);
  });

  it('reports every problem at once, as path: message', () => {
    const problems = problemsOf(() =>
      feature({ wuConnected: true, pathToSetupMedia: 'D:\\x.iso', storageReplicaRestart: true, noStorageReplicaRestart: true, cauPluginArguments: ["@{ Foo='1' }"], rebootTimeoutMinutes: '-5' }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^cauPluginArguments\[0\]\.Foo: /),
      expect.stringMatching(/^pathToSetupMedia: .* conflict/),
      'pathToSetupMedia: give the extracted contents of the ISO, not the .iso file',
      expect.stringMatching(/^storageReplicaRestart: /),
      expect.stringMatching(/^rebootTimeoutMinutes: /),
    ]);
  });

  it('refuses options of the wrong type with a usage error (exit 2)', () => {
    let caught: unknown;
    try {
      feature({ wuConnected: 'yes' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProfileError);
    expect((caught as ProfileError).exitCode).toBe(2);
    expect((caught as ProfileError).problems).toEqual([expect.stringMatching(/^wuConnected: /)]);
  });
});

describe('parseFeatureResumeProfile: feature-update --resume', () => {
  it('needs no source: the feature update goes on with the one it started with; --run-id and the restart choice are the mode', () => {
    const { profile, mode } = parseFeatureResumeProfile({ resume: true, runId: 'abc', maxFailedNodes: '1', noStorageReplicaRestart: true, force: true });
    expect(profile).not.toHaveProperty('source');
    expect(profile.run.maxFailedNodes).toBe(1);
    expect(profile.storageReplicaRestart).toBe('no');
    expect(mode).toEqual({ force: true, runId: 'abc', storageReplicaRestartGiven: true });
    expect(parseFeatureResumeProfile({ resume: true }).mode).toEqual({ force: false, storageReplicaRestartGiven: false });
  });

  it('refuses a source and --prepare with --resume, and --run-id without it', () => {
    expect(problemsOf(() => parseFeatureResumeProfile({ resume: true, wuConnected: true, prepare: true }))).toEqual([
      'resume: --wu-connected cannot go with --resume: the feature update goes on with the source it started with',
      'resume: --prepare cannot go with --resume: it prepares the nodes before a feature update touches them',
    ]);
    expect(problemsOf(() => feature({ wuConnected: true, runId: 'abc' }))).toEqual(['runId: --run-id needs --resume']);
  });
});

describe('parsePostInstallProfile', () => {
  it('defaults: nothing optional, not what-if, no force', () => {
    expect(post({})).toEqual({ profile: { whatIf: false, stopVms: false, testLiveMigration: false }, mode: { force: false } });
  });

  it.each([
    ['names, comma-separated and repeated', { updateVmVersion: ['VM1, VM2', 'VM3'] }, { updateVmVersion: ['VM1', 'VM2', 'VM3'] }],
    ['all', { updateVmVersion: ['all'] }, { updateVmVersion: 'all' }],
    ['ALL in capitals', { updateVmVersion: ['ALL'] }, { updateVmVersion: 'all' }],
    ['--stop-vms with names', { updateVmVersion: ['VM1'], stopVms: true }, { updateVmVersion: ['VM1'], stopVms: true }],
    ['--what-if and --test-live-migration', { whatIf: true, testLiveMigration: true }, { whatIf: true, testLiveMigration: true }],
  ])('%s', (_name, raw, expected) => {
    expect(post(raw).profile).toMatchObject(expected);
  });

  it('--force is the mode, not the profile', () => {
    const { profile, mode } = post({ force: true });
    expect(mode).toEqual({ force: true });
    expect(profile).not.toHaveProperty('force');
  });

  it.each([
    ['no VM names', { updateVmVersion: [' , '] }, ['updateVmVersion: give VM names (comma-separated) or all']],
    ['all with names', { updateVmVersion: ['all,VM1'] }, ['updateVmVersion: all cannot be combined with names']],
    ['--stop-vms alone', { stopVms: true }, ['stopVms: --stop-vms needs --update-vm-version']],
    ['--what-if with --force', { whatIf: true, force: true }, ['whatIf: --what-if and --force conflict']],
    ['all at once', { whatIf: true, force: true, stopVms: true }, ['stopVms: --stop-vms needs --update-vm-version', 'whatIf: --what-if and --force conflict']],
    ['a wrong type', { updateVmVersion: 'VM1' }, [expect.stringMatching(/^updateVmVersion: /)]],
  ])('refuses %s', (_name, raw, expected) => {
    expect(problemsOf(() => post(raw))).toEqual(expected);
  });
});

describe('parseNodeName', () => {
  it.each([
    ['NODE1', true],
    ['node-2.contoso.com', true],
    ['-NODE', false],
    ["NODE1'; Remove-Item C:\\ #", false],
    ['', false],
  ])('%s → %s', (raw, ok) => {
    const problems: string[] = [];
    expect(parseNodeName(raw, '--suspend-node', problems)).toBe(ok ? raw : undefined);
    expect(problems).toEqual(ok ? [] : [`--suspend-node: ${JSON.stringify(raw)} is not a node name`]);
  });
});
