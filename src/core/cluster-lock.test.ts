import { ClusterGateway } from '../cluster/gateway.js';
import type { Clock } from '../platform/clock.js';
import type { ScriptInvocation, ScriptOutcome, Transport } from '../transport/transport.js';
import { ClusterLock, LOCK_PROPERTY, LockLostError, forceRecoverLock, lockLiveness, parseLock, type LockContext, type LockRecord, type RunProgress } from './cluster-lock.js';

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
  return { props, state, gateway: new ClusterGateway(transport) };
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

describe('lockLiveness', () => {
  const now = Date.parse('2026-01-01T00:04:00Z');
  it.each([
    ['within its lease, owner elsewhere', aLock(), true],
    ['lease expired', aLock({ heartbeatAt: '2025-12-31T23:50:00.000Z' }), false],
    ['owner on this host, process alive', aLock({ owner: { ...me, pid: 5 } }), true],
  ])('%s', (_name, lock, live) => {
    expect(lockLiveness(lock, now, { owner: me, isProcessAlive: () => true }).live).toBe(live);
  });
  it('a lock of this host whose process is gone is dead at once', () => {
    const verdict = lockLiveness(aLock({ owner: { ...me, pid: 5 } }), now, { owner: me, isProcessAlive: (pid) => pid !== 5 });
    expect(verdict).toEqual({ live: false, why: 'its owner process 5 on mgmt01 is gone' });
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
    props.set(LOCK_PROPERTY, JSON.stringify(aLock()));
    await expect(new ClusterLock(context(gateway)).acquire('r1', progress)).rejects.toMatchObject({ code: 'LOCK_HELD', exitCode: 5 });
    props.set(LOCK_PROPERTY, JSON.stringify(aLock({ heartbeatAt: '2025-12-01T00:00:00.000Z' })));
    await expect(new ClusterLock(context(gateway)).acquire('r1', progress)).rejects.toMatchObject({ code: 'LOCK_STALE', exitCode: 5 });
    await new ClusterLock(context(gateway)).acquire('other', progress, { takeOverRunId: 'other' });
    expect(parseLock(props.get(LOCK_PROPERTY)!)?.owner).toEqual(me);
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
    await expect(forceRecoverLock(context(gateway))).rejects.toMatchObject({ code: 'LOCK_HELD' });
    props.set(LOCK_PROPERTY, JSON.stringify(aLock({ heartbeatAt: '2025-12-01T00:00:00.000Z' })));
    expect((await forceRecoverLock(context(gateway)))?.runId).toBe('other');
    expect(props.has(LOCK_PROPERTY)).toBe(false);
  });
});
