/**
 * A journal write that fails is a safe halt (DESIGN invariant 10): the run stops touching nodes, resumes the
 * node it paused, releases the lock and ends with JOURNAL_WRITE_FAILED (exit 3); when the node cannot be
 * resumed, the lock is kept and the error says exactly what is left.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterGateway } from '../cluster/gateway.js';
import { JournalWriteError, MemoryJournal, type JournalEntry, type JournalRecord } from '../journal/journal.js';
import { nullSink } from './events.js';
import { systemClock } from '../platform/clock.js';
import { openSimulator, type Simulator } from '../sim/index.js';
import type { ScriptInvocation, Transport } from '../transport/transport.js';
import { LOCK_PROPERTY } from './cluster-lock.js';
import { RollingRun } from './coordinator.js';
import { aRunProfile } from '../../test/support/profiles.js';

const profile = aRunProfile();

/** A journal whose disk fills up at the first record that matches. */
class FillingJournal extends MemoryJournal {
  constructor(private readonly failAt: (entry: JournalEntry) => boolean) {
    super();
  }
  override append(entry: JournalEntry, time: string): JournalRecord {
    if (this.failAt(entry)) throw new JournalWriteError('/state/runs/C/run-1.jsonl', Object.assign(new Error('no space'), { code: 'ENOSPC' }));
    return super.append(entry, time);
  }
}

/** Passes calls through, except resume-node once `block` is set. */
function resumeBlocking(inner: Transport, block: { on: boolean }): Transport {
  return {
    name: 'resume-blocking',
    async run(node: string, invocation: ScriptInvocation, options) {
      if (block.on && invocation.name === 'resume-node') return { ok: false, error: { code: 'SCRIPT_ERROR', message: 'Resume-ClusterNode: the cluster service is not responding' } };
      return inner.run(node, invocation, options);
    },
    close: () => inner.close(),
  };
}

let dir: string;
let sim: Simulator;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cauctl-halt-'));
  const fixturePath = join(dir, 'f.json');
  writeFileSync(fixturePath, JSON.stringify({
    name: 'HALT3',
    storage: { s2d: true },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    nodes: ['N1', 'N2', 'N3'].map((name, i) => ({ name, roles: [`${name}-vm`], updates: [{ id: `u${i}`, kb: `KB${i}`, title: 'cu', rebootRequired: true }] })),
  }));
  sim = openSimulator({ fixturePath, stateDir: join(dir, 'state'), speed: 'max', reset: true, ephemeral: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function coordinator(journal: MemoryJournal, transport: Transport): RollingRun {
  return new RollingRun(
    profile,
    { gateway: new ClusterGateway(transport), clock: sim.clock, wallClock: systemClock, sink: nullSink, journal, owner: { host: 'mgmt01', user: 'admin', pid: process.pid }, isProcessAlive: () => true, stop: { requested: false }, newRunId: () => 'run-1', onHalt: () => sim.noteHalt() },
    { entry: sim.clusterName, forceRecovery: false },
  );
}

async function states(): Promise<Record<string, string>> {
  const cluster = await new ClusterGateway(sim.transport).call(sim.clusterName, 'get-cluster', {});
  return Object.fromEntries(cluster.nodes.map((n) => [n.name, n.state]));
}

async function lock(): Promise<string | null> {
  return (await new ClusterGateway(sim.transport).call(sim.clusterName, 'get-cluster-property', { name: LOCK_PROPERTY })).value;
}

const atInstall = (entry: JournalEntry): boolean => entry.type === 'step' && entry.step === 'task-started';

it('resumes the node it paused, releases the lock, and ends with JOURNAL_WRITE_FAILED (exit 3)', async () => {
  const journal = new FillingJournal(atInstall);
  const error = await coordinator(journal, sim.transport).execute().then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(JournalWriteError);
  expect(error).toMatchObject({ code: 'JOURNAL_WRITE_FAILED', exitCode: 3 });
  expect(Object.values(await states())).toEqual(['Up', 'Up', 'Up']);
  expect(await lock()).toBeNull();
  sim.noteRunEnd();
  expect(sim.audit().violations).toEqual([]);
  // Nothing was installed: the write-ahead record of the install could not be written, so it did not act.
  expect(journal.records().some((r) => r.type === 'step' && r.step === 'task-started')).toBe(false);
});

it('when the paused node cannot be resumed, keeps the lock and says exactly what is left', async () => {
  const block = { on: false };
  const journal = new FillingJournal((entry) => {
    if (atInstall(entry)) block.on = true;
    return atInstall(entry);
  });
  const error = await coordinator(journal, resumeBlocking(sim.transport, block)).execute().then(() => null, (e: unknown) => e);
  expect(error).toMatchObject({ code: 'JOURNAL_WRITE_FAILED', exitCode: 3 });
  const message = (error as Error).message;
  const paused = Object.entries(await states()).filter(([, s]) => s === 'Paused').map(([n]) => n);
  expect(paused).toHaveLength(1);
  expect(message).toContain(`${paused[0]} is still paused by this run`);
  expect(message).toContain('cluster lock');
  expect((error as { hint: string }).hint).toContain(`--resume-node ${paused[0]}`);
  expect(await lock()).not.toBeNull();
});
