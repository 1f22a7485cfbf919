// The node steps' readings of a node's status, with the reasons an operator reads, written out.
import { isDrained, readBoot, readDrain } from './verdicts.js';

const node = (clusterNodeState: 'Up' | 'Paused' | 'Down', drainStatus: 'NotInitiated' | 'InProgress' | 'Completed' | 'Failed', runningRoles: string[] = []) => ({ clusterNodeState, drainStatus, runningRoles });

describe('readDrain', () => {
  it.each<[string, ReturnType<typeof node>, ReturnType<typeof readDrain>]>([
    ['failed, roles still here', node('Paused', 'Failed', ['VM1', 'VM2']), { state: 'failed', reason: 'DrainStatus is Failed; still running here: VM1, VM2' }],
    ['failed, nothing left', node('Paused', 'Failed'), { state: 'failed', reason: 'DrainStatus is Failed' }],
    ['not started', node('Up', 'NotInitiated'), { state: 'not-started' }],
    ['the node went down meanwhile', node('Down', 'InProgress'), { state: 'failed', reason: 'the node is Down, not Paused, while its drain was awaited' }],
    ['completed and empty', node('Paused', 'Completed'), { state: 'completed' }],
    ['completed, one role left', node('Paused', 'Completed', ['VM1']), { state: 'failed', reason: 'DrainStatus is Completed but VM1 still runs here' }],
    ['completed, two roles left', node('Paused', 'Completed', ['VM1', 'VM2']), { state: 'failed', reason: 'DrainStatus is Completed but VM1, VM2 still run here' }],
    ['in progress', node('Paused', 'InProgress'), { state: 'in-progress' }],
  ])('%s', (_name, status, expected) => {
    expect(readDrain(status)).toEqual(expected);
  });
});

describe('isDrained', () => {
  it('says every problem at once', () => {
    expect(isDrained(node('Up', 'InProgress', ['VM1', 'SQL']))).toEqual({
      ok: false,
      reason: 'it is Up, not Paused; its DrainStatus is InProgress, not Completed; it still runs VM1, SQL',
    });
    expect(isDrained(node('Paused', 'Completed'))).toEqual({ ok: true });
  });
});

describe('readBoot', () => {
  const status = (lastBootUpTime: string, autoStartServicesNotRunning: string[] = [], clusterNodeState: 'Up' | 'Paused' | 'Down' | 'Joining' = 'Paused') => ({ lastBootUpTime, autoStartServicesNotRunning, clusterNodeState });
  it.each<[string, ReturnType<typeof status>, boolean, string[] | undefined, ReturnType<typeof readBoot>]>([
    ['same boot time', status('b0'), true, undefined, { back: false, reason: 'the node has not restarted yet' }],
    ['services not running yet', status('b1', ['vmms', 'ClusSvc']), true, undefined, { back: false, reason: 'auto-start services not running: vmms, ClusSvc' }],
    ['only the services that ran before count, in any case', status('b1', ['VMMS', 'MapsBroker']), true, ['vmms'], { back: false, reason: 'auto-start services not running: VMMS' }],
    ['a service stopped before the restart too', status('b1', ['MapsBroker']), true, ['vmms'], { back: true }],
    ['cluster state not back', status('b1', [], 'Joining'), true, undefined, { back: false, reason: 'cluster node state is Joining' }],
    ['cluster state Up', status('b1', [], 'Up'), true, undefined, { back: true }],
    ['cluster state Paused', status('b1', [], 'Paused'), true, undefined, { back: true }],
    ['cluster stopped (offline update): its state does not count', status('b1', [], 'Down'), false, undefined, { back: true }],
  ])('%s', (_name, s, needClusterState, before, expected) => {
    expect(readBoot(s, 'b0', needClusterState, before)).toEqual(expected);
  });
});
