import { nodeRestart, restartFor, type RestartSubject } from './restart-kind.js';

const cu: RestartSubject = { rebootRequired: true, plugin: 'Microsoft.WindowsUpdatePlugin' };
const msrt: RestartSubject = { rebootRequired: false, plugin: 'Microsoft.WindowsUpdatePlugin' };
const hotfix: RestartSubject = { rebootRequired: true, plugin: 'Microsoft.HotfixPlugin' };
const feature: RestartSubject = { rebootRequired: true, plugin: 'Microsoft.RollingUpgradePlugin', featureUpdate: 'Windows Server 2025' };

describe('restartFor', () => {
  it.each([
    ['a CU, soft asked', cu, true, 'SoftReboot'],
    ['a CU, soft not asked', cu, false, 'FullReboot'],
    ['a hotfix package, soft asked', hotfix, true, 'SoftReboot'],
    ['an update that needs no restart', msrt, true, null],
    ['a feature update, soft asked: an OS upgrade restarts fully', feature, true, 'FullReboot'],
    ['a RollingUpgradePlugin update without a title, soft asked', { rebootRequired: true, plugin: 'Microsoft.RollingUpgradePlugin' }, true, 'FullReboot'],
    ["a script plug-in's firmware, soft asked: a KSR skips firmware initialisation", { rebootRequired: true, plugin: 'Contoso.FirmwarePlugin' }, true, 'FullReboot'],
  ])('%s → %s', (_name, update, soft, expected) => {
    expect(restartFor(update, soft)).toBe(expected);
  });
});

describe('nodeRestart', () => {
  it.each([
    ['nothing to install', [], true, null],
    ['no update needs a restart', [msrt], true, null],
    ['quality updates only, soft asked', [cu, msrt, hotfix], true, 'SoftReboot'],
    ['a feature update among them: the one restart is full', [cu, feature], true, 'FullReboot'],
    ['soft not asked', [cu], false, 'FullReboot'],
  ])('%s → %s', (_name, updates, soft, expected) => {
    expect(nodeRestart(updates, soft)).toBe(expected);
  });
});
