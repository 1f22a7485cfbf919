import type { JournalRecord } from '../journal/journal.js';
import { replayJournal } from './journal-replay.js';

let seq = 0;
function rec(type: string, data: Record<string, unknown> = {}): JournalRecord {
  seq += 1;
  return { seq, time: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(), type, ...data };
}

const started = () => rec('run-started', { runId: 'r1', order: ['A', 'B'], downAtStart: [] });
const step = (node: string, name: string, data: Record<string, unknown> = {}) => rec('step', { node, attempt: 1, step: name, ...data });

describe('replayJournal: where an interrupted run resumes', () => {
  it.each([
    ['nothing started yet', [], null],
    ['attempt started', [rec('attempt-started', { node: 'A', attempt: 1 })], { step: 'start' }],
    ['suspend requested', [rec('attempt-started', { node: 'A', attempt: 1 }), step('A', 'pre-script-done'), step('A', 'suspend-requested')], { step: 'suspend' }],
    ['suspended', [rec('attempt-started', { node: 'A', attempt: 1 }), step('A', 'suspended')], { step: 'install', round: 1 }],
    ['an install task running', [rec('attempt-started', { node: 'A', attempt: 1 }), step('A', 'suspended'), step('A', 'task-started', { round: 1, taskId: 't1', pluginIndex: 0 })], { step: 'await-task', round: 1, taskId: 't1', pluginIndex: 0 }],
    ['a restart requested', [rec('attempt-started', { node: 'A', attempt: 1 }), step('A', 'restart-requested', { round: 1, bootBefore: 'b0', source: 'round' })], { step: 'await-reboot', round: 1, bootBefore: 'b0', rebootSource: 'round' }],
    ['back from a round restart: rescan in the next round', [rec('attempt-started', { node: 'A', attempt: 1 }), step('A', 'node-back', { round: 1, source: 'round' })], { step: 'install', round: 2 }],
    ['back from a failure restart: resume', [rec('attempt-started', { node: 'A', attempt: 1 }), step('A', 'node-back', { round: 1, source: 'failure' })], { step: 'resume' }],
    ['resume requested', [rec('attempt-started', { node: 'A', attempt: 1 }), step('A', 'resume-requested')], { step: 'resume' }],
    ['resumed', [rec('attempt-started', { node: 'A', attempt: 1 }), step('A', 'resumed')], { step: 'after-resume' }],
  ])('%s', (_name, records, at) => {
    const state = replayJournal([started(), ...records]);
    if (at === null) expect(state.inFlight).toBeNull();
    else expect(state.inFlight).toMatchObject({ node: 'A', attempt: 1, at });
  });

  it('keeps completed nodes, install results and reboots, and sees a halt', () => {
    const result = { node: 'A', status: 'Succeeded', attempts: 1 };
    const state = replayJournal([
      started(),
      rec('scan-completed', { scan: { A: [], B: [] }, scanFailures: {} }),
      rec('attempt-started', { node: 'A', attempt: 1 }),
      step('A', 'task-finished', { round: 1, results: [{ updateId: 'u1', kb: 'KB1', title: 't', resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: true }] }),
      step('A', 'node-back', { round: 1, source: 'round' }),
      rec('node-completed', { node: 'A', result }),
      rec('attempt-started', { node: 'B', attempt: 2 }),
      step('B', 'task-finished', { round: 1, results: [{ updateId: 'u2', kb: 'KB2', title: 't', resultCode: 'Failed', errorCode: '0x8', rebootRequired: false }] }),
      rec('run-halted', { code: 'X' }),
    ]);
    expect(state.completed.get('A')).toEqual(result);
    expect(state.scan).toEqual({ scan: { A: [], B: [] }, scanFailures: {} });
    expect(state.inFlight).toMatchObject({ node: 'B', attempt: 2, reboots: 0 });
    expect(state.inFlight!.installResults.map((r) => r.kb)).toEqual(['KB2']);
    expect(state.halted).toBe(true);
  });
});
