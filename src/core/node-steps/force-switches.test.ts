/**
 * Invariant 8's exception, table-tested at the step that enforces it: requireDrained refuses an undrained node
 * unless one of CAU's force switches paused it, and even then the node must still be Paused.
 */
import type { Gateway } from '../../cluster/gateway.js';
import type { NodeStatus, UndrainedAllowance } from '../../cluster/operations.js';
import { MemoryJournal } from '../../journal/journal.js';
import { JournalWriter } from '../journal-records.js';
import { StepFailure, type StepContext } from './context.js';
import { requireDrained } from './drained.js';

function contextWith(status: Status): StepContext {
  const gateway = { call: async () => status } as unknown as Gateway;
  const clock = { now: () => 0, sleep: async () => undefined };
  return { gateway, clock, journal: new JournalWriter(new MemoryJournal(), () => 0), entry: 'CLUSTER', heartbeat: async () => undefined };
}

type Status = Pick<NodeStatus, 'clusterNodeState' | 'drainStatus' | 'runningRoles'>;
const drained: Status = { clusterNodeState: 'Paused', drainStatus: 'Completed', runningRoles: [] };
const pausedUndrained: Status = { clusterNodeState: 'Paused', drainStatus: 'NotInitiated', runningRoles: ['VM01'] };
const drainFailed: Status = { clusterNodeState: 'Paused', drainStatus: 'Failed', runningRoles: ['VM01'] };
const up: Status = { clusterNodeState: 'Up', drainStatus: 'NotInitiated', runningRoles: ['VM01'] };
const down: Status = { clusterNodeState: 'Down', drainStatus: 'NotInitiated', runningRoles: [] };

describe('requireDrained and the force switches', () => {
  it.each<[Status, UndrainedAllowance | undefined, RegExp | null]>([
    [drained, undefined, null],
    [pausedUndrained, undefined, /NODE1 is not drained, so it was not updated: its DrainStatus is NotInitiated, not Completed; it still runs VM01/],
    [drainFailed, undefined, /NODE1 is not drained/],
    [pausedUndrained, 'ForcePauseNoDrain', null],
    [drainFailed, 'ForcePauseDrainAndReboot', null],
    [up, 'ForcePauseNoDrain', /NODE1 is Up, not Paused, so it was not updated, even under ForcePauseNoDrain/],
    [down, 'ForcePauseDrainAndReboot', /NODE1 is Down, not Paused, so it was not updated, even under ForcePauseDrainAndReboot/],
  ])('%j under %s', async (status, allowedBy, refusal) => {
    const result = requireDrained(contextWith(status), 'NODE1', 'install', 'updated', allowedBy);
    if (refusal === null) {
      await expect(result).resolves.toBeUndefined();
    } else {
      await expect(result).rejects.toBeInstanceOf(StepFailure);
      await expect(result).rejects.toMatchObject({ code: 'NodeNotDrained', message: expect.stringMatching(refusal) as string });
    }
  });
});
