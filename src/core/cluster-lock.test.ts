import { ClusterGateway } from '../cluster/gateway.js';
import type { Clock } from '../platform/clock.js';
import type { ScriptInvocation, ScriptOutcome, Transport } from '../transport/transport.js';
import { RunPresence } from './run-progress.js';
import { readRunView } from './run-state.js';
import { ClusterLock, LOCK_PROPERTY, LockLostError, forceRecoverLock, isSameMachine, lockLiveness, parseLock, type HeartbeatObservation, type HeartbeatObservations, type LockContext, type LockRecord, type RunProgress } from './cluster-lock.js';

/** Cluster properties in memory with compare-and-set; `loseNextReply` applies a write, then fails its reply. */
function propertyTransport() {
  const props = new Map<string, string>();
  const state = { loseNextReply: false };
  const transport: Transport = {
    name: 'memory',
    async run(_node: string, inv: ScriptInvocation): Promise<ScriptOutcome> {
      const p = inv.params as { name: string; value?: string | null; expected?: string | null };
      if (inv.name === 'get-cluster-property') return { ok: true, data: { value: props.get(p.name) ?? null } };
      const current = props.get(p.name) ?? null;
      if (p.expected !== undefined && p.expected !== current) return { ok: true, data: { applied: false, current } };
      if (p.value === null || p.value === undefined) props.delete(p.name);
      else props.set(p.name, p.value);
      if (state.loseNextReply) {
        state.loseNextReply = false;
        throw new Error('reply lost');
      }
      return { ok: true, data: { applied: true, current: p.value ?? null } };
    },
    async close() {},
  };
  return { props, state, transport, gateway: new ClusterGateway(transport) };
}

const clockAt = (ms: number): Clock => ({ now: () => ms, sleep: async () => undefined });
const progress: RunProgress = { runStartTime: '2026-01-01T00:00:00.000Z', currentNode: null, currentPhase: null, nodeStatusNotifications: [], nodeResults: [] };
const me = { host: 'mgmt01', user: 'admin', pid: 100 };

function context(gateway: ClusterGateway, overrides: Partial<LockContext> = {}): LockContext {
  return { gateway, entryNode: 'HCI01', wallClock: clockAt(Date.parse('2026-01-01T00:00:00Z')), owner: me, isProcessAlive: () => true, leaseSeconds: 300, ...overrides };
}

function aLock(overrides: Partial<LockRecord> = {}): LockRecord {
  return { version: 1, runId: 'other', owner: { host: 'mgmt02', user: 'ops', pid: 7 }, acquiredAt: '2026-01-01T00:00:00.000Z', heartbeatAt: '2026-01-01T00:00:00.000Z', leaseSeconds: 300, progress, ...overrides };
}

/** Observations kept in memory, as the state directory keeps them between invocations. */
function memoryObservations(initial?: HeartbeatObservation): HeartbeatObservations & { current: HeartbeatObservation | undefined } {
  const store = {
    current: initial,
    load: () => store.current,
    save: (o: HeartbeatObservation) => {
      store.current = o;
    },
  };
  return store;
}

describe('lockLiveness', () => {
  const now = Date.parse('2026-01-01T00:04:00Z');
  const lease = 300_000;
  const seen = (lock: LockRecord, agoMs: number): HeartbeatObservation => ({ runId: lock.runId, heartbeatAt: lock.heartbeatAt, sinceMs: now - agoMs });
  it.each([
    ['another machine, first sighting', aLock(), undefined, true],
    ['another machine, its heartbeat hours behind our clock (skew), first sighting', aLock({ heartbeatAt: '2025-12-31T20:00:00.000Z' }), undefined, true],
    ['another machine, heartbeat unchanged for less than a lease here', aLock(), seen(aLock(), lease - 1000), true],
    ['another machine, heartbeat unchanged for a whole lease here', aLock(), seen(aLock(), lease), false],
    ['another machine, its heartbeat ahead of our clock (skew) but unchanged for a lease', aLock({ heartbeatAt: '2026-01-01T09:00:00.000Z' }), seen(aLock({ heartbeatAt: '2026-01-01T09:00:00.000Z' }), lease), false],
    ['another machine, heartbeat changed since the last sighting', aLock({ heartbeatAt: '2026-01-01T00:03:00.000Z' }), seen(aLock(), lease * 2), true],
    ['same host name, another machine id (a container), process id unknown here', aLock({ owner: { ...me, pid: 5, machineId: 'b' } }), undefined, true],
    ['owner on this machine, process alive', aLock({ owner: { ...me, pid: 5 } }), undefined, true],
  ] as const)('%s', (_name, lock, observation, live) => {
    const meHere = { ...me, machineId: 'a' };
    const owner = lock.owner.machineId === undefined ? me : meHere;
    expect(lockLiveness(lock, now, { owner, isProcessAlive: (pid) => pid !== 5 || lock.owner.machineId === undefined, ...(observation ? { observation } : {}) }).live).toBe(live);
  });
  it('a lock of this machine whose process is gone is dead at once, whatever its heartbeat says', () => {
    const verdict = lockLiveness(aLock({ owner: { ...me, pid: 5 }, heartbeatAt: '2030-01-01T00:00:00.000Z' }), now, { owner: me, isProcessAlive: (pid) => pid !== 5 });
    expect(verdict).toEqual({ live: false, why: 'its owner process 5 on mgmt01 is gone' });
  });
  it('machines are told apart by machine id, not host name', () => {
    expect(isSameMachine({ ...me, machineId: 'a' }, { ...me, machineId: 'b' })).toBe(false);
    expect(isSameMachine({ ...me, machineId: 'a' }, { ...me, host: 'renamed', machineId: 'a' })).toBe(true);
    expect(isSameMachine(me, { ...me, machineId: 'a' })).toBe(true);
  });
});

describe('ClusterLock', () => {
  it('takes a free lock, refreshes it, and releases only its own', async () => {
    const { props, gateway } = propertyTransport();
    const lock = new ClusterLock(context(gateway));
    await lock.acquire('r1', progress);
    expect(parseLock(props.get(LOCK_PROPERTY)!)?.runId).toBe('r1');
    await lock.heartbeat({ ...progress, currentNode: 'N1', currentPhase: 'drain' });
    expect(parseLock(props.get(LOCK_PROPERTY)!)?.progress.currentNode).toBe('N1');
    await lock.release();
    expect(props.has(LOCK_PROPERTY)).toBe(false);
  });

  it('refuses a live lock (exit 5) and a dead one unless it resumes that run or recovers', async () => {
    const { props, gateway } = propertyTransport();
    const observations = memoryObservations();
    const at = (iso: string) => context(gateway, { observations, wallClock: clockAt(Date.parse(iso)) });
    props.set(LOCK_PROPERTY, JSON.stringify(aLock()));
    // First sighting: live, and the sighting is kept.
    await expect(new ClusterLock(at('2026-01-01T00:00:00Z')).acquire('r1', progress)).rejects.toMatchObject({ code: 'LOCK_HELD', exitCode: 5 });
    expect(observations.current).toMatchObject({ runId: 'other', sinceMs: Date.parse('2026-01-01T00:00:00Z') });
    await expect(new ClusterLock(at('2026-01-01T00:04:59Z')).acquire('r1', progress)).rejects.toMatchObject({ code: 'LOCK_HELD' });
    // Unchanged for a whole lease on this host's clock: dead, but only its own run or a recovery takes it.
    await expect(new ClusterLock(at('2026-01-01T00:05:00Z')).acquire('r1', progress)).rejects.toMatchObject({ code: 'LOCK_STALE', exitCode: 5 });
    await new ClusterLock(at('2026-01-01T00:05:00Z')).acquire('other', progress, { takeOverRunId: 'other' });
    expect(parseLock(props.get(LOCK_PROPERTY)!)?.owner).toEqual(me);
  });

  it('checks the value read back after the compare-and-set: a reply that claims success is not enough', async () => {
    const { props, transport } = propertyTransport();
    const racing = new ClusterGateway({
      name: 'racing',
      async run(node, inv) {
        const outcome = await transport.run(node, inv);
        // Another coordinator's write lands right after ours.
        if (inv.name === 'set-cluster-property') props.set(LOCK_PROPERTY, JSON.stringify(aLock({ runId: 'winner' })));
        return outcome;
      },
      async close() {},
    });
    await expect(new ClusterLock(context(racing)).acquire('r1', progress)).rejects.toMatchObject({ code: 'LOCK_HELD', exitCode: 5, message: expect.stringMatching(/run winner/) });
  });

  it('notices a lock taken by someone else at the next heartbeat', async () => {
    const { props, gateway } = propertyTransport();
    const lock = new ClusterLock(context(gateway));
    await lock.acquire('r1', progress);
    props.set(LOCK_PROPERTY, JSON.stringify(aLock({ runId: 'thief' })));
    await expect(lock.heartbeat(progress)).rejects.toBeInstanceOf(LockLostError);
    expect(lock.held).toBe(false);
    await lock.release();
    expect(parseLock(props.get(LOCK_PROPERTY)!)?.runId).toBe('thief');
  });

  it('counts a heartbeat whose reply was lost after it applied as its own on the retry', async () => {
    const { state, gateway } = propertyTransport();
    const lock = new ClusterLock(context(gateway));
    await lock.acquire('r1', progress);
    state.loseNextReply = true;
    await expect(lock.heartbeat(progress)).rejects.toThrow(/reply lost/);
    await lock.heartbeat({ ...progress, currentNode: 'N2' });
    expect(lock.held).toBe(true);
  });
});

describe('forceRecoverLock', () => {
  it('never clears a live lock, clears a dead one, and says when there was none', async () => {
    const { props, gateway } = propertyTransport();
    expect(await forceRecoverLock(context(gateway))).toBeNull();
    props.set(LOCK_PROPERTY, JSON.stringify(aLock()));
    const observations = memoryObservations();
    await expect(forceRecoverLock(context(gateway, { observations }))).rejects.toMatchObject({ code: 'LOCK_HELD', hint: expect.stringMatching(/run this again once its heartbeat has stayed the same for 300 s/) });
    const later = clockAt(Date.parse('2026-01-01T00:05:00Z'));
    expect((await forceRecoverLock(context(gateway, { observations, wallClock: later })))?.runId).toBe('other');
    expect(props.has(LOCK_PROPERTY)).toBe(false);
  });
});

describe('the predicted finish in the lock (issue 15)', () => {
  const startMs = Date.parse('2026-01-01T00:00:00Z');
  const watcher = { host: 'laptop7', user: 'ops', pid: 42 };

  /** A run takes the lock (its progress without the field, as an older cauctl writes it), then publishes a phase unless `publish` is false. */
  async function publishedBy(predictedEnd?: () => number | undefined, publish = true) {
    const { gateway } = propertyTransport();
    const lock = new ClusterLock(context(gateway));
    await lock.acquire('run1', progress);
    const presence = new RunPresence({ lock, clock: clockAt(startMs + 60_000), wallClock: clockAt(Date.parse('2026-01-01T00:00:00Z')), leaseSeconds: 300, run: () => ({ startMs, nodeResults: [] }), ...(predictedEnd ? { predictedEnd } : {}) });
    if (publish) await presence.notify('NODE1', 'drain', 'drain');
    return readRunView({ gateway, entry: 'HCI01', owner: watcher, isProcessAlive: () => true, nowWallMs: Date.parse('2026-01-01T00:01:00Z'), localJournal: () => undefined });
  }

  it('carries the finish the coordinator predicts, which get-run on another host reads', async () => {
    const view = await publishedBy(() => Date.parse('2026-01-01T03:12:30Z'));
    expect({ state: view.runState, source: view.source, predictedEndTime: view.predictedEndTime }).toEqual({ state: 'RunInProgress', source: 'cluster-lock', predictedEndTime: '2026-01-01T03:12:30.000Z' });
  });

  it('says null when the run predicts nothing (no plan, or no answer yet), and reads a lock without the field as null', async () => {
    expect((await publishedBy(() => undefined)).predictedEndTime).toBeNull();
    expect((await publishedBy()).predictedEndTime).toBeNull();
    expect((await publishedBy(() => Date.parse('2026-01-01T03:12:30Z'), false)).predictedEndTime).toBeNull();
  });
});
