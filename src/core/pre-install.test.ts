import type { UpdateInstallResult } from '../cluster/operations.js';
import type { ScannedUpdate } from './node-steps/scan.js';
import { afterCanary, pickCanary, preInstallable, preInstallOutcome } from './pre-install.js';

const anUpdate = (over: Partial<ScannedUpdate> = {}): ScannedUpdate => ({ updateId: 'u1', title: 'CU', kb: 'KB1', rebootRequired: true, plugin: 'Microsoft.WindowsUpdatePlugin', ...over });
const aResult = (over: Partial<UpdateInstallResult> = {}): UpdateInstallResult => ({ updateId: 'u1', kb: 'KB1', title: 'CU', resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: true, ...over });

describe('preInstallable: what installs on a serving node', () => {
  it.each<[string, ScannedUpdate, boolean]>([
    ['a Windows Update CU', anUpdate(), true],
    ['a hotfix (Hotfix plug-in): stays in the window', anUpdate({ plugin: 'Microsoft.HotfixPlugin' }), false],
    ['a feature update (RollingUpgrade): stays in the window', anUpdate({ plugin: 'Microsoft.RollingUpgradePlugin', featureUpdate: '24H2' }), false],
    ['a feature update offered by Windows Update: stays in the window', anUpdate({ featureUpdate: '24H2' }), false],
  ])('%s', (_name, update, expected) => {
    expect(preInstallable([update]).length === 1).toBe(expected);
  });
});

describe('pickCanary', () => {
  it.each<[string, string[], Record<string, number>, string | undefined]>([
    ['the first node of the order with updates', ['N1', 'N2', 'N3'], { N1: 0, N2: 2, N3: 1 }, 'N2'],
    ['the first node when it has updates', ['N3', 'N1'], { N1: 1, N3: 1 }, 'N3'],
    ['none when nothing is pending', ['N1', 'N2'], { N1: 0 }, undefined],
  ])('%s', (_name, order, counts, canary) => {
    const pending = new Map(Object.entries(counts).map(([n, c]) => [n, Array.from({ length: c }, () => anUpdate())]));
    expect(pickCanary(order, pending)).toBe(canary);
  });
});

describe('afterCanary', () => {
  it.each<[string, 'Succeeded' | 'Failed' | 'PartiallyFailed' | 'Canceled', boolean, string]>([
    ['a canary that succeeded: pre-install', 'Succeeded', false, 'pre-install'],
    ['a canary that failed: the serial run', 'Failed', false, 'serial'],
    ['a canary partly failed: the serial run', 'PartiallyFailed', false, 'serial'],
    ['a halt during the canary: no pre-install', 'Succeeded', true, 'serial'],
  ])('%s', (_name, status, halted, next) => {
    expect(afterCanary('N1', status, halted).next).toBe(next);
  });

  it('says why it fell back', () => {
    expect(afterCanary('N1', 'Failed', false)).toEqual({ next: 'serial', reason: 'the canary N1 ended Failed, so nothing is pre-installed: the other nodes update one at a time, as without --pre-install' });
  });
});

describe('preInstallOutcome', () => {
  it('installed, with a driver left for the window', () => {
    const outcome = preInstallOutcome('N2', { state: 'Completed', rebootRequired: true, results: [aResult(), aResult({ updateId: 'd1', kb: '', title: 'NIC', resultCode: 'NotStarted', rebootRequired: false })] }, ['u1', 'd1']);
    expect(outcome).toEqual({ ok: true, installed: [aResult()], leftForWindow: ['d1'], rebootRequired: true });
  });

  it('a failed update fails the pre-install, named with its code', () => {
    const outcome = preInstallOutcome('N2', { state: 'Failed', rebootRequired: false, results: [aResult({ resultCode: 'Failed', errorCode: '0x80240022', rebootRequired: false })], message: 'Windows Update reported 0x80240022.' }, ['u1']);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.message).toBe('The pre-install on N2 failed: KB1 (0x80240022); Windows Update reported 0x80240022. Its maintenance window installs again.');
  });

  it('a task that ended without a result for an update is a failure, not a success', () => {
    const outcome = preInstallOutcome('N2', { state: 'Completed', rebootRequired: false, results: [] }, ['u1']);
    expect(outcome).toEqual({ ok: false, failed: [], message: 'The pre-install on N2 reported nothing for u1. Its maintenance window installs again.' });
  });

  it('an aborted install (the node restarted meanwhile) is a failure', () => {
    expect(preInstallOutcome('N2', { state: 'Failed', rebootRequired: false, results: [aResult({ resultCode: 'Aborted', errorCode: '0x80240016' })] }, ['u1']).ok).toBe(false);
  });
});
