import { exitCodeFor } from './error-codes.js';
import { ClusterGateway, OperationFailedError } from '../cluster/gateway.js';
import type { OperationName, OperationParams } from '../cluster/operations.js';
import { MemoryJournal, type JournalEntry } from '../journal/journal.js';
import { openTestSim, type SimHarness } from '../sim/test-support.js';
import { DEFAULT_TIMING } from './plan.js';
import { OFFLINE_JOURNAL_TYPES, OfflineUpdate, offlineTiming, predictOfflineDowntime, replayOfflineJournal } from './offline-update.js';

const PROFILE = { plugins: [{ plugin: 'Microsoft.WindowsUpdatePlugin' as const, arguments: {} }], rebootTimeoutMinutes: 15, storageTimeoutMinutes: 30, allowMissingNodes: false };

describe('predictOfflineDowntime', () => {
  const timing = offlineTiming({ ...DEFAULT_TIMING, stopClusterSeconds: 60, startClusterSeconds: 90, diskStateSeconds: 10 });
  it('is the stop, the slowest node with updates, the start and the disks', () => {
    const p = predictOfflineDowntime(timing, { A: 1, B: 0 });
    expect(p.parts).toEqual({ stopCluster: 60, slowestNode: 900 + 60 + 420 + 90, startCluster: 90, disksOnline: 10 });
    expect(p.seconds).toBe(60 + 1470 + 90 + 10);
    expect(p.slowestNode).toBe('A');
  });
  it('no node with updates: only the stop and start overheads', () => {
    expect(predictOfflineDowntime(timing, { A: 0 }).seconds).toBe(160);
  });
  it('fills missing cluster-step timings from the defaults', () => {
    expect(offlineTiming(DEFAULT_TIMING)).toMatchObject({ stopClusterSeconds: 60, startClusterSeconds: 90, diskStateSeconds: 10 });
  });
});

describe('replayOfflineJournal', () => {
  it('rebuilds steps, node progress and the downtime start', () => {
    const j = new MemoryJournal();
    j.append({ type: OFFLINE_JOURNAL_TYPES.started, runId: 'r1', clusterName: 'C1', plugins: ['Microsoft.WindowsUpdatePlugin'] }, '2025-01-01T00:00:00.000Z');
    j.append({ type: OFFLINE_JOURNAL_TYPES.step, step: 'disks-offline', phase: 'begin' }, '2025-01-01T00:01:00.000Z');
    j.append({ type: OFFLINE_JOURNAL_TYPES.step, step: 'disks-offline', phase: 'done' }, '2025-01-01T00:01:10.000Z');
    j.append({ type: OFFLINE_JOURNAL_TYPES.step, step: 'stop-cluster', phase: 'begin' }, '2025-01-01T00:01:10.000Z');
    // The node steps' records, the same as the rolling run's.
    j.append({ type: 'step', node: 'N1', attempt: 1, step: 'task-started', taskId: 't1', round: 1, pluginIndex: 0 }, '2025-01-01T00:03:00.000Z');
    j.append({ type: 'step', node: 'N1', attempt: 1, step: 'task-finished', taskId: 't1', round: 1, state: 'Completed', results: [{ updateId: 'u', kb: 'KB1', title: 't', resultCode: 'Succeeded', errorCode: '0x0', rebootRequired: true }] }, '2025-01-01T00:13:00.000Z');
    j.append({ type: 'step', node: 'N1', attempt: 1, step: 'restart-requested', round: 1, bootBefore: 'b0', source: 'round' }, '2025-01-01T00:13:30.000Z');
    const s = replayOfflineJournal(j.records());
    expect([...s.done]).toEqual(['disks-offline']);
    expect([...s.begun]).toEqual(['disks-offline', 'stop-cluster']);
    expect(s.downtimeStart).toBe('2025-01-01T00:01:10.000Z');
    expect(s.nodes.get('N1')).toMatchObject({ tasks: [{ taskId: 't1', finished: true }], restart: { bootBefore: 'b0', requestedAt: '2025-01-01T00:13:30.000Z' }, back: null, failed: null });
    expect(s.completed).toBe(false);
  });
});

/** A gateway over the simulator that records calls and can make chosen calls fail. */
function gatewayOver(h: SimHarness, log: string[], fail: (node: string, name: OperationName) => boolean): Pick<ClusterGateway, 'call'> {
  const real = new ClusterGateway(h.sim.transport);
  return {
    call: (async (node: string, name: OperationName, params: OperationParams<OperationName>) => {
      log.push(`call ${name}`);
      if (fail(node, name)) throw new OperationFailedError(name, node, 'SCRIPT_ERROR', 'injected failure');
      return real.call(node, name, params as never);
    }) as ClusterGateway['call'],
  };
}

function journalWithLog(log: string[]): MemoryJournal {
  const journal = new MemoryJournal();
  const append = journal.append.bind(journal);
  journal.append = (entry: JournalEntry, time: string) => {
    log.push(`journal ${entry.type}${entry.step ? ` ${String(entry.step)} ${String(entry.phase)}` : ''}`);
    return append(entry, time);
  };
  return journal;
}

describe('OfflineUpdate on the built-in model', () => {
  let h: SimHarness;
  beforeEach(() => {
    h = openTestSim();
  });
  afterEach(() => h.cleanup());

  it('journals each step before it acts, and ends with the model restored', async () => {
    const log: string[] = [];
    const run = new OfflineUpdate(PROFILE, { gateway: gatewayOver(h, log, () => false), clock: h.sim.clock, journal: journalWithLog(log), stop: { requested: false } }, { entry: 'HCI01', runId: 'run-1' });
    const result = await run.execute();
    expect(result.status).toBe('Succeeded');
    const before = (entry: string, call: string): void => expect(log.indexOf(entry)).toBeLessThan(log.indexOf(call));
    before('journal offline-step disks-offline begin', 'call set-cluster-disks');
    before('journal offline-step stop-cluster begin', 'call stop-cluster');
    before('journal offline-step start-cluster begin', 'call start-cluster');
    expect(h.sim.auditOffline(result.preState!.onlineDisks.map((d) => d.virtualDisk)).violations).toEqual([]);
  });

  it('an exception after the stop still restores the cluster, and says what happened (exit 3)', async () => {
    const log: string[] = [];
    const gateway = gatewayOver(h, log, (node, name) => node === 'NODE2' && name === 'set-cluster-service' && !log.includes('journal offline-step restore begin'));
    const result = await new OfflineUpdate(PROFILE, { gateway, clock: h.sim.clock, journal: journalWithLog(log), stop: { requested: false } }, { entry: 'HCI01', runId: 'run-2' }).execute();
    expect(result.restore).toEqual({ abortedBecause: expect.stringContaining('set-cluster-service on NODE2 failed: injected failure'), complete: true, problems: [] });
    expect(result.errorRecord?.code).toBe('OfflineAborted');
    expect(exitCodeFor(result)).toBe(3);
    expect(h.sim.auditOffline(['Infrastructure_1', 'UserStorage_1', 'UserStorage_2']).violations).toEqual([]);
  });

  it('a restore that cannot start the cluster is Failed, RestoreIncomplete, and the audit sees it', async () => {
    const gateway = gatewayOver(h, [], (_node, name) => name === 'start-cluster');
    const result = await new OfflineUpdate(PROFILE, { gateway, clock: h.sim.clock, journal: new MemoryJournal(), stop: { requested: false } }, { entry: 'HCI01', runId: 'run-3' }).execute();
    expect(result.status).toBe('Failed');
    expect(result.errorRecord?.code).toBe('RestoreIncomplete');
    expect(result.downtime?.end).toBeNull();
    expect(exitCodeFor(result)).toBe(3);
    const audit = h.sim.auditOffline(['UserStorage_1']);
    expect(audit.violations.join('\n')).toMatch(/the cluster is still stopped[\s\S]*UserStorage_1 was online before the update and is offline now/);
  });
});
