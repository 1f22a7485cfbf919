import type { UpdateInstallResult } from '../cluster/operations.js';
import { afterAttempt, atSuspendOnResume, cleanupAfterFailure, failureEffect, standaloneFailureEffect } from './node-decisions.js';
import { servicesBeforeRestart } from './node-steps/restart.js';
import { isDrained, readBoot, readDrain } from './node-steps/verdicts.js';

const ok: UpdateInstallResult = { updateId: 'u1', kb: 'KB1', title: 't', resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: true };
const bad: UpdateInstallResult = { ...ok, updateId: 'u2', resultCode: 'Failed' };

describe('failureEffect: what a failed step does to the run', () => {
  it.each([
    ['DrainFailed', 'drain', true, { fatal: false, outOfService: false }],
    ['NodeNotDrained', 'install', true, { fatal: false, outOfService: false }],
    ['InstallFailed', 'install', true, { fatal: false, outOfService: false }],
    ['RebootTimeout', 'wait-node', true, { fatal: true, outOfService: true }],
    ['ResumeFailed', 'drain', true, { fatal: true, outOfService: true }],
    ['StorageRepairTimeout', 'resync', false, { fatal: true, outOfService: false }],
    ['InsufficientMemory', 'drain', false, { fatal: true, outOfService: false }],
    ['StorageNotHealthy', 'drain', false, { fatal: true, outOfService: false }],
    ['StorageNotHealthy', 'reboot', true, { fatal: false, outOfService: false }],
    ['QuorumAtRisk', 'reboot', true, { fatal: false, outOfService: false }],
    ['NodeNotReachable', 'install', true, { fatal: true, outOfService: true, resumeWhenBack: true }],
    ['NodeNotReachable', 'pre-script', false, { fatal: false, outOfService: false }],
    ['AccessDenied', 'install', true, { fatal: false, outOfService: false }],
  ] as const)('%s in %s (paused by the run: %s)', (code, phase, paused, effect) => {
    expect(failureEffect(code, phase, paused)).toEqual(effect);
  });
});

describe('cleanupAfterFailure: resume, and the resync wait, before the run retries or moves on', () => {
  const ok = { fatal: false, outOfService: false };
  const fatal = { fatal: true, outOfService: true };
  it.each([
    ['failed before the suspend was sent: nothing to undo', ok, { pausedByRun: false, windowOpen: false }, { resume: false, awaitStorage: false }],
    ['failed while paused by the run: resume, then the resync wait', ok, { pausedByRun: true, windowOpen: true }, { resume: true, awaitStorage: true }],
    // Seed 1685642654: the node crashed during a hung drain; the suspend step resumed it, and the resync the
    // crash left behind still holds the run.
    ['a failed drain already resumed the node (it crashed in its window): the resync wait still', ok, { pausedByRun: false, windowOpen: true }, { resume: false, awaitStorage: true }],
    ['fatal: nothing more is touched (the halt reports it)', fatal, { pausedByRun: true, windowOpen: true }, { resume: false, awaitStorage: false }],
    // Seed 53522482: the node crashed while paused by the run and came back Paused; the run stopped and left it so.
    ['fatal, the node went away while paused: resumed once back, then the resync wait', { ...fatal, resumeWhenBack: true }, { pausedByRun: true, windowOpen: true }, { resume: true, awaitStorage: true }],
  ] as const)('%s', (_name, effect, window, cleanup) => {
    expect(cleanupAfterFailure(effect, window)).toEqual(cleanup);
  });
});

describe('standaloneFailureEffect: a standalone server takes nothing else down', () => {
  it.each([
    ['RebootTimeout', { fatal: false, outOfService: true }],
    ['ResumeFailed', { fatal: false, outOfService: false }],
    ['InstallFailed', { fatal: false, outOfService: false }],
    ['NodeNotReachable', { fatal: false, outOfService: false }],
    ['StorageRepairTimeout', { fatal: false, outOfService: false }],
  ] as const)('%s → %j', (code, effect) => {
    expect(standaloneFailureEffect(code)).toEqual(effect);
  });
});

describe('afterAttempt: retry, or the node status', () => {
  const state = (over: Partial<Parameters<typeof afterAttempt>[0]> = {}) => ({ attempt: 1, maxAttempts: 3, halted: false, installResults: [] as UpdateInstallResult[], ...over });
  it.each([
    ['success', state(), { kind: 'succeeded' }, { next: 'done', status: 'Succeeded', fatal: false }],
    ['a failed drain with attempts left: retry', state(), { kind: 'failed', code: 'DrainFailed', fatal: false }, { next: 'retry', attempt: 2 }],
    ['a failed drain on the last attempt: Failed', state({ attempt: 3 }), { kind: 'failed', code: 'DrainFailed', fatal: false }, { next: 'done', status: 'Failed', fatal: false }],
    ['the run halted: no retry', state({ halted: true }), { kind: 'failed', code: 'InstallFailed', fatal: false }, { next: 'done', status: 'Failed', fatal: false }],
    ['last attempt with some updates in: PartiallyFailed', state({ attempt: 3, installResults: [ok, bad] }), { kind: 'failed', code: 'InstallFailed', fatal: false }, { next: 'done', status: 'PartiallyFailed', fatal: false }],
    ['fatal: done at once', state(), { kind: 'failed', code: 'RebootTimeout', fatal: true }, { next: 'done', status: 'Failed', fatal: true }],
    ['storage stuck after updates went in: PartiallyFailed, fatal', state({ installResults: [ok] }), { kind: 'failed', code: 'StorageRepairTimeout', fatal: true }, { next: 'done', status: 'PartiallyFailed', fatal: true }],
    ['a standalone server that did not come back: no retry, the run goes on', state(), { kind: 'failed', code: 'RebootTimeout', fatal: false, final: true }, { next: 'done', status: 'Failed', fatal: false }],
    ['the same with updates in: PartiallyFailed, not fatal', state({ installResults: [ok] }), { kind: 'failed', code: 'RebootTimeout', fatal: false, final: true }, { next: 'done', status: 'PartiallyFailed', fatal: false }],
  ] as const)('%s', (_name, s, event, decision) => {
    expect(afterAttempt(s, event)).toEqual(decision);
  });
});

const node = (clusterNodeState: 'Up' | 'Paused' | 'Down', drainStatus: 'NotInitiated' | 'InProgress' | 'Completed' | 'Failed', runningRoles: string[] = []) => ({ clusterNodeState, drainStatus, runningRoles });

describe('readings of a node status', () => {
  it.each([
    ['drained', node('Paused', 'Completed'), 'completed', true, 'keep'],
    ['drain in progress', node('Paused', 'InProgress', ['VM1']), 'in-progress', false, 'resume-then-drain'],
    ['drain failed, role still there', node('Paused', 'Failed', ['VM1']), 'failed', false, 'resume-then-drain'],
    ['Completed but a role runs', node('Paused', 'Completed', ['VM1']), 'failed', false, 'resume-then-drain'],
    ['Up, no drain: the suspend never arrived', node('Up', 'NotInitiated'), 'not-started', false, 'drain'],
    ['Up after an old drain', node('Up', 'Completed'), 'failed', false, 'drain'],
    ['Down', node('Down', 'NotInitiated'), 'failed', false, 'drain'],
  ] as const)('%s', (_name, status, drain, drained, onResume) => {
    expect(readDrain(status).state).toBe(drain);
    expect(isDrained(status).ok).toBe(drained);
    expect(atSuspendOnResume(status)).toBe(onResume);
  });

  it.each([
    ['not restarted yet', { lastBootUpTime: 'b0', autoStartServicesNotRunning: [], clusterNodeState: 'Paused' as const }, true, false],
    ['back, services starting', { lastBootUpTime: 'b1', autoStartServicesNotRunning: ['vmms'], clusterNodeState: 'Paused' as const }, true, false],
    ['back, cluster service not joined', { lastBootUpTime: 'b1', autoStartServicesNotRunning: [], clusterNodeState: 'Down' as const }, true, false],
    ['back, cluster stopped on purpose (offline)', { lastBootUpTime: 'b1', autoStartServicesNotRunning: [], clusterNodeState: 'Down' as const }, false, true],
    ['back', { lastBootUpTime: 'b1', autoStartServicesNotRunning: [], clusterNodeState: 'Paused' as const }, true, true],
  ])('readBoot: %s', (_name, status, clusterRunning, back) => {
    expect(readBoot(status, 'b0', clusterRunning).back).toBe(back);
  });

  // Only the services that ran before the restart are awaited (trigger-start services may stay stopped).
  it.each([
    ['a trigger-start service that was stopped before stays stopped', ['ClusSvc', 'vmms'], ['MapsBroker'], true],
    ['a service that ran before is not back yet', ['ClusSvc', 'vmms'], ['vmms'], false],
    ['names compare without case, as Windows does', ['VMMS'], ['vmms'], false],
    ['the list is unknown (reply lost): every auto-start service counts', undefined, ['MapsBroker'], false],
  ] as const)('readBoot with the services before: %s', (_name, before, notRunning, back) => {
    const status = { lastBootUpTime: 'b1', autoStartServicesNotRunning: [...notRunning], clusterNodeState: 'Paused' as const };
    expect(readBoot(status, 'b0', true, before).back).toBe(back);
  });
});

describe('servicesBeforeRestart: from the journal, for the restart with that boot time', () => {
  const step = (seq: number, node: string, rest: Record<string, unknown>) => ({ type: 'step', seq, time: 't', node, attempt: 1, ...rest }) as never;
  const requested = (seq: number, node: string, bootBefore: string) => step(seq, node, { step: 'restart-requested', round: 1, bootBefore, source: 'round' });
  const issued = (seq: number, node: string, servicesBefore: string[]) => step(seq, node, { step: 'restart-issued', round: 1, servicesBefore });
  it.each([
    ['the reply came', [requested(1, 'N1', 'b0'), issued(2, 'N1', ['vmms'])], 'b0', ['vmms']],
    ['the reply was lost', [requested(1, 'N1', 'b0')], 'b0', undefined],
    ['another node', [requested(1, 'N2', 'b0'), issued(2, 'N2', ['vmms'])], 'b0', undefined],
    ['an earlier restart of the node', [requested(1, 'N1', 'a0'), issued(2, 'N1', ['x']), requested(3, 'N1', 'b0')], 'b0', undefined],
    ['the latest of two restarts', [requested(1, 'N1', 'a0'), issued(2, 'N1', ['x']), requested(3, 'N1', 'b0'), issued(4, 'N1', ['y'])], 'b0', ['y']],
  ] as const)('%s', (_name, records, bootBefore, expected) => {
    expect(servicesBeforeRestart(records, 'N1', bootBefore)).toEqual(expected);
  });
});
