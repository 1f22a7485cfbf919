import type { JournalRecord } from '../journal/journal.js';
import { JournalWriter, parseJournalRecords } from './journal-records.js';
import { replayJournal, replayOfflineJournal } from './journal-replay.js';
import { viewFromJournal } from './run-state.js';
import { MemoryJournal } from '../journal/journal.js';

let seq = 0;
function rec(type: string, data: Record<string, unknown> = {}): JournalRecord {
  seq += 1;
  return { seq, time: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(), type, ...data };
}

const started = () => rec('run-started', { runId: 'r1', clusterName: 'C1', order: ['A', 'B'], maxFailedNodes: 0, plugins: ['Microsoft.WindowsUpdatePlugin'], downAtStart: [] });
const step = (node: string, name: string, data: Record<string, unknown> = {}) => rec('step', { node, attempt: 1, step: name, ...data });
const attempt = (node: string, n = 1) => rec('attempt-started', { node, attempt: n });
const result = (updateId: string, kb: string, resultCode: string) => ({ updateId, kb, title: 't', resultCode, errorCode: '0x0', rebootRequired: true });
const nodeResult = (node: string) => ({
  node,
  status: 'Succeeded',
  attempts: 1,
  numberOfSucceededUpdates: 0,
  numberOfFailedUpdates: 0,
  installResults: [],
  rebooted: false,
  nodeRebootResult: { bootType: 'None', reboots: 0 },
  errorRecord: null,
  nodeSuspendedTimestamp: null,
  nodeSuspendedDurationSeconds: null,
  phases: [],
});

describe('replayJournal: where an interrupted run resumes', () => {
  it.each([
    ['nothing started yet', [], null],
    ['attempt started', [attempt('A')], { step: 'start' }],
    ['suspend requested', [attempt('A'), step('A', 'pre-script-done'), step('A', 'suspend-requested')], { step: 'suspend' }],
    ['a drain that failed: resume it, the attempt failed', [attempt('A'), step('A', 'suspend-requested'), step('A', 'drain-failed', { drainStatus: 'Failed', reason: 'r' })], { step: 'drain-failed', reason: 'r' }],
    ['a drain that failed, resumed: still a failed attempt', [attempt('A'), step('A', 'drain-failed', { drainStatus: 'Failed', reason: 'r' }), step('A', 'resume-requested'), step('A', 'resumed')], { step: 'drain-failed', reason: 'r' }],
    ['suspended', [attempt('A'), step('A', 'suspended')], { step: 'install', round: 1 }],
    ['an install task running', [attempt('A'), step('A', 'suspended'), step('A', 'task-started', { round: 1, taskId: 't1', pluginIndex: 0 })], { step: 'await-task', round: 1, taskId: 't1', pluginIndex: 0 }],
    ['a restart requested', [attempt('A'), step('A', 'restart-requested', { round: 1, bootBefore: 'b0', source: 'round' })], { step: 'await-reboot', round: 1, bootBefore: 'b0', rebootSource: 'round' }],
    ['back from a round restart: rescan in the next round', [attempt('A'), step('A', 'node-back', { round: 1, source: 'round' })], { step: 'install', round: 2 }],
    ['back from a failure restart: the restart is finished, and the attempt fails', [attempt('A'), step('A', 'restart-requested', { round: 1, bootBefore: 'b0', source: 'failure' }), step('A', 'node-back', { round: 1, source: 'failure' })], { step: 'await-reboot', round: 1, bootBefore: 'b0', rebootSource: 'failure' }],
    ['the failure path began: it goes on, failed', [attempt('A'), step('A', 'attempt-failed', { error: { code: 'InstallFailed', message: 'm', node: 'A' }, phase: 'install', fatal: false, awaitStorage: true })], { step: 'failure-path', error: { code: 'InstallFailed', message: 'm', node: 'A' }, phase: 'install', fatal: false, awaitStorage: true, resumed: false }],
    ['the failure path\'s resume requested: still failed, resume again', [attempt('A'), step('A', 'attempt-failed', { error: { code: 'RebootTimeout', message: 'm' }, phase: 'reboot', fatal: true, awaitStorage: true }), step('A', 'resume-requested')], { step: 'failure-path', error: { code: 'RebootTimeout' }, fatal: true, resumed: false }],
    ['the failure path\'s resume done: still failed, storage wait left', [attempt('A'), step('A', 'attempt-failed', { error: { code: 'InstallFailed', message: 'm' }, phase: 'install', fatal: false, awaitStorage: true }), step('A', 'resume-requested'), step('A', 'resumed')], { step: 'failure-path', error: { code: 'InstallFailed' }, resumed: true }],
    ['resume requested', [attempt('A'), step('A', 'resume-requested')], { step: 'resume' }],
    ['resumed', [attempt('A'), step('A', 'resumed')], { step: 'after-resume' }],
    ['suspended under a force switch, not drained: install', [attempt('A'), step('A', 'suspended-undrained', { allowedBy: 'ForcePauseNoDrain', runningRoles: ['VM1'] })], { step: 'install', round: 1 }],
    ['a task of round 2 finished: the rest of round 2 from a fresh scan', [attempt('A'), step('A', 'task-started', { round: 2, taskId: 't2', pluginIndex: 1 }), step('A', 'task-finished', { round: 2, taskId: 't2', state: 'Completed', results: [] })], { step: 'install', round: 2 }],
    ['the restart was issued: still waiting for the node', [attempt('A'), step('A', 'restart-requested', { round: 3, bootBefore: 'b2', source: 'failure' }), step('A', 'restart-issued', { round: 3, servicesBefore: [] })], { step: 'await-reboot', round: 3, bootBefore: 'b2', rebootSource: 'failure' }],
    ['back from the round-2 restart: round 3', [attempt('A'), step('A', 'node-back', { round: 2, source: 'round' })], { step: 'install', round: 3 }],
    ['a drain that failed, then its resume requested: still a failed attempt', [attempt('A'), step('A', 'drain-failed', { drainStatus: 'Failed', reason: 'r' }), step('A', 'resume-requested')], { step: 'drain-failed', reason: 'r' }],
  ])('%s', (_name, records, at) => {
    const state = replayJournal([started(), ...records]);
    if (at === null) expect(state.inFlight).toBeNull();
    else expect(state.inFlight).toMatchObject({ node: 'A', attempt: 1, at });
  });

  it('keeps completed nodes, install results and reboots, and sees a halt', () => {
    const state = replayJournal([
      started(),
      rec('scan-completed', { scan: { A: [], B: [] }, scanFailures: {} }),
      attempt('A'),
      step('A', 'task-finished', { round: 1, taskId: 't1', state: 'Completed', results: [result('u1', 'KB1', 'Succeeded')] }),
      step('A', 'node-back', { round: 1, source: 'round' }),
      rec('node-completed', { node: 'A', result: nodeResult('A') }),
      attempt('B', 2),
      step('B', 'task-finished', { round: 1, taskId: 't2', state: 'Completed', results: [result('u2', 'KB2', 'Failed')] }),
      rec('run-halted', { code: 'X', message: 'stopped' }),
    ]);
    expect(state.completed.get('A')).toEqual(nodeResult('A'));
    expect(state.scan).toEqual({ scan: { A: [], B: [] }, scanFailures: {} });
    expect(state.inFlight).toMatchObject({ node: 'B', attempt: 2, reboots: 0 });
    expect(state.inFlight!.installResults.map((r) => r.kb)).toEqual(['KB2']);
    expect(state.halted).toBe(true);
  });

  it('keeps when the node was suspended across attempts, and counts its reboots', () => {
    const records = [started(), attempt('A'), step('A', 'suspended'), step('A', 'node-back', { round: 1, source: 'round' }), step('A', 'node-back', { round: 2, source: 'round' })];
    const suspendedAt = records[2]!.time;
    const retried = attempt('A', 2);
    const state = replayJournal([...records, retried]);
    expect(state.inFlight).toEqual({ node: 'A', attempt: 2, at: { step: 'start' }, suspendedAt, installResults: [], reboots: 2 });
    expect(state.alsoInFlight).toEqual([]);
    expect(state.halted).toBe(false);
  });

  it.each([
    ['no restart issued yet', [], undefined],
    ['a restart issued, the reply lost (no kind journaled)', [step('A', 'restart-requested', { round: 1, bootBefore: 'b0', source: 'round' })], undefined],
    ['a soft restart issued', [step('A', 'restart-requested', { round: 1, bootBefore: 'b0', source: 'round' }), step('A', 'restart-issued', { round: 1, servicesBefore: [], bootType: 'SoftReboot' })], 'SoftReboot'],
    ['a soft restart, back softly', [step('A', 'restart-issued', { round: 1, servicesBefore: [], bootType: 'SoftReboot' }), step('A', 'node-back', { round: 1, source: 'round' })], 'SoftReboot'],
    ['a soft restart that fell back to a full one', [step('A', 'restart-issued', { round: 1, servicesBefore: [], bootType: 'SoftReboot' }), step('A', 'node-back', { round: 1, source: 'round', softRestartFellBack: true })], 'FullReboot'],
    ['a full restart, then a soft one', [step('A', 'restart-issued', { round: 1, servicesBefore: [], bootType: 'FullReboot' }), step('A', 'node-back', { round: 1, source: 'round' }), step('A', 'restart-issued', { round: 2, servicesBefore: [], bootType: 'SoftReboot' })], 'SoftReboot'],
    ['an older journal: restart-issued without its kind', [step('A', 'restart-issued', { round: 1, servicesBefore: [] }), step('A', 'node-back', { round: 1, source: 'round' })], undefined],
  ])('the kind of the last restart: %s -> %s', (_what, steps, bootType) => {
    const inFlight = replayJournal([started(), attempt('A'), step('A', 'suspended'), ...steps]).inFlight;
    expect(inFlight?.bootType).toBe(bootType);
  });

  it('the kind of the last restart carries into the next attempt', () => {
    const records = [started(), attempt('A'), step('A', 'suspended'), step('A', 'restart-issued', { round: 1, servicesBefore: [], bootType: 'SoftReboot' }), step('A', 'node-back', { round: 1, source: 'round' }), attempt('A', 2)];
    expect(replayJournal(records).inFlight).toMatchObject({ attempt: 2, reboots: 1, bootType: 'SoftReboot' });
  });

  it('a node never started in this run: its step records are not an attempt', () => {
    expect(replayJournal([started(), step('A', 'suspended')]).inFlight).toBeNull();
  });

  it('a group: the node started last is in flight, the others beside it; a finished node leaves both', () => {
    const state = replayJournal([started(), attempt('A'), step('A', 'suspended'), attempt('B'), step('B', 'suspend-requested'), attempt('C'), rec('node-completed', { node: 'C', result: nodeResult('C') })]);
    expect(state.inFlight).toBeNull();
    expect(state.alsoInFlight.map((f) => [f.node, f.at])).toEqual([
      ['A', { step: 'install', round: 1 }],
      ['B', { step: 'suspend' }],
    ]);
    const two = replayJournal([started(), attempt('A'), attempt('B'), step('A', 'resumed')]);
    expect(two.inFlight).toMatchObject({ node: 'B', at: { step: 'start' } });
    expect(two.alsoInFlight).toMatchObject([{ node: 'A', at: { step: 'after-resume' } }]);
  });

  it('a node of the group finishing leaves the one started last in flight; a force-switch suspend dates the pause too', () => {
    const undrained = step('B', 'suspended-undrained', { allowedBy: 'ForcePauseDrainAndReboot', runningRoles: [] });
    const state = replayJournal([started(), attempt('A'), attempt('B'), undrained, rec('node-completed', { node: 'A', result: nodeResult('A') })]);
    expect(state.inFlight).toMatchObject({ node: 'B', at: { step: 'install', round: 1 }, suspendedAt: undrained.time });
    expect(state.alsoInFlight).toEqual([]);
  });

  it('refuses a journal without its run-started record', () => {
    expect(() => replayJournal([attempt('A')], 'runs/r9.jsonl')).toThrow('journal runs/r9.jsonl has no run-started record');
    expect(() => replayJournal([])).toThrow('journal (in memory) has no run-started record');
  });

  it('refuses a record it does not understand, naming the file and the line', () => {
    const records = [started(), attempt('A'), rec('step', { node: 'A', attempt: 1, step: 'restart-requested', round: 1, source: 'round' })];
    const line = records[2]!.seq;
    expect(() => replayJournal(records, '/state/runs/C1/r1.jsonl')).toThrow(
      expect.objectContaining({ code: 'JOURNAL_RECORD_INVALID', exitCode: 2, message: expect.stringMatching(new RegExp(`^Run journal /state/runs/C1/r1\\.jsonl line ${line}: a "step" record .*bootBefore`)) }),
    );
  });

  it('refuses a record kind it does not know', () => {
    expect(() => parseJournalRecords([started(), rec('step-ish', { node: 'A' })], 'j.jsonl')).toThrow(/j\.jsonl line \d+: a "step-ish" record/);
  });
});

describe('JournalWriter', () => {
  it('stamps records with the flow clock and reads them back typed', () => {
    const journal = new MemoryJournal();
    const writer = new JournalWriter(journal, () => Date.UTC(2026, 0, 1));
    writer.step('A', 2, { step: 'restart-requested', round: 1, bootBefore: 'b0', source: 'failure' });
    expect(writer.records()).toEqual([{ type: 'step', node: 'A', attempt: 2, step: 'restart-requested', round: 1, bootBefore: 'b0', source: 'failure', seq: 1, time: '2026-01-01T00:00:00.000Z' }]);
  });

  it('reads records appended after an earlier read, and names the line of one it does not understand', () => {
    const journal = new MemoryJournal();
    const writer = new JournalWriter(journal, () => 0);
    writer.write({ type: 'attempt-started', node: 'A', attempt: 1 });
    expect(writer.records().map((r) => r.seq)).toEqual([1]);
    writer.write({ type: 'attempt-started', node: 'B', attempt: 1 });
    const both = writer.records();
    expect(both.map((r) => [r.seq, r.type === 'attempt-started' ? r.node : '']).flat()).toEqual([1, 'A', 2, 'B']);
    both.pop();
    expect(writer.records()).toHaveLength(2);
    journal.append({ type: 'no-such-record' }, '1970-01-01T00:00:00.000Z');
    expect(() => writer.records()).toThrow(/line 3: a "no-such-record" record/);
  });

  it('never writes a malformed record (a bug is caught before it reaches the disk)', () => {
    const journal = new MemoryJournal();
    const writer = new JournalWriter(journal, () => 0);
    expect(() => writer.write({ type: 'run-halted', code: 'X' } as never)).toThrow();
    expect(journal.records()).toEqual([]);
  });
});

describe('replayOfflineJournal: the offline update replays the shared node-step records', () => {
  it('rebuilds tasks, results, the restart and the return of each node', () => {
    const state = replayOfflineJournal([
      rec('offline-started', { runId: 'o1', clusterName: 'C1', plugins: ['Microsoft.WindowsUpdatePlugin'] }),
      rec('offline-step', { step: 'stop-cluster', phase: 'begin' }),
      step('A', 'task-started', { round: 1, taskId: 'tA', pluginIndex: 0 }),
      step('A', 'task-finished', { round: 1, taskId: 'tA', state: 'Completed', results: [result('u1', 'KB1', 'Succeeded')] }),
      step('A', 'restart-requested', { round: 1, bootBefore: 'b0', source: 'round' }),
      step('A', 'node-back', { round: 1, source: 'round', bootTime: 'b1', rebootSeconds: 300 }),
      step('B', 'task-started', { round: 1, taskId: 'tB', pluginIndex: 0 }),
      rec('offline-node', { node: 'C', event: 'failed', errorRecord: { code: 'InstallFailed', message: 'm', node: 'C' } }),
    ]);
    expect(state.begun.has('stop-cluster')).toBe(true);
    expect(state.nodes.get('A')).toMatchObject({ tasks: [{ taskId: 'tA', finished: true }], restart: { bootBefore: 'b0' }, back: { bootTime: 'b1', rebootSeconds: 300 } });
    expect(state.nodes.get('A')!.results.map((r) => r.kb)).toEqual(['KB1']);
    expect(state.nodes.get('B')).toMatchObject({ tasks: [{ taskId: 'tB', finished: false }], restart: null });
    expect(state.nodes.get('C')!.failed?.code).toBe('InstallFailed');
  });
});

describe('replayOfflineJournal: where an interrupted offline update stands', () => {
  it('the downtime starts at the first stop, nodes staged or failed, tasks finished one by one, the first abort kept', () => {
    const first = rec('offline-started', { runId: 'o2', clusterName: 'C1', plugins: [] });
    const stop = rec('offline-step', { step: 'stop-cluster', phase: 'begin' });
    const back = step('A', 'node-back', { round: 1, source: 'round' });
    const state = replayOfflineJournal([
      first,
      stop,
      rec('offline-step', { step: 'stop-cluster', phase: 'done' }),
      rec('offline-step', { step: 'stop-cluster', phase: 'begin' }),
      rec('offline-node', { node: 'A', event: 'staged' }),
      rec('offline-node', { node: 'B', event: 'failed' }),
      step('A', 'task-started', { round: 1, taskId: 't1', pluginIndex: 0 }),
      step('A', 'task-started', { round: 1, taskId: 't2', pluginIndex: 1 }),
      step('A', 'task-finished', { round: 1, taskId: 't2', state: 'Completed', results: [] }),
      back,
      rec('offline-aborted', { reason: 'interrupted by the operator', kind: 'interrupted' }),
      rec('offline-aborted', { reason: 'later', kind: 'failed' }),
      rec('offline-completed', { status: 'Canceled' }),
    ]);
    expect(state.runId).toBe('o2');
    expect(state.startTime).toBe(first.time);
    expect(state.downtimeStart).toBe(stop.time);
    expect([...state.begun]).toEqual(['stop-cluster']);
    expect([...state.done]).toEqual(['stop-cluster']);
    expect(state.nodes.get('A')).toEqual({
      staged: true,
      tasks: [
        { taskId: 't1', round: 1, pluginIndex: 0, finished: false },
        { taskId: 't2', round: 1, pluginIndex: 1, finished: true },
      ],
      results: [],
      restart: null,
      back: { bootTime: back.time, rebootSeconds: 0 },
      failed: null,
    });
    expect(state.nodes.get('B')).toEqual({ staged: false, tasks: [], results: [], restart: null, back: null, failed: { code: 'UnexpectedError', message: 'B failed', node: 'B' } });
    expect([state.abortedBecause, state.abortedKind, state.completed]).toEqual(['interrupted by the operator', 'interrupted', true]);
  });

  it('a journal that only started: nothing begun, not aborted, not completed', () => {
    const state = replayOfflineJournal([rec('offline-started', { runId: 'o3', clusterName: 'C1', plugins: [] }), rec('offline-step', { step: 'stop-cluster', phase: 'done' })]);
    expect([state.preState, state.downtimeStart, state.abortedBecause, state.abortedKind, state.completed, state.begun.size]).toEqual([null, null, null, undefined, false, 0]);
  });

  it('refuses a journal without its offline-started record', () => {
    expect(() => replayOfflineJournal([started()], 'runs/o9.jsonl')).toThrow('offline journal runs/o9.jsonl has no offline-started record');
    expect(() => replayOfflineJournal([])).toThrow('offline journal (in memory) has no offline-started record');
  });
});

describe('viewFromJournal (get-run on the coordinating host) reads the same typed records', () => {
  it('shows the phase of the node in flight, a failed drain as its resume, and the finished nodes', () => {
    const view = viewFromJournal([
      started(),
      attempt('A'),
      step('A', 'suspend-requested'),
      step('A', 'drain-failed', { drainStatus: 'Failed', reason: 'r' }),
      rec('node-completed', { node: 'B', result: nodeResult('B') }),
    ]);
    expect(view).toMatchObject({ currentNode: 'A', currentPhase: 'resume', nodeResults: [nodeResult('B')] });
  });

  it('names the file and line of a record it does not understand', () => {
    expect(() => viewFromJournal([started(), rec('step', { node: 'A', attempt: 1, step: 'teleported' })], 'r1.jsonl')).toThrow(/r1\.jsonl line \d+/);
  });
});
